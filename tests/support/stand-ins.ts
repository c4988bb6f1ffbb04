/**
 * The local stand-ins for the integration tests: DynamoDB Local and the fauxqs SQS emulator, started once
 * per jest run by global-setup.ts (in jest's parent process), provisioned from serverless.yml's `local`
 * stage, and described to the test workers through environment variables:
 *
 *   RTP_DYNAMODB_ENDPOINT, RTP_SQS_ENDPOINT   http://127.0.0.1:<random port>
 *   PAYMENTS_TABLE, LEDGER_TABLE, IDEMPOTENCY_TABLE, PAYMENTS_QUEUE_URL, PAYMENTS_DLQ_URL
 *   RTP_TEST_PROVISIONED                      JSON of ProvisionedResources (every table and queue)
 *   AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_REGION   dummy values (never the real chain)
 *
 * The shared tables and queues belong to every test file at once (the SQS emulator lives in the jest
 * parent and is never reset): a test that needs a clean slate creates its own resources with
 * createIsolatedFifoQueue() / createIsolatedTables(), which use unique names.
 */
import { randomBytes } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { localDynamoDbClient, localSqsClient } from '../../tools/local/aws-clients';
import {
  provisionResources,
  resolveCfnString,
  type CfnResource,
  type ProvisionedResources,
} from '../../tools/local/cloudformation';
import { startDynamoDbLocal, type DynamoDbLocalHandle } from '../../tools/local/emulators/dynamodb';
import { startSqsEmulator, type SqsEmulatorHandle } from '../../tools/local/emulators/sqs';
import { loadServerlessConfig, type ResolvedServerlessConfig } from '../../tools/local/serverless-config';

export const STAND_IN_STAGE = 'local';

/**
 * The environment variables global-setup publishes, by name: these, plus every other variable of the
 * stage's environment that names a provisioned table or queue (e.g. PARTNERS_TABLE).
 */
export interface StandInEnv {
  [variable: string]: string;
  RTP_DYNAMODB_ENDPOINT: string;
  RTP_SQS_ENDPOINT: string;
  PAYMENTS_TABLE: string;
  LEDGER_TABLE: string;
  IDEMPOTENCY_TABLE: string;
  PAYMENTS_QUEUE_URL: string;
  PAYMENTS_DLQ_URL: string;
  RTP_TEST_PROVISIONED: string;
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
  AWS_REGION: string;
}

export interface RunningStandIns {
  readonly env: StandInEnv;
  readonly provisioned: ProvisionedResources;
  readonly dynamodb: DynamoDbLocalHandle;
  readonly sqs: SqsEmulatorHandle;
  readonly config: ResolvedServerlessConfig;
  stop(): Promise<void>;
}

/** Start both emulators, provision the stage's resources, and compute the environment to publish. */
export async function startStandIns(): Promise<RunningStandIns> {
  const [dynamodbStart, sqsStart, configLoad] = await Promise.allSettled([
    startDynamoDbLocal(),
    startSqsEmulator(),
    loadServerlessConfig(STAND_IN_STAGE),
  ]);
  const stopStarted = async (): Promise<void> => {
    await Promise.all([
      dynamodbStart.status === 'fulfilled' ? dynamodbStart.value.stop() : undefined,
      sqsStart.status === 'fulfilled' ? sqsStart.value.stop() : undefined,
    ]);
  };
  if (
    dynamodbStart.status === 'rejected' ||
    sqsStart.status === 'rejected' ||
    configLoad.status === 'rejected'
  ) {
    await stopStarted();
    const failure = [dynamodbStart, sqsStart, configLoad].find((result) => result.status === 'rejected');
    throw failure?.status === 'rejected' ? failure.reason : new Error('stand-ins failed to start');
  }
  const dynamodb = dynamodbStart.value;
  const sqs = sqsStart.value;
  const config = configLoad.value;
  try {
    const dynamodbClient = localDynamoDbClient(dynamodb.endpoint);
    const sqsClient = localSqsClient(sqs.endpoint);
    const provisioned = await provisionResources(
      config.resources.Resources,
      { dynamodb: dynamodbClient, sqs: sqsClient },
      { region: config.region, stackName: `${config.service}-${config.stage}` },
    );
    dynamodbClient.destroy();
    sqsClient.destroy();
    return {
      env: computeEnv(config, provisioned, dynamodb.endpoint, sqs.endpoint),
      provisioned,
      dynamodb,
      sqs,
      config,
      stop: stopStarted,
    };
  } catch (error) {
    await stopStarted();
    throw error;
  }
}

/**
 * Map the stage's environment to what was provisioned: every variable whose value is a table name is
 * published (PAYMENTS_TABLE, LEDGER_TABLE... whatever the template grows), every variable whose value ends
 * in `/<queue name>` becomes that queue's real URL, and PAYMENTS_DLQ_URL is the payments queue's
 * RedrivePolicy target. Nothing here repeats a resource name from serverless.yml.
 */
