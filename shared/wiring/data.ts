import { createAwsClients, type AwsClients } from '../adapters/aws-clients';
import { DynamoLedger } from '../adapters/dynamodb/ledger';
import { DynamoPaymentStore } from '../adapters/dynamodb/payment-store';
import { SqsPaymentQueue } from '../adapters/sqs/payment-queue';
import type { Config } from '../config/config';
import { tracer } from '../observability/powertools';

/**
 * Composition root for the data adapters. Handlers call it once at module load (cold start);
 * SDK clients are then reused across invocations. Nothing here runs per request.
 */
export interface DataAdapters {
  readonly clients: AwsClients;
  readonly payments: DynamoPaymentStore;
  readonly ledger: DynamoLedger;
  readonly queue: SqsPaymentQueue;
}

export function buildDataAdapters(config: Config): DataAdapters {
  const clients = createAwsClients(config);
  tracer.captureAWSv3Client(clients.dynamodb);
  tracer.captureAWSv3Client(clients.sqs);
  return {
    clients,
    payments: new DynamoPaymentStore(clients.documents, config.tables.payments),
    ledger: new DynamoLedger(clients.documents, config.tables),
    queue: new SqsPaymentQueue(clients.sqs, config.queues.paymentsUrl),
  };
}
