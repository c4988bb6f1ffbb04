/**
 * Creates the template's own DynamoDB tables and SQS queues on the local stand-ins (DynamoDB Local,
 * fauxqs), from serverless.yml's `resources.Resources` as `sls print` resolved them: there is no
 * hand-kept copy of the table or queue definitions anywhere else.
 *
 * What it does like CloudFormation: resources are created in dependency order (Ref / Fn::GetAtt /
 * Fn::Sub / DependsOn), intrinsics are resolved against what was created (e.g. a RedrivePolicy's
 * `Fn::GetAtt [DLQ, Arn]`), a missing TableName/QueueName gets a generated `<stack>-<LogicalId>-<hash>`.
 * Every other resource type (IAM roles, alarms, log groups...) is skipped.
 *
 * Where it differs: it is idempotent rather than transactional: a table or queue that already exists is
 * reused (its key schema is checked, queue attributes that differ from the template are updated) or, with
 * `reset`, deleted and recreated; there is no rollback. Properties the emulators cannot honour are ignored
 * (listed in IGNORED_*_PROPERTIES: encryption, point-in-time recovery, deletion protection, tags on
 * tables, KMS on queues...); unknown properties are reported through the logger, never silently dropped.
 */
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  type LocalSecondaryIndex,
  type Projection,
  type ProvisionedThroughput,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { createHash } from 'node:crypto';
import {
  CfnResolutionError,
  referencedLogicalIds,
  resolveCfnValue,
  type ProvisionedQueue,
  type ProvisionedResources,
  type ProvisionedTable,
  type ResolvedValue,
} from './cfn-intrinsics';
import type { Logger } from './logger';
import type { CfnResource, CfnValue } from './serverless-config';

export { resolveCfnString, resolveCfnValue } from './cfn-intrinsics';
export type { ProvisionedQueue, ProvisionedResources, ProvisionedTable } from './cfn-intrinsics';
export type { CfnResource } from './serverless-config';

export interface ProvisionClients {
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
}

export interface ProvisionOptions {
  region?: string;
  accountId?: string;
  /** Used for generated names and `AWS::StackName` (serverless: `<service>-<stage>`). */
  stackName?: string;
  /** Delete and recreate tables and queues that already exist. */
  reset?: boolean;
  logger?: Logger;
}

export class CfnTemplateError extends Error {
  override readonly name = 'CfnTemplateError';
}

const TABLE = 'AWS::DynamoDB::Table';
const QUEUE = 'AWS::SQS::Queue';

const USED_TABLE_PROPERTIES = new Set([
  'TableName',
  'KeySchema',
  'AttributeDefinitions',
  'BillingMode',
  'ProvisionedThroughput',
  'GlobalSecondaryIndexes',
  'LocalSecondaryIndexes',
  'StreamSpecification',
  'TimeToLiveSpecification',
]);
const IGNORED_TABLE_PROPERTIES = new Set([
  'SSESpecification',
  'PointInTimeRecoverySpecification',
  'DeletionProtectionEnabled',
  'Tags',
  'ContributorInsightsSpecification',
  'KinesisStreamSpecification',
  'TableClass',
  'ResourcePolicy',
  'OnDemandThroughput',
  'WarmThroughput',
  'ImportSourceSpecification',
]);
/** CloudFormation property -> SQS attribute, for the attributes that are plain numbers/strings/booleans. */
const SCALAR_QUEUE_ATTRIBUTES: Readonly<Record<string, string>> = {
  ContentBasedDeduplication: 'ContentBasedDeduplication',
  DeduplicationScope: 'DeduplicationScope',
  FifoThroughputLimit: 'FifoThroughputLimit',
  VisibilityTimeout: 'VisibilityTimeout',
  MessageRetentionPeriod: 'MessageRetentionPeriod',
  DelaySeconds: 'DelaySeconds',
  ReceiveMessageWaitTimeSeconds: 'ReceiveMessageWaitTimeSeconds',
  MaximumMessageSize: 'MaximumMessageSize',
};
const IGNORED_QUEUE_PROPERTIES = new Set([
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
]);

type Tables = Record<string, ProvisionedTable>;
type Queues = Record<string, ProvisionedQueue>;

