import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';

/**
 * A seam for tools that must see or shape every AWS call the service makes, without touching
 * the service code: the benchmark's request and capacity counters, the chaos tests' injected
 * throttling and conflicts. Each registered instrumentation is applied to every client that
 * createAwsClients() (createDynamoClients(), createSqsClient()) builds afterwards (typically by adding SDK middleware to `client.middlewareStack`).
 *
 * Nothing registers one in Lambda: there this costs one empty loop per cold start.
 */
export interface ClientInstrumentation {
  dynamodb?(client: DynamoDBClient): void;
  sqs?(client: SQSClient): void;
}

const registered: ClientInstrumentation[] = [];

/** Registers an instrumentation; returns a function that unregisters it (for clients built later). */
export function registerClientInstrumentation(instrumentation: ClientInstrumentation): () => void {
  registered.push(instrumentation);
  return () => {
    const index = registered.indexOf(instrumentation);
    if (index >= 0) registered.splice(index, 1);
  };
}

export function instrumentClients(clients: { dynamodb?: DynamoDBClient; sqs?: SQSClient }): void {
  for (const instrumentation of registered) {
    if (clients.dynamodb) instrumentation.dynamodb?.(clients.dynamodb);
    if (clients.sqs) instrumentation.sqs?.(clients.sqs);
  }
}
