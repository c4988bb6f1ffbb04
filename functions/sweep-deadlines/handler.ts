import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { getConfig } from '../../shared/config/config';
import { systemClock } from '../../shared/domain/ports';
import { sweepPastDeadline } from '../../shared/app/sweep';
import { pipelineMetrics } from '../../shared/observability/metrics';
import { runtimeLogLevel } from '../../shared/observability/middleware';
import { logger, metrics, tracer } from '../../shared/observability/powertools';
import { buildDataAdapters } from '../../shared/wiring/data';

/**
 * Deadline sweeper (scheduled every minute). EventBridge cannot schedule more often than once a
 * minute, and a stuck payment must be terminal within the 15 s SLA, so one invocation sweeps
 * every SWEEP_INTERVAL_SECONDS until its time is nearly up. Overlapping invocations are harmless:
 * every rejection is a conditional write.
 */
const config = getConfig();
const data = buildDataAdapters(config);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const handler = middy(async (_event: unknown, context: Context) => {
  const intervalMs = config.sweep.intervalSeconds * 1000;
  let sweeps = 0;
  let rejected = 0;
  let failed = 0;
  do {
    const result = await sweepPastDeadline({ store: data.payments, clock: systemClock }, { limit: 200 });
    sweeps++;
    rejected += result.rejected.length;
    failed += result.failed.length;
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
    // A backlog: sweep again at once, unless this pass made no progress (only failures).
    if (result.found >= 200 && result.rejected.length > 0) continue;
    if (context.getRemainingTimeInMillis() < intervalMs + 2_000) break;
    await sleep(intervalMs);
  } while (context.getRemainingTimeInMillis() > 2_000);
  pipelineMetrics.paymentsTimedOut(rejected);
  pipelineMetrics.sweepFailures(failed);
  return { sweeps, rejected, failed };
})
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics))
  .use(runtimeLogLevel());
