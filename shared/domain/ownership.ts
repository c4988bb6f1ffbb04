import type { Partner } from './partner';

/**
 * Who may instruct a movement of money: the owner of the debtor account, and nobody else.
 *
 * A ledger account id is `<institution id>:<account>`: the institution (agent) that holds the
 * account, by ABA routing number (9 digits) or BIC, then the account at that institution
 * (e.g. `021000021:1000001`, `DEUTDEFF:DE89370400440532013000`, `021040078:tel:+15555550100`).
 * A partner owns exactly the accounts held at its own institution ids (`Partner.agentIds`).
 *
 * Intake refuses a debtor account held at another institution before anything is written or
 * queued, from the account id alone, so the refusal is the same whether that account exists,
 * is closed, blocked, empty or absent (no oracle). The ledger checks the account's recorded
 * owner again in the debit's own condition (shared/domain/ledger-rules.ts).
 */

/** The agent id the release probe acts as: neither a routing number nor a BIC. */
export const PROBE_AGENT_ID = 'PROBE';

const ROUTING = /^[0-9]{9}$/;
const BIC = /^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/;

/** A routing number as is; a BIC upper-cased, BIC11 with branch `XXX` folded to its BIC8. */
export function normalizeInstitutionId(id: string): string {
  const trimmed = id.trim();
  if (ROUTING.test(trimmed)) return trimmed;
  const upper = trimmed.toUpperCase();
  return upper.length === 11 && upper.endsWith('XXX') ? upper.slice(0, 8) : upper;
}

/** An ABA routing number (9 digits), a BIC (ISO 9362), or the release probe's `PROBE`. */
export function isInstitutionId(id: string): boolean {
  return ROUTING.test(id) || BIC.test(id.toUpperCase()) || id === PROBE_AGENT_ID;
}

export interface LedgerAccountId {
  /** Institution id (normalised) that holds the account. */
  readonly institution: string;
  /** The account at that institution. */
  readonly account: string;
}

/** Splits `<institution>:<account>`; undefined when the id has no institution part. */
export function parseLedgerAccountId(accountId: string): LedgerAccountId | undefined {
  const colon = accountId.indexOf(':');
  if (colon <= 0 || colon === accountId.length - 1) return undefined;
  const institution = accountId.slice(0, colon);
  if (!isInstitutionId(institution)) return undefined;
  return { institution: normalizeInstitutionId(institution), account: accountId.slice(colon + 1) };
}

/** True when `institutionId` is one of the partner's own institution ids. */
export function isOwnInstitution(partner: Pick<Partner, 'agentIds'>, institutionId: string): boolean {
  const wanted = normalizeInstitutionId(institutionId);
  return partner.agentIds.some((own) => normalizeInstitutionId(own) === wanted);
}

/** True when the partner holds the account (by the institution part of its id). */
export function holdsAccount(partner: Pick<Partner, 'agentIds'>, accountId: string): boolean {
  const parsed = parseLedgerAccountId(accountId);
  return parsed !== undefined && isOwnInstitution(partner, parsed.institution);
}

/** A release-probe account (`PROBE:…`): synthetic test money, never a customer's. */
export function isProbeAccountId(accountId: string): boolean {
  return parseLedgerAccountId(accountId)?.institution === PROBE_AGENT_ID;
}

/** The one refusal for a debtor account the caller does not hold, whatever its state. */
export const NOT_OWN_DEBTOR_ACCOUNT = {
  code: 'AGNT',
  message: 'the debtor account is not held at an institution of the calling partner',
} as const;
