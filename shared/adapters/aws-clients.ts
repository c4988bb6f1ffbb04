import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from '../config/config';
import { instrumentClients } from './instrumentation';

/**
 * AWS SDK clients, configured from Config. Handlers create them once at module load and reuse
 * them across invocations. Endpoints point at the local stand-ins when configured (local stage).
 */
export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
}

export function createAwsClients(config: Config): AwsClients {
  const dynamodb = new DynamoDBClient({
    region: config.region,
    ...(config.endpoints.dynamodb ? { endpoint: config.endpoints.dynamodb } : {}),
  });
  const documents = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const sqs = new SQSClient({
    region: config.region,
    ...(config.endpoints.sqs ? { endpoint: config.endpoints.sqs } : {}),
  });
  instrumentClients({ dynamodb, sqs });
  return { dynamodb, documents, sqs };
}
