import { TransientError } from '../domain/errors';
import { MAX_FOLD_BATCH, type Clock, type CreditFolds } from '../domain/ports';
import { withRetry, type RetryEnv, type RetryPolicy } from '../domain/retry';

export interface FoldDeps {
  readonly folds: CreditFolds;
  readonly clock: Clock;
  /** Retries of each read and of the fold transaction (conflicts with the account's own debits). */
  readonly retry: RetryPolicy;
  readonly retryEnv: RetryEnv;
}

export interface FoldResult {
  readonly accountId: string;
  /** Credit entries this call folded (0: nothing was unfolded, or another folder got them). */
  readonly folded: number;
  readonly foldedMinor: number;
  /** The account's foldSeq after this call's fold, when it committed one. */
  readonly foldSeq?: number;
  /** Rounds lost to another folder (foldSeq moved) or to entries found already marked. */
  readonly lostRounds: number;
}

/** Rounds lost to other folders before a call gives up (TransientError: the trigger is retried). */
export const MAX_FOLD_ROUNDS = 8;

/**
 * Folds up to `limit` unfolded credit entries of one INBOUND account into its balance, in ONE
 * transaction (docs/design/hot-accounts-and-regions.md §4.3, steps 2-6; the trigger that calls
 * it is step 4). Safe to run any number of times, concurrently and after a crash at any point:
 * - the transaction is all or nothing: a crash before it leaves nothing written, a crash after it
 *   leaves the marks, so the next run does not find those entries unfolded;
 * - each entry's fold mark is put only if absent, in the same transaction as the balance change,
 *   so no entry is counted twice, whatever the interleaving;
 * - the account update is conditional on the foldSeq read: a second folder finds it moved,
 *   re-reads and retries (or finds nothing left), and never overwrites the first one's fold;
 * - a debit of the account in between is not lost: the fold adds to the balance, it does not set it
 *   (a conflict with that debit's transaction is retried).
 * The amounts come from the entry items, never from the caller.
 */
export async function foldCredits(
  accountId: string,
  deps: FoldDeps,
  limit: number = MAX_FOLD_BATCH,
): Promise<FoldResult> {
  const batch = Math.max(1, Math.min(MAX_FOLD_BATCH, Math.floor(limit)));
  const retried = <T>(op: () => Promise<T>) => withRetry(op, deps.retry, deps.retryEnv);
  let lostRounds = 0;
  for (let round = 0; round < MAX_FOLD_ROUNDS; round++) {
    const account = await retried(() => deps.folds.getAccount(accountId));
    if (!account) return { accountId, folded: 0, foldedMinor: 0, lostRounds };
    const credits = await retried(() => deps.folds.unfoldedCredits(accountId, batch));
    if (credits.length === 0) return { accountId, folded: 0, foldedMinor: 0, lostRounds };
    // One `at` per round: retries of this transaction are identical requests.
    const at = new Date(deps.clock.now()).toISOString();
    const outcome = await retried(() => deps.folds.commitFold(account, credits, at));
    switch (outcome.kind) {
      case 'folded':
        return {
          accountId,
          folded: credits.length,
          foldedMinor: credits.reduce((sum, c) => sum + c.amountMinor, 0),
          foldSeq: outcome.foldSeq,
          lostRounds,
        };
      case 'no-account':
        return { accountId, folded: 0, foldedMinor: 0, lostRounds };
      case 'seq-moved':
      case 'already-folded':
        lostRounds++;
    }
  }
  throw new TransientError(`fold ${accountId}: lost ${lostRounds} rounds to other folders`);
}