/** Create (or reuse) every AWS::DynamoDB::Table and AWS::SQS::Queue of the template. */
export async function provisionResources(
  resources: Readonly<Record<string, CfnResource>>,
  clients: ProvisionClients,
  opts: ProvisionOptions = {},
): Promise<ProvisionedResources> {
  const tables: Tables = {};
  const queues: Queues = {};
  const provisioned: ProvisionedResources = {
    region: opts.region ?? 'us-east-1',
    accountId: opts.accountId ?? '000000000000',
    stackName: opts.stackName ?? 'local',
    tables,
    queues,
  };
  const supported = Object.entries(resources).filter(
    ([, resource]) => resource.Type === TABLE || resource.Type === QUEUE,
  );
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== TABLE && resource.Type !== QUEUE) continue;
    if (resource.Condition !== undefined) {
      opts.logger?.warn('CloudFormation conditions are not evaluated locally: creating the resource anyway', {
        logicalId,
        condition: resource.Condition,
      });
    }
  }

  for (const level of dependencyLevels(new Map(supported))) {
    await Promise.all(
      level.map(async (logicalId) => {
        const resource = resources[logicalId];
        if (resource === undefined) return;
        if (resource.Type === TABLE) {
          tables[logicalId] = await ensureTable(logicalId, resource, clients.dynamodb, provisioned, opts);
        } else {
          queues[logicalId] = await ensureQueue(logicalId, resource, clients.sqs, provisioned, opts);
        }
      }),
    );
  }
  return provisioned;
}

/**
 * Group logical ids in creation "waves": each wave only depends on earlier ones (Kahn's algorithm on the
 * references between supported resources). A cycle is a template error.
 */
function dependencyLevels(resources: Map<string, CfnResource>): string[][] {
  const dependencies = new Map<string, Set<string>>();
  for (const [logicalId, resource] of resources) {
    const refs = referencedLogicalIds(resource.Properties ?? null);
    const dependsOn = resource.DependsOn === undefined ? [] : [resource.DependsOn].flat();
    for (const id of dependsOn) refs.add(id);
    dependencies.set(logicalId, new Set([...refs].filter((id) => resources.has(id) && id !== logicalId)));
  }
  const levels: string[][] = [];
  const done = new Set<string>();
  while (done.size < resources.size) {
    const level = [...dependencies]
      .filter(([id, deps]) => !done.has(id) && [...deps].every((dep) => done.has(dep)))
      .map(([id]) => id)
      .sort();
    if (level.length === 0) {
      const remaining = [...resources.keys()].filter((id) => !done.has(id));
      throw new CfnTemplateError(`Circular references between resources: ${remaining.join(', ')}`);
    }
    for (const id of level) done.add(id);
    levels.push(level);
  }
  return levels;
}

// ---------------------------------------------------------------------------------------------------
// DynamoDB tables

async function ensureTable(
  logicalId: string,
  resource: CfnResource,
  client: DynamoDBClient,
  provisioned: ProvisionedResources,
  opts: ProvisionOptions,
): Promise<ProvisionedTable> {
  const properties = resolveProperties(logicalId, resource, provisioned);
  reportUnusedProperties(logicalId, properties, USED_TABLE_PROPERTIES, IGNORED_TABLE_PROPERTIES, opts.logger);
  const input = toCreateTableInput(logicalId, properties, provisioned);
  const tableName = input.TableName ?? generatedName(provisioned.stackName, logicalId);

  let description = await describeTable(client, tableName);
  if (description !== undefined && opts.reset === true) {
    await client.send(new DeleteTableCommand({ TableName: tableName }));
    await waitForTable(client, tableName, 'deleted');
    description = undefined;
  }
  if (description === undefined) {
    await client.send(new CreateTableCommand({ ...input, TableName: tableName }));
    opts.logger?.info('created table', { logicalId, tableName });
  } else {
    assertSameKeys(logicalId, tableName, description, input);
    opts.logger?.info('reusing table', { logicalId, tableName });
  }
  const active = await waitForTable(client, tableName, 'active');

  const ttl = properties.TimeToLiveSpecification;
  if (ttl !== undefined) await ensureTimeToLive(client, tableName, logicalId, ttl);

  const arn =
    active.TableArn ?? `arn:aws:dynamodb:${provisioned.region}:${provisioned.accountId}:table/${tableName}`;
  return active.LatestStreamArn === undefined
    ? { name: tableName, arn }
    : { name: tableName, arn, streamArn: active.LatestStreamArn };
}