function computeEnv(
  config: ResolvedServerlessConfig,
  provisioned: ProvisionedResources,
  dynamodbEndpoint: string,
  sqsEndpoint: string,
): StandInEnv {
  const resourceEnv: Record<string, string> = {};
  const tables = Object.values(provisioned.tables);
  const queues = Object.entries(provisioned.queues);
  for (const [variable, value] of Object.entries(config.provider.environment)) {
    if (typeof value !== 'string') continue;
    const table = tables.find((candidate) => candidate.name === value);
    if (table !== undefined) resourceEnv[variable] = table.name;
    const queue = queues.find(([, candidate]) => value.endsWith(`/${candidate.name}`));
    if (queue !== undefined) resourceEnv[variable] = queue[1].url;
  }
  const required = (variable: string): string => {
    const value = resourceEnv[variable];
    if (value === undefined) {
      throw new Error(`${variable} of the ${config.stage} stage does not name a provisioned table or queue`);
    }
    return value;
  };
  const paymentsQueueUrl = required('PAYMENTS_QUEUE_URL');
  const [queueLogicalId] = queues.find(([, queue]) => queue.url === paymentsQueueUrl) ?? [];
  const redrive =
    queueLogicalId === undefined
      ? undefined
      : config.resources.Resources[queueLogicalId]?.Properties?.RedrivePolicy;
  const dlqArn =
    typeof redrive === 'object' &&
    redrive !== null &&
    !Array.isArray(redrive) &&
    redrive.deadLetterTargetArn !== undefined
      ? resolveCfnString(redrive.deadLetterTargetArn, provisioned)
      : undefined;
  const dlq = queues.find(([, candidate]) => candidate.arn === dlqArn)?.[1];
  if (dlq === undefined)
    throw new Error(`${queueLogicalId ?? 'The payments queue'} has no provisioned dead-letter queue`);

  return {
    ...resourceEnv,
    RTP_DYNAMODB_ENDPOINT: dynamodbEndpoint,
    RTP_SQS_ENDPOINT: sqsEndpoint,
    PAYMENTS_TABLE: required('PAYMENTS_TABLE'),
    LEDGER_TABLE: required('LEDGER_TABLE'),
    IDEMPOTENCY_TABLE: required('IDEMPOTENCY_TABLE'),
    PAYMENTS_QUEUE_URL: paymentsQueueUrl,
    PAYMENTS_DLQ_URL: dlq.url,
    RTP_TEST_PROVISIONED: JSON.stringify(provisioned),
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_REGION: provisioned.region,
  };
}

// ---------------------------------------------------------------------------------------------------
// For test files (jest workers)

const REQUIRED_ENV = [
  'RTP_DYNAMODB_ENDPOINT',
  'RTP_SQS_ENDPOINT',
  'PAYMENTS_TABLE',
  'LEDGER_TABLE',
  'IDEMPOTENCY_TABLE',
  'PAYMENTS_QUEUE_URL',
  'PAYMENTS_DLQ_URL',
  'RTP_TEST_PROVISIONED',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_REGION',
] as const;

/** The published environment; throws if the global setup did not run. */
export function standInEnv(): StandInEnv {
  const missing = REQUIRED_ENV.filter((name) => !process.env[name]);
  if (missing.length > 0) {
    throw new Error(
      `Stand-in environment missing (${missing.join(', ')}): run the integration tests through jest's ` +
        '`integration` project, whose globalSetup starts DynamoDB Local and the SQS emulator',
    );
  }
  const read = (name: (typeof REQUIRED_ENV)[number]): string => process.env[name] ?? '';
  return {
    RTP_DYNAMODB_ENDPOINT: read('RTP_DYNAMODB_ENDPOINT'),
    RTP_SQS_ENDPOINT: read('RTP_SQS_ENDPOINT'),
    PAYMENTS_TABLE: read('PAYMENTS_TABLE'),
    LEDGER_TABLE: read('LEDGER_TABLE'),
    IDEMPOTENCY_TABLE: read('IDEMPOTENCY_TABLE'),
    PAYMENTS_QUEUE_URL: read('PAYMENTS_QUEUE_URL'),
    PAYMENTS_DLQ_URL: read('PAYMENTS_DLQ_URL'),
    RTP_TEST_PROVISIONED: read('RTP_TEST_PROVISIONED'),
    AWS_ACCESS_KEY_ID: read('AWS_ACCESS_KEY_ID'),
    AWS_SECRET_ACCESS_KEY: read('AWS_SECRET_ACCESS_KEY'),
    AWS_REGION: read('AWS_REGION'),
  };
}

/** The provisioned template resources (from RTP_TEST_PROVISIONED). */
export function provisionedResources(): ProvisionedResources {
  const parsed: unknown = JSON.parse(standInEnv().RTP_TEST_PROVISIONED);
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    !('tables' in parsed) ||
    !('queues' in parsed) ||
    !('region' in parsed)
  ) {
    throw new Error('RTP_TEST_PROVISIONED is not a ProvisionedResources JSON');
  }
  return parsed as ProvisionedResources;
}

let clients: { dynamodb: DynamoDBClient; sqs: SQSClient } | undefined;

