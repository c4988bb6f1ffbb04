import type { CurrencyCode } from '../domain/currency';
import type { Payment, PaymentInstruction } from '../domain/payment';

let counter = 0;

/** A valid instruction with overridable fields (unique EndToEndId by default). */
export function instruction(overrides: Partial<PaymentInstruction> = {}): PaymentInstruction {
  counter++;
  return {
    partnerId: 'partner-a',
    references: { endToEndId: `E2E-${counter}` },
    debtorAccount: 'ACC-DEBTOR',
    creditorAccount: 'ACC-CREDITOR',
    amount: { amountMinor: 1000, currency: 'USD' as CurrencyCode },
    source: 'json',
    contentHash: `hash-${counter}`,
    ...overrides,
  };
}

export const USD = 'USD' as CurrencyCode;

/** A recorded payment (ACCEPTED, version 2) with overridable fields. */
export function payment(overrides: Partial<Payment> = {}): Payment {
  return {
    paymentId: '0190f0a0-0000-7000-8000-000000000001',
    partnerId: 'bank-a',
    references: { endToEndId: 'E2E-1' },
    debtorAccount: '021000021:1000001',
    creditorAccount: '011000015:87654321',
    amount: { amountMinor: 1050, currency: USD },
    source: 'json',
    contentHash: 'h',
    status: 'ACCEPTED',
    createdAt: '2026-11-18T15:00:00.000Z',
    deadline: '2026-11-18T15:00:15.000Z',
    version: 2,
    ...overrides,
  };
}

/** The smallest environment every function's config reader accepts (unit tests of config). */
export const CONFIG_ENV = {
  STAGE: 'test',
  PAYMENTS_TABLE: 'p',
  LEDGER_TABLE: 'l',
  IDEMPOTENCY_TABLE: 'i',
  PARTNERS_TABLE: 'pa',
  NONCES_TABLE: 'n',
  PAYMENTS_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/q.fifo',
  PAYMENTS_DLQ_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/q-dlq.fifo',
  PARTNER_SECRET_PREFIX: 'x/',
} as const;