function toCreateTableInput(
  logicalId: string,
  properties: Record<string, ResolvedValue>,
  provisioned: ProvisionedResources,
): CreateTableCommandInput {
  const where = `${logicalId}.Properties`;
  const provisionedThroughput =
    properties.ProvisionedThroughput === undefined
      ? undefined
      : toThroughput(properties.ProvisionedThroughput, `${where}.ProvisionedThroughput`);
  const billingMode =
    properties.BillingMode === undefined
      ? provisionedThroughput === undefined
        ? 'PAY_PER_REQUEST'
        : 'PROVISIONED'
      : oneOf(properties.BillingMode, ['PAY_PER_REQUEST', 'PROVISIONED'] as const, `${where}.BillingMode`);
  const input: CreateTableCommandInput = {
    TableName:
      properties.TableName === undefined
        ? generatedName(provisioned.stackName, logicalId)
        : str(properties.TableName, `${where}.TableName`),
    KeySchema: toKeySchema(properties.KeySchema, `${where}.KeySchema`),
    AttributeDefinitions: list(properties.AttributeDefinitions, `${where}.AttributeDefinitions`).map(
      (item, index): AttributeDefinition => {
        const definition = record(item, `${where}.AttributeDefinitions[${index}]`);
        return {
          AttributeName: str(
            definition.AttributeName,
            `${where}.AttributeDefinitions[${index}].AttributeName`,
          ),
          AttributeType: oneOf(
            definition.AttributeType,
            ['S', 'N', 'B'] as const,
            `${where}.AttributeDefinitions[${index}].AttributeType`,
          ),
        };
      },
    ),
    BillingMode: billingMode,
  };
  if (billingMode === 'PROVISIONED') {
    if (provisionedThroughput === undefined) {
      throw new CfnTemplateError(`${where}: BillingMode PROVISIONED needs ProvisionedThroughput`);
    }
    input.ProvisionedThroughput = provisionedThroughput;
  }
  if (properties.GlobalSecondaryIndexes !== undefined) {
    input.GlobalSecondaryIndexes = list(
      properties.GlobalSecondaryIndexes,
      `${where}.GlobalSecondaryIndexes`,
    ).map((item, index): GlobalSecondaryIndex => {
      const at = `${where}.GlobalSecondaryIndexes[${index}]`;
      const index_ = record(item, at);
      const gsi: GlobalSecondaryIndex = {
        IndexName: str(index_.IndexName, `${at}.IndexName`),
        KeySchema: toKeySchema(index_.KeySchema, `${at}.KeySchema`),
        Projection: toProjection(index_.Projection, `${at}.Projection`),
      };
      if (billingMode === 'PROVISIONED') {
        gsi.ProvisionedThroughput = toThroughput(index_.ProvisionedThroughput, `${at}.ProvisionedThroughput`);
      }
      return gsi;
    });
  }
  if (properties.LocalSecondaryIndexes !== undefined) {
    input.LocalSecondaryIndexes = list(
      properties.LocalSecondaryIndexes,
      `${where}.LocalSecondaryIndexes`,
    ).map((item, index): LocalSecondaryIndex => {
      const at = `${where}.LocalSecondaryIndexes[${index}]`;
      const lsi = record(item, at);
      return {
        IndexName: str(lsi.IndexName, `${at}.IndexName`),
        KeySchema: toKeySchema(lsi.KeySchema, `${at}.KeySchema`),
        Projection: toProjection(lsi.Projection, `${at}.Projection`),
      };
    });
  }
  if (properties.StreamSpecification !== undefined) {
    const stream = record(properties.StreamSpecification, `${where}.StreamSpecification`);
    input.StreamSpecification = {
      StreamEnabled: true,
      StreamViewType: oneOf(
        stream.StreamViewType,
        ['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES'] as const,
        `${where}.StreamSpecification.StreamViewType`,
      ),
    };
  }
  return input;
}

function toKeySchema(value: ResolvedValue | undefined, where: string): KeySchemaElement[] {
  return list(value, where).map((item, index) => {
    const element = record(item, `${where}[${index}]`);
    return {
      AttributeName: str(element.AttributeName, `${where}[${index}].AttributeName`),
      KeyType: oneOf(element.KeyType, ['HASH', 'RANGE'] as const, `${where}[${index}].KeyType`),
    };
  });
}

