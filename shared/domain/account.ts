import type { CurrencyCode } from './currency';

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
