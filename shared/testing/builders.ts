import type { CurrencyCode } from '../domain/currency';
import type { PaymentInstruction } from '../domain/payment';

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
