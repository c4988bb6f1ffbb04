import type { Rejection } from '../domain/payment';
import type { Clock, PaymentStore } from '../domain/ports';

export const SWEEP_REJECTION: Rejection = {
  code: 'AB05',
  message: 'payment was not settled before its deadline (timed out in the pipeline)',
};

export interface SweepFailure {
  readonly paymentId: string;
  /** The error's class name (`TransientError`, `InternalError`, ...): never its data. */
  readonly errorName: string;
  readonly error: unknown;
}

export interface SweepResult {
  readonly found: number;
  /** Rejected by this sweep (the settler did not get there first). */
  readonly rejected: string[];
  /** Payments whose reject threw: the pass went on with the others; the next pass retries them. */
  readonly failed: SweepFailure[];
}

/**
 * One pass of the deadline sweeper: every payment still RECEIVED or ACCEPTED after its deadline
 * (its message stuck, in the dead-letter queue, or never enqueued) is rejected with a time-out
 * reason, so every accepted payment reaches a terminal status within the SLA.
 *
 * The reject is conditional on the payment still being open AND past its deadline, and the
 * settle transaction is conditional on the payment being open AND before its deadline: of a
 * sweeper and a settler racing for one payment, exactly one wins.
 *
 * One payment whose reject throws (throttling, a corrupt item, a bug) does not end the pass: it
 * is reported in `failed` (id and error name only) and the rest are still swept. It stays open
 * and past its deadline, so the next pass tries it again. Only the query itself failing throws.
 */
export async function sweepPastDeadline(
  deps: { readonly store: PaymentStore; readonly clock: Clock },
  options: { readonly limit: number },
): Promise<SweepResult> {
  const now = deps.clock.now();
  const ids = await deps.store.findPastDeadline(now, options.limit);
  const at = new Date(now).toISOString();
  const rejected: string[] = [];
  const failed: SweepFailure[] = [];
  for (const paymentId of ids) {
    try {
      const outcome = await deps.store.reject(paymentId, SWEEP_REJECTION, at, { onlyIfPastDeadline: true });
      if (outcome.applied) rejected.push(paymentId);
    } catch (error) {
      failed.push({ paymentId, errorName: error instanceof Error ? error.name : typeof error, error });
    }
  }
  return { found: ids.length, rejected, failed };
}
