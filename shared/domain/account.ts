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

/**
 * A ledger account. Balances are integer minor units; `available` = balance + overdraft limit
 * (availableMinor). `balanceMinor` excludes the unfolded credit entries of an INBOUND account.
 */
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
  /** DIRECT when absent (see CreditMode). */
  readonly creditMode?: CreditMode;
  /** Folds committed into this account (0 when absent): the fold's optimistic-concurrency cursor. */
  readonly foldSeq?: number;
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

/**
 * How credits reach an account (docs/design/hot-accounts-and-regions.md):
 * - DIRECT (the default, and every account without the attribute): the settlement transaction
 *   adds the credit to the account's balance, spendable at once;
 * - INBOUND (hot accounts): the settlement transaction writes an immutable credit entry keyed by
 *   the payment id and leaves the account item alone; a folder adds batches of entries to the
 *   balance later. Both kinds of credit may coexist on one account (the mode can be switched).
 */
export type CreditMode = 'DIRECT' | 'INBOUND';
export const CREDIT_MODES: readonly CreditMode[] = ['DIRECT', 'INBOUND'];

export function creditModeOf(account: Pick<Account, 'creditMode'>): CreditMode {
  return account.creditMode ?? 'DIRECT';
}

export function foldSeqOf(account: Pick<Account, 'foldSeq'>): number {
  return account.foldSeq ?? 0;
}

/**
 * What the account may spend: balance + overdraft limit. Unfolded credits are NOT counted: a
 * debit is conditional on the account item alone, so money not yet folded is never spent.
 */
export function availableMinor(account: Pick<Account, 'balanceMinor' | 'overdraftLimitMinor'>): number {
  return account.balanceMinor + account.overdraftLimitMinor;
}

/** A credit entry (positive journal line of an INBOUND creditor) and whether it has been folded. */
export interface CreditEntryState {
  readonly entry: JournalEntry;
  readonly folded: boolean;
}

/** U: the sum of the account's credit entries not folded yet (settled money, not yet in the balance). */
export function unfoldedMinor(credits: readonly CreditEntryState[]): number {
  return credits.reduce((sum, c) => (c.folded ? sum : sum + c.entry.amountMinor), 0);
}

/** The ledger balance (statements, reconciliation): balance + unfolded credits. */
export function ledgerBalanceMinor(balanceMinor: number, unfolded: number): number {
  return balanceMinor + unfolded;
}

/**
 * The per-account invariant: balance + U = opening + sum of the journal, where the journal is the
 * direct lines plus every credit entry (folded or not).
 */
export function accountInvariantHolds(p: {
  readonly openingMinor: number;
  readonly balanceMinor: number;
  readonly unfoldedMinor: number;
  readonly journalMinor: readonly number[];
}): boolean {
  const journal = p.journalMinor.reduce((sum, a) => sum + a, 0);
  return ledgerBalanceMinor(p.balanceMinor, p.unfoldedMinor) === p.openingMinor + journal;
}

/**
 * The balance change of one fold: the sum of the given unfolded credit entries of `account`.
 * Throws on an entry of another account or currency, a non-positive amount or a payment named
 * twice: a fold adds each credit entry once.
 */
export function foldAmountMinor(
  account: Pick<Account, 'accountId' | 'currency'>,
  credits: readonly JournalEntry[],
): number {
  const seen = new Set<string>();
  let sum = 0;
  for (const c of credits) {
    if (c.accountId !== account.accountId || c.currency !== account.currency) {
      throw new Error(
        `fold: entry ${c.paymentId} is not a credit of ${account.accountId} in ${account.currency}`,
      );
    }
    if (!Number.isSafeInteger(c.amountMinor) || c.amountMinor <= 0) {
      throw new Error(`fold: entry ${c.paymentId} is not a positive integer credit`);
    }
    if (seen.has(c.paymentId)) throw new Error(`fold: entry ${c.paymentId} named twice`);
    seen.add(c.paymentId);
    sum += c.amountMinor;
  }
  return sum;
}

/** The account after a fold of `credits`: balance += their sum, foldSeq and version + 1. */
export function applyFold(account: Account, credits: readonly JournalEntry[]): Account {
  const sum = foldAmountMinor(account, credits);
  return {
    ...account,
    balanceMinor: account.balanceMinor + sum,
    foldSeq: foldSeqOf(account) + 1,
    version: account.version + 1,
  };
}
