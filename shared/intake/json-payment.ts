import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { isCurrencyCode, type CurrencyCode } from '../domain/currency';
import { ValidationError, type FieldIssue } from '../domain/errors';
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

const AccountId = z
  .string({ error: 'must be a string' })
  .check(
    z.minLength(1, 'must not be empty'),
    z.maxLength(64, 'must be at most 64 characters'),
    z.regex(/^[A-Za-z0-9:/+._-]+$/, 'may contain only letters, digits and : / + . _ -'),
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

/** Validates the JSON form and maps it to the domain instruction; throws ValidationError. */
export function parseJsonPayment(body: unknown, partnerId: string): PaymentInstruction {
  const parsed = JsonPaymentSchema.safeParse(body);
  if (!parsed.success) {
    const issues: FieldIssue[] = parsed.error.issues.map((issue) => {
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
    throw new ValidationError(issues);
  }
  const p = parsed.data;
  if (p.debtorAccount === p.creditorAccount) {
    throw ValidationError.field('creditorAccount', 'AC03', 'must differ from debtorAccount');
  }
  const currency = p.currency as CurrencyCode;
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
    amount: { amountMinor: p.amountMinor, currency },
    source: 'json',
    contentHash: createHash('sha256').update(JSON.stringify(content)).digest('hex'),
  };
}
