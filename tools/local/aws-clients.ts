/**
 * SDK v3 clients pointed at the local stand-ins, with dummy credentials (never the default chain, which
 * would probe the EC2 metadata address) and region us-east-1.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';

export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

export interface LocalClientOptions {
  region?: string;
}

export function localDynamoDbClient(endpoint: string, opts: LocalClientOptions = {}): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: opts.region ?? 'us-east-1', credentials: LOCAL_CREDENTIALS });
}

export function localSqsClient(endpoint: string, opts: LocalClientOptions = {}): SQSClient {
  return new SQSClient({ endpoint, region: opts.region ?? 'us-east-1', credentials: LOCAL_CREDENTIALS });
}
