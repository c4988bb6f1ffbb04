import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { SqsFifoPartialProcessorAsync, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { getConfig } from '../../shared/config/config';
import { createAwsClients } from '../../shared/adapters/aws-clients';
import { DynamoLedger } from '../../shared/adapters/dynamodb/ledger';
import { DynamoPaymentStore } from '../../shared/adapters/dynamodb/payment-store';
import { parseSettlementMessage } from '../../shared/adapters/sqs/settlement-message';
import { systemClock } from '../../shared/domain/ports';
import { defaultRetryPolicy, realRetryEnv } from '../../shared/domain/retry';
import { settlePayment } from '../../shared/domain/settle';
import type { SettlementMessage } from '../../shared/domain/payment';
import { logger, metrics, tracer } from '../../shared/observability/powertools';

/**
 * Settle: SQS FIFO consumer. Each record is settled at most once (Powertools idempotency keyed
 * on the payment id, with the ledger transaction's conditions as the final guard). A failed
 * record and the later records of its message group are reported as batch item failures;
 * other groups carry on (skipGroupOnError).
 */
const config = getConfig();
const clients = createAwsClients(config);
tracer.captureAWSv3Client(clients.dynamodb);
const store = new DynamoPaymentStore(clients.documents, config.tables.payments);
const ledger = new DynamoLedger(clients.documents, config.tables);

let remainingMs: () => number = () => Number.POSITIVE_INFINITY;
const deps = {
  ledger,
  store,
  clock: systemClock,
  retry: defaultRetryPolicy,
  // Keep a 500 ms margin so a retry never runs into the Lambda time-out.
  retryEnv: { ...realRetryEnv, remainingMs: () => remainingMs() - 500 },
};

const idempotencyConfig = new IdempotencyConfig({
  eventKeyJmesPath: 'paymentId',
  throwOnNoIdempotencyKey: true,
  expiresAfterSeconds: 3600,
});
const settleOnce = makeIdempotent((message: SettlementMessage) => settlePayment(message, deps), {
  persistenceStore: new DynamoDBPersistenceLayer({
    tableName: config.tables.idempotency,
    awsSdkV3Client: clients.dynamodb,
  }),
  config: idempotencyConfig,
});

async function settleRecord(record: SQSRecord) {
  const message = parseSettlementMessage(record.body);
  logger.appendKeys({ paymentId: message.paymentId, partnerId: message.partnerId, endToEndId: message.endToEndId });
  try {
    const result = await settleOnce(message);
    metrics.addMetric(result.status === 'SETTLED' ? 'PaymentsSettled' : 'PaymentsRejected', MetricUnit.Count, 1);
    logger.info('payment settled', { status: result.status, reasonCode: result.reasonCode, replay: result.replay });
    return result;
  } finally {
    logger.removeKeys(['paymentId', 'partnerId', 'endToEndId']);
  }
}

const processor = new SqsFifoPartialProcessorAsync();

export const handler = middy(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  idempotencyConfig.registerLambdaContext(context);
  remainingMs = () => context.getRemainingTimeInMillis();
  return processPartialResponse(event, settleRecord, processor, { context, skipGroupOnError: true });
})
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics));
