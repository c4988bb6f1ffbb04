import { RELEASE_PROBE_AGENT_ID, RELEASE_PROBE_PARTNER_ID, type Partner } from '../../shared/domain/partner';

/**
 * Who the release probe is, and the only accounts its synthetic test traffic may move.
 *
 * The pre-traffic hook sends signed test payments as a dedicated partner institution that no
 * real partner can be, between dedicated ledger accounts that only it owns, each clearly marked:
 *   - partner id `release-probe`, agent id `PROBE` (not a routing number or a BIC);
 *   - account ids `PROBE:release-<purpose>-<side>` (no real account id starts with `PROBE:`:
 *     real ones are `<routing number or BIC>:<account>`);
 *   - EndToEndId `RLSPROBE-<run id>-<step>`, and the header `x-rtp-release-probe: <run id>` on
 *     every synthetic HTTP request (SQS records carry it as a message attribute);
 *   - amounts of one minor unit.
 * Its signing key is an Ed25519 key pair made for one hook run: the public key is registered
 * under `release-probe-<run id>` and retired at the end of the run; the private key never
 * leaves the hook's memory.
 */
export const PROBE_PARTNER: Partner = {
  partnerId: RELEASE_PROBE_PARTNER_ID,
  name: 'Release probe (synthetic pre-traffic test traffic, never a real institution)',
  status: 'ACTIVE',
  agentIds: [RELEASE_PROBE_AGENT_ID],
  currencies: ['USD'],
};

export const PROBE_ACCOUNT_PREFIX = `${RELEASE_PROBE_AGENT_ID}:`;
export const PROBE_END_TO_END_PREFIX = 'RLSPROBE-';
export const PROBE_HEADER = 'x-rtp-release-probe';
export const PROBE_CURRENCY = 'USD';
export const PROBE_AMOUNT_MINOR = 1;
/**
 * What each probe account is funded with: enough for millions of one-unit probe payments. It is
 * never created by a plain put: each probe account opens at 0 and is funded from
 * PROBE_EQUITY_ACCOUNT by a journaled transfer (shared/adapters/dynamodb/ledger-funding.ts), and
 * topped up to this again (journaled too) once it falls below PROBE_TOP_UP_BELOW_MINOR.
 */
export const PROBE_OPENING_BALANCE_MINOR = 1_000_000_000;
export const PROBE_TOP_UP_BELOW_MINOR = PROBE_OPENING_BALANCE_MINOR / 2;

/**
 * The probe's equity (contra) account: the other side of every probe funding, so the ledger stays
 * zero-sum (its balance is minus what the probe accounts were given). Owned by the probe partner,
 * allowed to go this far below zero; never a probe payment's debtor or creditor.
 */
export const PROBE_EQUITY_ACCOUNT = 'PROBE:equity';
export const PROBE_EQUITY_OVERDRAFT_MINOR = 1_000_000_000_000_000;

/**
 * One account pair per purpose, so that probes of different functions running at the same time
 * (CodeDeploy runs the deployment groups of one stack update in parallel) never share an
 * account, and a probe can assert exact balance changes on its own pair.
 */
export const PROBE_ACCOUNTS = {
  submit: { debtor: 'PROBE:release-submit-debtor', creditor: 'PROBE:release-submit-creditor' },
  settle: { debtor: 'PROBE:release-settle-debtor', creditor: 'PROBE:release-settle-creditor' },
  lookup: { debtor: 'PROBE:release-lookup-debtor', creditor: 'PROBE:release-lookup-creditor' },
} as const;

export type ProbePurpose = keyof typeof PROBE_ACCOUNTS;

export function isProbeAccount(accountId: string): boolean {
  return accountId.startsWith(PROBE_ACCOUNT_PREFIX);
}

export function probeKeyId(runId: string): string {
  return `${PROBE_PARTNER.partnerId}-${runId}`;
}

/** `RLSPROBE-<run id>-<step>`: at most 35 characters of the ISO 20022 basic set. */
export function probeEndToEndId(runId: string, step: string): string {
  const id = `${PROBE_END_TO_END_PREFIX}${runId}-${step}`;
  if (id.length > 35 || !/^[A-Za-z0-9-]+$/.test(id))
    throw new RangeError(`probe EndToEndId ${id} is not a valid Text35`);
  return id;
}
