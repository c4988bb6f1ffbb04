import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { isCurrencyCode, type CurrencyCode } from '../domain/currency';
import { NotPermittedError, ValidationError, type FieldIssue } from '../domain/errors';
import { formatDecimalAmount } from '../domain/money';
import {
  holdsAccount,
  isOwnInstitution,
  isProbeAccountId,
  NOT_OWN_DEBTOR_ACCOUNT,
  parseLedgerAccountId,
  PROBE_AGENT_ID,
} from '../domain/ownership';
import type { Partner } from '../domain/partner';
import { RAIL_RULES } from '../iso20022/rails';
import type { PaymentInstruction } from '../domain/payment';
import type { ReasonCode } from '../domain/reasons';

/**
 * The simple JSON payment form (POST /payments, application/json, no ISO envelope):
 *
 *   { "endToEndId": "E2E-2026-0001", "debtorAccount": "021000021:12345678",
 *     "creditorAccount": "011000015:87654321", "amountMinor": 1050, "currency": "USD" }
 *
 * amountMinor is an integer number of minor units (1050 = USD 10.50): floats never enter.
 */
const Text35 = z.string({ error: 'must be a string' }).check(
  z.minLength(1, 'must not be empty'),
  z.maxLength(35, 'must be at most 35 characters'),
  z.regex(/^[A-Za-z0-9/\-?:().,'+ ]+$/, 'contains characters outside the ISO 20022 basic set'),
  z.refine((s) => s.trim() === s, 'must not start or end with a space'),
);

/** `<institution id>:<account>`: routing number or BIC of the holding institution, then the account. */
const AccountId = z.string({ error: 'must be a string' }).check(
  z.minLength(1, 'must not be empty'),
  z.maxLength(64, 'must be at most 64 characters'),
  z.regex(/^[A-Za-z0-9:/+._-]+$/, 'may contain only letters, digits and : / + . _ -'),
  z.refine(
    (id) => parseLedgerAccountId(id) !== undefined,
    'must be <routing number or BIC>:<account>, e.g. 021000021:1000001',
  ),
);

const JsonPaymentSchema = z.strictObject({
  endToEndId: Text35,
  debtorAccount: AccountId,
  creditorAccount: AccountId,
  amountMinor: z
    .number({ error: 'must be an integer number of minor units' })
    .check(
      z.refine(Number.isInteger, 'must be a whole number of minor units (no fractions of a cent)'),
      z.positive('must be greater than zero'),
      z.lte(Number.MAX_SAFE_INTEGER, 'is too large'),
    ),
  currency: z
    .string({ error: 'must be a string' })
    .check(z.refine(isCurrencyCode, 'is not an ISO 4217 currency code')),
});

const REASON_BY_FIELD: Record<string, ReasonCode> = {
  amountMinor: 'AM12',
  currency: 'AM03',
  debtorAccount: 'AC02',
  creditorAccount: 'AC03',
};

/** What the simple form is checked against besides its shape. */
export interface JsonPaymentRules {
  /** Network per-payment limit in minor units (the lowest of the rails the service runs). */
  readonly networkLimitMinor: number;
}

/** The simple form settles in US dollars on the ledger: the lowest of the rails' network limits. */
export const DEFAULT_JSON_PAYMENT_RULES: JsonPaymentRules = {
  networkLimitMinor: Math.min(...Object.values(RAIL_RULES).map((rail) => rail.limitMinor)),
};

/** `<institution>:<account>` with the institution id normalised (BIC upper case, BIC11 XXX folded). */
function normalizedAccountId(id: string): string {
  const parsed = parseLedgerAccountId(id);
  return parsed ? `${parsed.institution}:${parsed.account}` : id;
}

/** The schema's issues as field issues with their reason codes (FF01 for a missing field). */
function fieldIssues(body: unknown, issues: readonly z.core.$ZodIssue[]): FieldIssue[] {
  return issues.map((issue) => {
    const field = issue.path.map(String).join('.') || '(body)';
    if (issue.code === 'unrecognized_keys') {
      return { field, code: 'FF01' as const, message: `unknown field(s): ${issue.keys.join(', ')}` };
    }
    const topField = issue.path[0];
    const given =
      typeof body === 'object' && body !== null && typeof topField === 'string' && topField in body;
    if (issue.code === 'invalid_type' && typeof topField === 'string' && !given) {
      return { field, code: 'FF01' as const, message: 'is required' };
    }
    return { field, code: REASON_BY_FIELD[field] ?? 'FF01', message: issue.message };
  });
}

/**
 * Validates the JSON form and maps it to the domain instruction, with the same rules as a
 * pacs.008: the debtor account must be held at one of the calling partner's institutions
 * (NotPermittedError, 403 AGNT: the same refusal whatever that account's state), the currency
 * enabled for the partner (AM03), the amount within the network and the partner limit (AM02).
 * Throws ValidationError otherwise; nothing is written for a refused payment.
 */
export function parseJsonPayment(
  body: unknown,
  partner: Pick<Partner, 'partnerId' | 'agentIds' | 'currencies' | 'limitMinor'>,
  rules: JsonPaymentRules = DEFAULT_JSON_PAYMENT_RULES,
): PaymentInstruction {
  const partnerId = partner.partnerId;
  const parsed = JsonPaymentSchema.safeParse(body);
  if (!parsed.success) throw new ValidationError(fieldIssues(body, parsed.error.issues));
  const p = {
    ...parsed.data,
    debtorAccount: normalizedAccountId(parsed.data.debtorAccount),
    creditorAccount: normalizedAccountId(parsed.data.creditorAccount),
  };
  if (!holdsAccount(partner, p.debtorAccount)) {
    throw new NotPermittedError([
      { field: 'debtorAccount', code: NOT_OWN_DEBTOR_ACCOUNT.code, message: NOT_OWN_DEBTOR_ACCOUNT.message },
    ]);
  }
  if (p.debtorAccount === p.creditorAccount) {
    throw ValidationError.field('creditorAccount', 'AC03', 'must differ from debtorAccount');
  }
  // Release-probe accounts (`PROBE:`) and real accounts never meet: only the probe partner may
  // name a probe account, and it may name nothing else.
  const probeCaller = isOwnInstitution(partner, PROBE_AGENT_ID);
  if (isProbeAccountId(p.creditorAccount) !== probeCaller) {
    throw ValidationError.field(
      'creditorAccount',
      'AC03',
      probeCaller
        ? 'the release probe may credit only probe accounts'
        : 'must be <routing number or BIC>:<account>, e.g. 021000021:1000001',
    );
  }
  const currency = p.currency as CurrencyCode;
  if (!partner.currencies.includes(currency)) {
    throw ValidationError.field('currency', 'AM03', `currency ${currency} is not enabled for this partner`);
  }
  const money = { amountMinor: p.amountMinor, currency };
  if (p.amountMinor > rules.networkLimitMinor) {
    const limit = formatDecimalAmount({ amountMinor: rules.networkLimitMinor, currency });
    throw ValidationError.field('amountMinor', 'AM02', `exceeds the network limit of ${limit} ${currency}`);
  }
  if (partner.limitMinor !== undefined && p.amountMinor > partner.limitMinor) {
    const limit = formatDecimalAmount({ amountMinor: partner.limitMinor, currency });
    throw ValidationError.field('amountMinor', 'AM02', `exceeds the partner limit of ${limit} ${currency}`);
  }
  const content = {
    endToEndId: p.endToEndId,
    debtorAccount: p.debtorAccount,
    creditorAccount: p.creditorAccount,
    amountMinor: p.amountMinor,
    currency,
  };
  return {
    partnerId,
    references: { endToEndId: p.endToEndId },
    debtorAccount: p.debtorAccount,
    creditorAccount: p.creditorAccount,
    amount: money,
    source: 'json',
    contentHash: createHash('sha256').update(JSON.stringify(content)).digest('hex'),
  };
}
