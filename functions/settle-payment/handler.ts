import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { getConfig } from '../../shared/config/config';
import { systemClock } from '../../shared/domain/ports';
import { settleRetryPolicy } from '../../shared/domain/retry';
import { ledgerCommitMarginMs } from '../../shared/adapters/aws-clients';
import { sqsMessageVisibility } from '../../shared/adapters/sqs/visibility';
import { runtimeLogLevel } from '../../shared/observability/middleware';
import { logger, metrics, tracer } from '../../shared/observability/powertools';
import { buildDataAdapters } from '../../shared/wiring/data';
import { createSettleHandler } from '../../shared/edges/queue/settle-consumer';

/** Settle: the SQS FIFO consumer (logic in settle-consumer.ts; this file only wires). */
const config = getConfig();
const data = buildDataAdapters(config);

export const handler = middy(
  createSettleHandler({
    store: data.payments,
    ledger: data.ledger,
    clock: systemClock,
    retry: settleRetryPolicy,
    visibility: sqsMessageVisibility(data.clients.sqs, config.queues.paymentsUrl),
    commitMarginMs: ledgerCommitMarginMs(config),
    // One SDK call's worst case + the ChangeMessageVisibility call: 2.6 s of the 6 s timeout.
    invocationMarginMs: ledgerCommitMarginMs(config) + 300,
    maxReceiveCount: config.settle.maxReceiveCount,
    idempotency: { client: data.clients.dynamodb, tableName: config.tables.idempotency },
  }),
)
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics))
  .use(runtimeLogLevel());
