import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { CoreConfig } from '../config/config';
import { instrumentClients } from './instrumentation';

/**
 * AWS SDK clients, configured from the config's core section (CoreConfig). Handlers create them once at module load and reuse
 * them across invocations. Endpoints point at the local stand-ins when configured (local stage).
 *
 * Timeouts (defaults in config.ts), chosen against the 6 s settle Lambda timeout and the 15 s SLA.
 * The SDK's own defaults are no connection or request timeout at all and 3 attempts: one stuck
 * socket would hold an invocation until Lambda kills it, and a batch that times out returns only
 * after the queue's visibility timeout.
 *  - connectionTimeout 300 ms: a TCP + TLS handshake inside a Region takes a few ms; connections
 *    are kept alive, so this is rare and a slow one is better retried.
 *  - DynamoDB requestTimeout 800 ms (socket idle time), 2 attempts: single-item and transaction
 *    calls answer in milliseconds; a call then costs at most 2 x (0.3 + 0.8) s + the SDK's backoff
 *    (~0.1 s) = 2.3 s, well inside 6 s. settle.ts sends no transaction later than that worst case
 *    before the payment's deadline (ledgerCommitMarginMs), so none commits after it. Conflicts are
 *    retried by our own loop (shared/domain/retry.ts), which restamps each attempt.
 *  - SQS requestTimeout 2 s, 3 attempts: SendMessage answers in milliseconds, but the DLQ redrive
 *    long-polls for 1 s (shared/adapters/sqs/redrive.ts); the settle consumer's
 *    ChangeMessageVisibility is best effort.
 * requestTimeout only cuts a request with `throwOnRequestTimeout` (@smithy/node-http-handler 4.x
 * otherwise just logs a warning): on by default (RTP_SDK_THROW_ON_REQUEST_TIMEOUT).
 * DynamoDB Local is slower than 800 ms under load here (~100-270 ops/s on 2 cores; the chaos suite
 * sees it): the integration tests run with RTP_SDK_THROW_ON_REQUEST_TIMEOUT=false
 * (tests/support/config.ts), and a loaded local stack can do the same or raise
 * RTP_DYNAMODB_REQUEST_TIMEOUT_MS; the production defaults stay as they are.
 */
export interface DynamoClients {
  readonly dynamodb: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
}

export interface AwsClients extends DynamoClients {
  readonly sqs: SQSClient;
}

/** The DynamoDB client and its document client (a function that needs no queue builds only these). */
export function createDynamoClients(config: CoreConfig): DynamoClients {
  const { sdk } = config;
  const dynamodb = new DynamoDBClient({
    region: config.region,
    maxAttempts: sdk.dynamodb.maxAttempts,
    // The options of the default Node.js handler (NodeHttpHandler), given as an object.
    requestHandler: {
      connectionTimeout: sdk.connectionTimeoutMs,
      requestTimeout: sdk.dynamodb.requestTimeoutMs,
      throwOnRequestTimeout: sdk.throwOnRequestTimeout,
    },
    ...(config.endpoints.dynamodb ? { endpoint: config.endpoints.dynamodb } : {}),
  });
  const documents = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
  });
  instrumentClients({ dynamodb });
  return { dynamodb, documents };
}

export function createSqsClient(config: CoreConfig): SQSClient {
  const { sdk } = config;
  const sqs = new SQSClient({
    region: config.region,
    maxAttempts: sdk.sqs.maxAttempts,
    requestHandler: {
      connectionTimeout: sdk.connectionTimeoutMs,
      requestTimeout: sdk.sqs.requestTimeoutMs,
      throwOnRequestTimeout: sdk.throwOnRequestTimeout,
    },
    ...(config.endpoints.sqs ? { endpoint: config.endpoints.sqs } : {}),
  });
  instrumentClients({ sqs });
  return sqs;
}

export function createAwsClients(config: CoreConfig): AwsClients {
  return { ...createDynamoClients(config), sqs: createSqsClient(config) };
}

/**
 * The longest a ledger transaction can take from the moment settle.ts stamps it until it may
 * commit: every SDK attempt's connection and request timeouts, plus the SDK's retry backoff.
 */
export function ledgerCommitMarginMs(config: Pick<CoreConfig, 'sdk'>): number {
  const { sdk } = config;
  return sdk.dynamodb.maxAttempts * (sdk.connectionTimeoutMs + sdk.dynamodb.requestTimeoutMs) + 100;
}
