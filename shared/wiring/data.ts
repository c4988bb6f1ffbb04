import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  createDynamoClients,
  createSqsClient,
  type AwsClients,
  type DynamoClients,
} from '../adapters/aws-clients';
import { DynamoLedger } from '../adapters/dynamodb/ledger';
import { DynamoPaymentStore } from '../adapters/dynamodb/payment-store';
import { SqsPaymentQueue } from '../adapters/sqs/payment-queue';
import type { Config, CoreConfig } from '../config/config';
import { tracer } from '../observability/powertools';

/**
 * Composition root for the data adapters. Handlers call it once at module load (cold start);
 * SDK clients are then reused across invocations. Nothing here runs per request. Each function
 * builds only the clients it uses: `buildDynamoClients` / `buildSqsClient` (traced), or
 * `buildDataAdapters` for all of them.
 */
export interface DataAdapters {
  readonly clients: AwsClients;
  readonly payments: DynamoPaymentStore;
  readonly ledger: DynamoLedger;
  readonly queue: SqsPaymentQueue;
}

export function buildDynamoClients(config: CoreConfig): DynamoClients {
  const clients = createDynamoClients(config);
  tracer.captureAWSv3Client(clients.dynamodb);
  return clients;
}

export function buildSqsClient(config: CoreConfig): SQSClient {
  const sqs = createSqsClient(config);
  tracer.captureAWSv3Client(sqs);
  return sqs;
}

export function buildDataAdapters(config: Config): DataAdapters {
  const clients = { ...buildDynamoClients(config), sqs: buildSqsClient(config) };
  return {
    clients,
    payments: new DynamoPaymentStore(clients.documents, config.tables.payments),
    ledger: new DynamoLedger(clients.documents, config.tables),
    queue: new SqsPaymentQueue(clients.sqs, config.queues.paymentsUrl),
  };
}
