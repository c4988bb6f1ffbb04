import { ledgerCommitMarginMs } from '../adapters/aws-clients';
import { isPermanentRequestError } from '../adapters/aws-errors';
import { DynamoLedger } from '../adapters/dynamodb/ledger';
import { DynamoPaymentStore } from '../adapters/dynamodb/payment-store';
import { sqsDeadLetterQueue } from '../adapters/sqs/dead-letters';
import { sqsMessageVisibility } from '../adapters/sqs/visibility';
import { readSettleConfig, type SettleConfig } from '../config/config';
import { systemClock } from '../domain/ports';
import { settleRetryPolicy } from '../domain/retry';
import { createSettleHandler, type SettleBatchHandler } from '../edges/queue/settle-consumer';
import { buildDynamoClients, buildSqsClient } from './data';

/**
 * Composition root of the settle consumer (functions/settle-payment): the ledger and payment
 * store on DynamoDB, the Powertools idempotency table, and an SQS client for two calls only:
 * ChangeMessageVisibility of the failed records (the queue URL is needed for it) and SendMessage
 * of a poison message to the DLQ (the DLQ URL). Built once per container.
 */
export function buildSettleConsumer(config: SettleConfig = readSettleConfig()): SettleBatchHandler {
  const dynamo = buildDynamoClients(config);
  const sqs = buildSqsClient(config);
  const commitMarginMs = ledgerCommitMarginMs(config);
  return createSettleHandler({
    store: new DynamoPaymentStore(dynamo.documents, config.tables.payments),
    ledger: new DynamoLedger(dynamo.documents, config.tables),
    clock: systemClock,
    retry: settleRetryPolicy,
    visibility: sqsMessageVisibility(sqs, config.queues.paymentsUrl),
    deadLetters: sqsDeadLetterQueue(sqs, config.settle.deadLetterQueueUrl),
    isPermanentClientError: isPermanentRequestError,
    commitMarginMs,
    // One SDK call's worst case + the ChangeMessageVisibility call: 2.6 s of the 6 s timeout.
    invocationMarginMs: commitMarginMs + 300,
    maxReceiveCount: config.settle.maxReceiveCount,
    idempotency: { client: dynamo.dynamodb, tableName: config.tables.idempotency },
  });
}
