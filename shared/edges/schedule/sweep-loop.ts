import type { Context } from 'aws-lambda';
import { sweepPastDeadline, type SweepResult } from '../../app/sweep';
import type { Clock, PaymentStore } from '../../domain/ports';
import { pipelineMetrics } from '../../observability/metrics';
import { logger } from '../../observability/powertools';

/**
 * The deadline sweeper's schedule edge. EventBridge cannot schedule more often than once a
 * minute, and a stuck payment must be terminal within the 15 s SLA, so one invocation sweeps
 * every `intervalMs` (SWEEP_INTERVAL_SECONDS) until its time is nearly up. Overlapping
 * invocations are harmless: every rejection is a conditional write.
 */
export interface SweepLoopDeps {
  readonly store: PaymentStore;
  readonly clock: Clock;
  readonly intervalMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface SweepRun {
  readonly sweeps: number;
  readonly rejected: number;
  readonly failed: number;
}

/** Payments read per pass; a full pass that made progress is followed by another at once. */
const SWEEP_LIMIT = 200;
/** Time kept at the end of the invocation. */
const END_MARGIN_MS = 2_000;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Sweeps until `remainingMs()` is nearly spent; logs each pass, emits the totals once. */
export function createSweepLoop(deps: SweepLoopDeps): (remainingMs: () => number) => Promise<SweepRun> {
  const sleep = deps.sleep ?? realSleep;
  return async (remainingMs) => {
    let sweeps = 0;
    let rejected = 0;
    let failed = 0;
    do {
      const result = await sweepPastDeadline(
        { store: deps.store, clock: deps.clock },
        { limit: SWEEP_LIMIT },
      );
      sweeps++;
      rejected += result.rejected.length;
      failed += result.failed.length;
      logPass(result);
      // A backlog: sweep again at once, unless this pass made no progress (only failures).
      if (result.found >= SWEEP_LIMIT && result.rejected.length > 0) continue;
      if (remainingMs() < deps.intervalMs + END_MARGIN_MS) break;
      await sleep(deps.intervalMs);
    } while (remainingMs() > END_MARGIN_MS);
    pipelineMetrics.paymentsTimedOut(rejected);
    pipelineMetrics.sweepFailures(failed);
    return { sweeps, rejected, failed };
  };
}

function logPass(result: SweepResult): void {
  if (result.rejected.length > 0) {
    logger.warn('payments timed out before settlement', { paymentIds: result.rejected });
  }
  for (const failure of result.failed) {
    // The payment id and the error class only: no message text, no item, no account numbers.
    logger.error('sweeper could not reject a payment past its deadline', {
      paymentId: failure.paymentId,
      errorName: failure.errorName,
    });
  }
}

/** The scheduled Lambda's handler: the loop, given the invocation's remaining time. */
export function scheduledSweepHandler(
  loop: (remainingMs: () => number) => Promise<SweepRun>,
): (event: unknown, context: Context) => Promise<SweepRun> {
  return (_event, context) => loop(() => context.getRemainingTimeInMillis());
}
