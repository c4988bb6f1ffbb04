/**
 * When a settlement record failed (a batch item failure), how soon the queue should hand it back.
 *
 * Left alone, a failed record and every later record of its message group return only after the
 * queue's visibility timeout (36 s), past the 15 s SLA. The settle consumer therefore sets their
 * visibility (ChangeMessageVisibility) to a short exponential backoff with jitter: about 1, 2, 4 s
 * for the 1st, 2nd, 3rd+ receive, never later than the last moment a retry can still settle the
 * payment before its deadline, so a payment is never left waiting past the point where it could
 * have settled.
 */
export interface RetryVisibilityPolicy {
  /** Backoff cap of the first receive, in seconds (doubles per receive). */
  readonly baseSeconds: number;
  readonly maxSeconds: number;
}

export const defaultRetryVisibilityPolicy: RetryVisibilityPolicy = { baseSeconds: 1, maxSeconds: 4 };

export interface RetryVisibilityInput {
  /** ApproximateReceiveCount of the failed record (1 on its first delivery). */
  readonly receiveCount: number;
  readonly nowMs: number;
  /** The payment's deadline (undefined when the message cannot be read: no deadline to honour). */
  readonly deadlineMs?: number;
  /** How long before the deadline the last attempt must be sent (settle.ts's commit margin). */
  readonly commitMarginMs: number;
  /** Uniform in [0, 1). */
  readonly random: () => number;
}

/** Seconds of visibility (an integer >= 0, as ChangeMessageVisibility takes). */
export function retryVisibilitySeconds(input: RetryVisibilityInput, policy: RetryVisibilityPolicy): number {
  const attempt = Math.max(1, Math.floor(input.receiveCount));
  const cap = Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** (attempt - 1));
  // "Equal jitter": between half the cap and the cap, whole seconds, at least 1 s.
  const backoff = Math.max(1, Math.ceil(cap * (0.5 + input.random() / 2)));
  if (input.deadlineMs === undefined) return backoff;
  const lastUsefulMs = input.deadlineMs - input.commitMarginMs - input.nowMs;
  // Past the point where a retry could settle: the next delivery only records the AB06
  // rejection, which is not urgent; keep the backoff so a failing store is not hammered.
  if (lastUsefulMs <= 0) return backoff;
  return Math.min(backoff, Math.floor(lastUsefulMs / 1000));
}
