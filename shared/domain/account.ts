import type { CurrencyCode } from './currency';

/**
 * An account id as shown to a partner or written to a log: '****' and its last 4 characters, the
 * same length whatever the id's (so it reveals neither the number nor its length); 4 characters
 * or fewer are masked entirely.
 */
export function maskAccount(value: string): string {
  const compact = value.trim();
  return compact.length <= 4 ? '****' : `****${compact.slice(-4)}`;
}

export type AccountStatus = 'OPEN' | 'BLOCKED' | 'CLOSED';

/** A ledger account. Balances are integer minor units; `available` = balance + overdraft limit. */
export interface Account {
  readonly accountId: string;
  /** Partner (institution) that holds the account. */
  readonly ownerPartnerId: string;
  readonly currency: CurrencyCode;
  readonly status: AccountStatus;
  readonly balanceMinor: number;
  /** How far below zero the balance may go (>= 0). */
  readonly overdraftLimitMinor: number;
  readonly version: number;
}

/** One immutable journal line: each settlement writes a debit (-) and a credit (+) summing to zero. */
export interface JournalEntry {
  readonly accountId: string;
  readonly paymentId: string;
  /** Signed minor units: negative = debit, positive = credit. */
  readonly amountMinor: number;
  readonly currency: CurrencyCode;
  readonly counterpartyAccountId: string;
  readonly postedAt: string;
}
