import type { Rejection } from './payment';
import type { Clock, PaymentStore } from './ports';

export const SWEEP_REJECTION: Rejection = {
  code: 'AB05',
  message: 'payment was not settled before its deadline (timed out in the pipeline)',
};

export interface SweepResult {
  readonly found: number;
  /** Rejected by this sweep (the settler did not get there first). */
  readonly rejected: string[];
}

/**
 * One pass of the deadline sweeper: every payment still RECEIVED or ACCEPTED after its deadline
 * (its message stuck, in the dead-letter queue, or never enqueued) is rejected with a time-out
 * reason, so every accepted payment reaches a terminal status within the SLA.
 *
 * The reject is conditional on the payment still being open AND past its deadline, and the
 * settle transaction is conditional on the payment being open AND before its deadline: of a
 * sweeper and a settler racing for one payment, exactly one wins.
 */
export async function sweepPastDeadline(
  deps: { readonly store: PaymentStore; readonly clock: Clock },
  options: { readonly limit: number },
): Promise<SweepResult> {
  const now = deps.clock.now();
  const ids = await deps.store.findPastDeadline(now, options.limit);
  const at = new Date(now).toISOString();
  const rejected: string[] = [];
  for (const paymentId of ids) {
    const outcome = await deps.store.reject(paymentId, SWEEP_REJECTION, at, { onlyIfPastDeadline: true });
    if (outcome.applied) rejected.push(paymentId);
  }
  return { found: ids.length, rejected };
}