function toProjection(value: ResolvedValue | undefined, where: string): Projection {
  const projection = record(value, where);
  const result: Projection = {
    ProjectionType: oneOf(
      projection.ProjectionType ?? 'ALL',
      ['ALL', 'KEYS_ONLY', 'INCLUDE'] as const,
      `${where}.ProjectionType`,
    ),
  };
  if (projection.NonKeyAttributes !== undefined) {
    result.NonKeyAttributes = list(projection.NonKeyAttributes, `${where}.NonKeyAttributes`).map(
      (name, index) => str(name, `${where}.NonKeyAttributes[${index}]`),
    );
  }
  return result;
}

function toThroughput(value: ResolvedValue | undefined, where: string): ProvisionedThroughput {
  const throughput = record(value, where);
  return {
    ReadCapacityUnits: num(throughput.ReadCapacityUnits, `${where}.ReadCapacityUnits`),
    WriteCapacityUnits: num(throughput.WriteCapacityUnits, `${where}.WriteCapacityUnits`),
  };
}

async function describeTable(
  client: DynamoDBClient,
  tableName: string,
): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

async function waitForTable(
  client: DynamoDBClient,
  tableName: string,
  state: 'active',
): Promise<TableDescription>;
async function waitForTable(client: DynamoDBClient, tableName: string, state: 'deleted'): Promise<undefined>;
async function waitForTable(
  client: DynamoDBClient,
  tableName: string,
  state: 'active' | 'deleted',
): Promise<TableDescription | undefined> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const description = await describeTable(client, tableName);
    if (state === 'deleted' && description === undefined) return undefined;
    if (state === 'active' && description?.TableStatus === 'ACTIVE') return description;
    if (Date.now() > deadline) throw new Error(`Table ${tableName} did not become ${state} within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function assertSameKeys(
  logicalId: string,
  tableName: string,
  existing: TableDescription,
  wanted: CreateTableCommandInput,
): void {
  const keys = (schema: readonly KeySchemaElement[] | undefined): string =>
    JSON.stringify((schema ?? []).map((key) => [key.AttributeName, key.KeyType]));
  const indexes = (
    list_: readonly { IndexName?: string; KeySchema?: KeySchemaElement[] }[] | undefined,
  ): string => JSON.stringify((list_ ?? []).map((index) => [index.IndexName, keys(index.KeySchema)]).sort());
  const differences: string[] = [];
  if (keys(existing.KeySchema) !== keys(wanted.KeySchema)) differences.push('KeySchema');
  if (indexes(existing.GlobalSecondaryIndexes) !== indexes(wanted.GlobalSecondaryIndexes)) {
    differences.push('GlobalSecondaryIndexes');
  }
  if (indexes(existing.LocalSecondaryIndexes) !== indexes(wanted.LocalSecondaryIndexes)) {
    differences.push('LocalSecondaryIndexes');
  }
  if (differences.length > 0) {
    throw new CfnTemplateError(
      `Table ${tableName} (${logicalId}) exists with a different ${differences.join(', ')} than the template; ` +
        'provision with reset (or delete the persisted DynamoDB data) to recreate it',
    );
  }
}

async function ensureTimeToLive(
  client: DynamoDBClient,
  tableName: string,
  logicalId: string,
  specification: ResolvedValue,
): Promise<void> {
  const where = `${logicalId}.Properties.TimeToLiveSpecification`;
  const ttl = record(specification, where);
  const enabled = bool(ttl.Enabled, `${where}.Enabled`);
  const attributeName =
    ttl.AttributeName === undefined ? undefined : str(ttl.AttributeName, `${where}.AttributeName`);
  const current = (await client.send(new DescribeTimeToLiveCommand({ TableName: tableName })))
    .TimeToLiveDescription;
  const currentlyEnabled =
    current?.TimeToLiveStatus === 'ENABLED' || current?.TimeToLiveStatus === 'ENABLING';
  if (enabled && currentlyEnabled && current?.AttributeName === attributeName) return;
  if (!enabled && !currentlyEnabled) return;
  if (attributeName === undefined) throw new CfnTemplateError(`${where}: AttributeName is required`);
  if (enabled && currentlyEnabled) {
    // Switching the attribute needs a disable first (as on AWS).
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: current?.AttributeName ?? attributeName, Enabled: false },
      }),
    );
  }
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: attributeName, Enabled: enabled },
    }),
  );
}

// ---------------------------------------------------------------------------------------------------
// SQS queues

async function ensureQueue(
  logicalId: string,
  resource: CfnResource,
  client: SQSClient,
  provisioned: ProvisionedResources,
  opts: ProvisionOptions,
): Promise<ProvisionedQueue> {
  const where = `${logicalId}.Properties`;
  const properties = resolveProperties(logicalId, resource, provisioned);
  const used = new Set([
    'QueueName',
    'FifoQueue',
    'RedrivePolicy',
    'RedriveAllowPolicy',
    'Tags',
    ...Object.keys(SCALAR_QUEUE_ATTRIBUTES),
  ]);
  reportUnusedProperties(logicalId, properties, used, IGNORED_QUEUE_PROPERTIES, opts.logger);

  const fifo = properties.FifoQueue === undefined ? false : bool(properties.FifoQueue, `${where}.FifoQueue`);
  const queueName =
    properties.QueueName === undefined
      ? `${generatedName(provisioned.stackName, logicalId)}${fifo ? '.fifo' : ''}`
      : str(properties.QueueName, `${where}.QueueName`);
  const attributes: Record<string, string> = fifo ? { FifoQueue: 'true' } : {};
  for (const [property, attribute] of Object.entries(SCALAR_QUEUE_ATTRIBUTES)) {
    const value = properties[property];
    if (value !== undefined) attributes[attribute] = scalar(value, `${where}.${property}`);
  }
  for (const property of ['RedrivePolicy', 'RedriveAllowPolicy'] as const) {
    const value = properties[property];
    if (value !== undefined) attributes[property] = policyJson(value, `${where}.${property}`);
  }
  const tags: Record<string, string> = {};
  if (properties.Tags !== undefined) {
    for (const [index, tag] of list(properties.Tags, `${where}.Tags`).entries()) {
      const entry = record(tag, `${where}.Tags[${index}]`);
      tags[str(entry.Key, `${where}.Tags[${index}].Key`)] = scalar(
        entry.Value ?? '',
        `${where}.Tags[${index}].Value`,
      );
    }
  }

  let existingUrl = await getQueueUrl(client, queueName);
  if (existingUrl !== undefined && opts.reset === true) {
    await client.send(new DeleteQueueCommand({ QueueUrl: existingUrl }));
    existingUrl = undefined;
  }
  let url: string;
  if (existingUrl === undefined) {
    const created = await client.send(
      new CreateQueueCommand({ QueueName: queueName, Attributes: attributes, tags }),
    );
    if (created.QueueUrl === undefined) throw new Error(`CreateQueue ${queueName} returned no QueueUrl`);
    url = created.QueueUrl;
    opts.logger?.info('created queue', { logicalId, queueName, url });
  } else {
    url = existingUrl;
    await updateChangedAttributes(client, url, queueName, logicalId, attributes);
    opts.logger?.info('reusing queue', { logicalId, queueName, url });
  }
  const current = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  const arn = current.Attributes?.QueueArn;
  if (arn === undefined) throw new Error(`GetQueueAttributes ${queueName} returned no QueueArn`);
  return { name: queueName, url, arn };
}

async function getQueueUrl(client: SQSClient, queueName: string): Promise<string | undefined> {
  try {
    return (await client.send(new GetQueueUrlCommand({ QueueName: queueName }))).QueueUrl;
  } catch (error) {
    if (error instanceof QueueDoesNotExist) return undefined;
    throw error;
  }
}

/** Bring an existing queue in line with the template (only the attributes that differ are sent). */
async function updateChangedAttributes(
  client: SQSClient,
  url: string,
  queueName: string,
  logicalId: string,
  wanted: Record<string, string>,
): Promise<void> {
  const response = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
  );
  const current: Record<string, string | undefined> = { ...response.Attributes };
  if ((wanted.FifoQueue === 'true') !== (current.FifoQueue === 'true')) {
    throw new CfnTemplateError(
      `Queue ${queueName} (${logicalId}) exists with a different queue type than the template; provision with reset`,
    );
  }
  const changed: Record<string, string> = {};
  for (const [name, value] of Object.entries(wanted)) {
    if (name === 'FifoQueue') continue;
    const same = name.startsWith('Redrive')
      ? normalisedPolicy(current[name]) === normalisedPolicy(value)
      : current[name] === value;
    if (!same) changed[name] = value;
  }
  if (Object.keys(changed).length > 0) {
    await client.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: changed }));
  }
}

function policyJson(value: ResolvedValue, where: string): string {
  if (typeof value === 'string') return value;
  const policy = record(value, where);
  if (policy.maxReceiveCount !== undefined) {
    return JSON.stringify({
      ...policy,
      maxReceiveCount: num(policy.maxReceiveCount, `${where}.maxReceiveCount`),
    });
  }
  return JSON.stringify(policy);
}

function normalisedPolicy(value: string | undefined): string {
  if (value === undefined) return '';
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed !== 'object' || parsed === null) return value;
    const entries = Object.entries(parsed).map(([key, item]): [string, string] => [key, String(item)]);
    return JSON.stringify(entries.sort(([a], [b]) => a.localeCompare(b)));
  } catch (error) {
    if (error instanceof SyntaxError) return value;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------
// Shared helpers

function resolveProperties(
  logicalId: string,
  resource: CfnResource,
  provisioned: ProvisionedResources,
): Record<string, ResolvedValue> {
  const properties: Record<string, CfnValue> = resource.Properties ?? {};
  const result: Record<string, ResolvedValue> = {};
  for (const [name, value] of Object.entries(properties)) {
    if (IGNORED_TABLE_PROPERTIES.has(name) && resource.Type === TABLE) continue;
    if (IGNORED_QUEUE_PROPERTIES.has(name) && resource.Type === QUEUE) continue;
    try {
      const resolved = resolveCfnValue({ [name]: value }, provisioned);
      if (
        typeof resolved === 'object' &&
        resolved !== null &&
        !Array.isArray(resolved) &&
        resolved[name] !== undefined
      ) {
        result[name] = resolved[name];
      }
    } catch (error) {
      if (error instanceof CfnResolutionError) {
        throw new CfnTemplateError(`${logicalId}.Properties.${name}: ${error.message}`, { cause: error });
      }
      throw error;
    }
  }
  return result;
}

function reportUnusedProperties(
  logicalId: string,
  properties: Record<string, ResolvedValue>,
  used: ReadonlySet<string>,
  ignored: ReadonlySet<string>,
  logger: Logger | undefined,
): void {
  const unknown = Object.keys(properties).filter((name) => !used.has(name) && !ignored.has(name));
  if (unknown.length > 0) {
    logger?.warn('properties not supported by the local stand-ins were ignored', {
      logicalId,
      properties: unknown,
    });
  }
}

/** CloudFormation-style physical name for a resource without an explicit name. */
function generatedName(stackName: string, logicalId: string): string {
  const suffix = createHash('sha256')
    .update(`${stackName}/${logicalId}`)
    .digest('hex')
    .slice(0, 12)
    .toUpperCase();
  return `${stackName}-${logicalId}-${suffix}`.slice(0, 75);
}

function str(value: ResolvedValue | undefined, where: string): string {
  if (typeof value !== 'string' || value === '')
    throw new CfnTemplateError(`${where}: expected a non-empty string`);
  return value;
}

function num(value: ResolvedValue | undefined, where: string): number {
  const parsed = typeof value === 'string' ? Number(value) : value;
  if (typeof parsed !== 'number' || !Number.isFinite(parsed))
    throw new CfnTemplateError(`${where}: expected a number`);
  return parsed;
}

function bool(value: ResolvedValue | undefined, where: string): boolean {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new CfnTemplateError(`${where}: expected a boolean`);
}

function scalar(value: ResolvedValue, where: string): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  throw new CfnTemplateError(`${where}: expected a string, number or boolean`);
}

function list(value: ResolvedValue | undefined, where: string): ResolvedValue[] {
  if (!Array.isArray(value)) throw new CfnTemplateError(`${where}: expected a list`);
  return value;
}

function record(value: ResolvedValue | undefined, where: string): { [key: string]: ResolvedValue } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CfnTemplateError(`${where}: expected a map`);
  }
  return value;
}

function oneOf<const T extends readonly string[]>(
  value: ResolvedValue | undefined,
  allowed: T,
  where: string,
): T[number] {
  const found = allowed.find((candidate) => candidate === value);
  if (found === undefined) throw new CfnTemplateError(`${where}: expected one of ${allowed.join(', ')}`);
  return found;
}
