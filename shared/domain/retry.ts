import { TransientError } from './errors';

export interface RetryPolicy {
  /** Attempts in total, including the first. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export interface RetryEnv {
  readonly sleep: (ms: number) => Promise<void>;
  /** Uniform in [0, 1). Injected so tests are deterministic. */
  readonly random: () => number;
  /** Time budget left (e.g. the Lambda's remaining time minus a margin); retries stop before it. */
  readonly remainingMs?: () => number;
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 6, baseDelayMs: 20, maxDelayMs: 400 };

/**
 * Settlement: no fixed attempt budget. Conflicts on a hot account are retried for as long as the
 * payment's deadline and the invocation's remaining time allow (settle.ts bounds both through
 * `remainingMs`); the count is unbounded, so withRetry requires a time budget with it.
 */
export const settleRetryPolicy: RetryPolicy = {
  maxAttempts: Number.POSITIVE_INFINITY,
  baseDelayMs: 20,
  maxDelayMs: 400,
};

export const realRetryEnv: RetryEnv = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/**
 * Runs `op`, retrying TransientError with exponential backoff and full jitter
 * (delay = random(0, min(max, base * 2^n))). Any other error, or running out of attempts or
 * time, propagates: the caller (the queue) then redelivers the message later.
 */
export async function withRetry<T>(
  op: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  env: RetryEnv,
): Promise<T> {
  if (!Number.isFinite(policy.maxAttempts) && env.remainingMs === undefined) {
    throw new RangeError('an unbounded number of attempts needs a time budget (RetryEnv.remainingMs)');
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await op(attempt);
    } catch (error) {
      if (!(error instanceof TransientError) || attempt >= policy.maxAttempts) throw error;
      const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      const delay = Math.floor(env.random() * cap);
      if (env.remainingMs && env.remainingMs() <= delay) throw error;
      await env.sleep(delay);
    }
  }
}