/** SDK clients for the stand-ins, shared within a test file; call destroyStandInClients() in afterAll. */
export function standInClients(): { dynamodb: DynamoDBClient; sqs: SQSClient } {
  if (clients === undefined) {
    const env = standInEnv();
    clients = {
      dynamodb: localDynamoDbClient(env.RTP_DYNAMODB_ENDPOINT, { region: env.AWS_REGION }),
      sqs: localSqsClient(env.RTP_SQS_ENDPOINT, { region: env.AWS_REGION }),
    };
  }
  return clients;
}

export function destroyStandInClients(): void {
  clients?.dynamodb.destroy();
  clients?.sqs.destroy();
  clients = undefined;
}

export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

export interface IsolatedFifoQueue {
  readonly queueName: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly dlqName: string;
  readonly dlqUrl: string;
  readonly dlqArn: string;
  /** Delete both queues. */
  remove(): Promise<void>;
}

export interface IsolatedFifoQueueOptions {
  /** Seconds (default 2: keep tests fast). */
  visibilityTimeout?: number;
  /** Receives before the queue moves a message to the DLQ (default 3). */
  maxReceiveCount?: number;
  contentBasedDeduplication?: boolean;
}

/** A uniquely named FIFO queue with its own FIFO dead-letter queue. */
export async function createIsolatedFifoQueue(
  prefix: string,
  opts: IsolatedFifoQueueOptions = {},
): Promise<IsolatedFifoQueue> {
  const { sqs } = standInClients();
  const base = `${prefix.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 40)}-${uniqueSuffix()}`;
  const dlqName = `${base}-dlq.fifo`;
  const queueName = `${base}.fifo`;
  const dlqUrl = await createQueue(sqs, dlqName, { FifoQueue: 'true' });
  const dlqArn = await queueArn(sqs, dlqUrl);
  const queueUrl = await createQueue(sqs, queueName, {
    FifoQueue: 'true',
    ContentBasedDeduplication: String(opts.contentBasedDeduplication ?? false),
    VisibilityTimeout: String(opts.visibilityTimeout ?? 2),
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: dlqArn,
      maxReceiveCount: opts.maxReceiveCount ?? 3,
    }),
  });
  return {
    queueName,
    queueUrl,
    queueArn: await queueArn(sqs, queueUrl),
    dlqName,
    dlqUrl,
    dlqArn,
    remove: async () => {
      await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
      await sqs.send(new DeleteQueueCommand({ QueueUrl: dlqUrl }));
    },
  };
}

async function createQueue(
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (QueueUrl === undefined) throw new Error(`CreateQueue ${name} returned no URL`);
  return QueueUrl;
}

async function queueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  if (Attributes?.QueueArn === undefined) throw new Error(`No QueueArn for ${queueUrl}`);
  return Attributes.QueueArn;
}

export interface IsolatedTables {
  readonly suffix: string;
  /** By CloudFormation logical id. */
  readonly tables: ProvisionedResources['tables'];
  /** The table environment variables of the stage (PAYMENTS_TABLE...) pointing at the copies. */
  readonly env: Readonly<Record<string, string>>;
  /** Delete the copies. */
  remove(): Promise<void>;
}

/**
 * Copies of every AWS::DynamoDB::Table of the template (same keys, indexes, TTL...), named
 * `<template name>-<unique suffix>`, provisioned through the same code as the shared ones.
 */
export async function createIsolatedTables(): Promise<IsolatedTables> {
  const config = await loadServerlessConfig(STAND_IN_STAGE);
  const suffix = uniqueSuffix();
  const copies: Record<string, CfnResource> = {};
  const renamed = new Map<string, string>();
  for (const [logicalId, resource] of Object.entries(config.resources.Resources)) {
    if (resource.Type !== 'AWS::DynamoDB::Table') continue;
    const original = resource.Properties?.TableName;
    if (typeof original !== 'string') throw new Error(`${logicalId} has no literal TableName to copy`);
    const copyName = `${original}-${suffix}`;
    renamed.set(original, copyName);
    copies[logicalId] = { ...resource, Properties: { ...resource.Properties, TableName: copyName } };
  }
  const { dynamodb, sqs } = standInClients();
  const provisioned = await provisionResources(copies, { dynamodb, sqs }, { region: config.region });
  const env: Record<string, string> = {};
  for (const [variable, value] of Object.entries(config.provider.environment)) {
    const copy = typeof value === 'string' ? renamed.get(value) : undefined;
    if (copy !== undefined) env[variable] = copy;
  }
  return {
    suffix,
    tables: provisioned.tables,
    env,
    remove: async () => {
      await Promise.all(
        Object.values(provisioned.tables).map((table) =>
          dynamodb.send(new DeleteTableCommand({ TableName: table.name })),
        ),
      );
    },
  };
}

/** Poll a condition instead of sleeping a fixed time: resolves as soon as it holds, fails after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  {
    timeoutMs = 10_000,
    intervalMs = 25,
    what = 'condition',
  }: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Creates an on-demand table keyed `pk` (hash) + `sk` (range), the project's item layout. */
export async function createPkSkTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
}
