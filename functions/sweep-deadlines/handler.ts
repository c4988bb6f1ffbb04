import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { runtimeLogLevel } from '../../shared/observability/middleware';
import { logger, metrics, tracer } from '../../shared/observability/powertools';
import { buildSweepHandler } from '../../shared/wiring/sweep';

/**
 * Deadline sweeper (scheduled every minute): sweeps every SWEEP_INTERVAL_SECONDS until the
 * invocation's time is nearly up (shared/edges/schedule/sweep-loop.ts).
 */
export const handler = middy(buildSweepHandler())
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics))
  .use(runtimeLogLevel());
