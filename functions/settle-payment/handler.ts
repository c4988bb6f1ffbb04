import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { runtimeLogLevel } from '../../shared/observability/middleware';
import { logger, metrics, tracer } from '../../shared/observability/powertools';
import { buildSettleConsumer } from '../../shared/wiring/settle';

/** Settle: the SQS FIFO consumer (shared/edges/queue/settle-consumer.ts, wired in shared/wiring/settle.ts). */
export const handler = middy(buildSettleConsumer())
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics))
  .use(runtimeLogLevel());
