/**
 * The global setup provisioned serverless.yml's `local` stage on the stand-ins: check the result against
 * the template itself (read through `sls print`, like the provisioning), not against a copy.
 */
import {
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { DeleteQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { provisionResources, resolveCfnString, type CfnResource } from '../../tools/local/cloudformation';
import {
  loadServerlessConfig,
  type ResolvedServerlessConfig,
  type SqsEventSource,
} from '../../tools/local/serverless-config';
import {
  createIsolatedTables,
  destroyStandInClients,
  provisionedResources,
  standInClients,
  standInEnv,
  STAND_IN_STAGE,
  uniqueSuffix,
} from '../support/stand-ins';

let config: ResolvedServerlessConfig;

beforeAll(async () => {
  config = await loadServerlessConfig(STAND_IN_STAGE);
});
afterAll(() => destroyStandInClients());

function templateResources(type: string): Array<[string, Record<string, unknown>]> {
  return Object.entries(config.resources.Resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([logicalId, resource]) => [logicalId, resource.Properties ?? {}]);
}

describe('provisioning from serverless.yml (local stage)', () => {
  it('creates every table of the template with its keys, billing mode and TTL', async () => {
    const { dynamodb } = standInClients();
    const provisioned = provisionedResources();
    const tables = templateResources('AWS::DynamoDB::Table');
    expect(tables.length).toBeGreaterThanOrEqual(3);
    for (const [logicalId, properties] of tables) {
      const table = provisioned.tables[logicalId];
      expect(table?.name).toBe(properties.TableName);
      const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: table?.name }));
      expect(Table?.KeySchema).toEqual(properties.KeySchema);
      expect(sortByName(Table?.AttributeDefinitions ?? [])).toEqual(
        sortByName(properties.AttributeDefinitions as Array<{ AttributeName: string }>),
      );
      expect(Table?.BillingModeSummary?.BillingMode ?? 'PROVISIONED').toBe(properties.BillingMode);

      const ttl = properties.TimeToLiveSpecification as
        { AttributeName: string; Enabled: boolean } | undefined;
      const { TimeToLiveDescription } = await dynamodb.send(
        new DescribeTimeToLiveCommand({ TableName: table?.name }),
      );
      if (ttl?.Enabled === true) {
        expect(TimeToLiveDescription).toEqual({
          AttributeName: ttl.AttributeName,
          TimeToLiveStatus: 'ENABLED',
        });
      } else {
        expect(TimeToLiveDescription?.TimeToLiveStatus).toBe('DISABLED');
      }
    }
  });

  it('creates the FIFO queues with the template attributes and the redrive policy resolved to the DLQ', async () => {
    const { sqs } = standInClients();
    const provisioned = provisionedResources();
    const queues = templateResources('AWS::SQS::Queue');
    expect(queues.length).toBeGreaterThanOrEqual(2);
    for (const [logicalId, properties] of queues) {
      const queue = provisioned.queues[logicalId];
      expect(queue?.name).toBe(properties.QueueName);
      expect(queue?.url).toBe(
        `${standInEnv().RTP_SQS_ENDPOINT}/000000000000/${String(properties.QueueName)}`,
      );
      const response = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queue?.url, AttributeNames: ['All'] }),
      );
      const Attributes: Record<string, string | undefined> = { ...response.Attributes };
      expect(Attributes.FifoQueue).toBe(String(properties.FifoQueue));
      expect(Attributes.QueueArn).toBe(queue?.arn);
      for (const name of [
        'VisibilityTimeout',
        'MessageRetentionPeriod',
        'ContentBasedDeduplication',
        'DeduplicationScope',
      ]) {
        if (properties[name] !== undefined) expect(Attributes[name]).toBe(String(properties[name]));
      }
      const redrive = properties.RedrivePolicy as
        { deadLetterTargetArn: unknown; maxReceiveCount: number } | undefined;
      if (redrive !== undefined) {
        const policy: unknown = JSON.parse(Attributes.RedrivePolicy ?? 'null');
        const dlq = Object.values(provisioned.queues).find((candidate) => candidate.arn !== queue?.arn);
        expect(policy).toEqual({ deadLetterTargetArn: dlq?.arn, maxReceiveCount: redrive.maxReceiveCount });
      }
    }
  });

  it('publishes the endpoints and names the functions read', () => {
    const env = standInEnv();
    const provisioned = provisionedResources();
    for (const table of Object.values(provisioned.tables)) {
      const variables = Object.entries(config.provider.environment).filter(
        ([, value]) => value === table.name,
      );
      for (const [variable] of variables) expect(process.env[variable]).toBe(table.name);
    }
    expect(env.RTP_DYNAMODB_ENDPOINT).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(env.RTP_SQS_ENDPOINT).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(env.PAYMENTS_TABLE).toBe(config.provider.environment.PAYMENTS_TABLE);
    expect(env.LEDGER_TABLE).toBe(config.provider.environment.LEDGER_TABLE);
    expect(env.IDEMPOTENCY_TABLE).toBe(config.provider.environment.IDEMPOTENCY_TABLE);
    expect(env.PAYMENTS_QUEUE_URL).toBe(provisioned.queues.PaymentsQueue?.url);
    expect(env.PAYMENTS_DLQ_URL).toBe(provisioned.queues.PaymentsDeadLetterQueue?.url);
  });

  it("resolves the settle function's event source ARN to the provisioned queue", () => {
    const settle = Object.values(config.functions).find((fn) =>
      fn.events.some((event) => event.type === 'sqs'),
    );
    const event = settle?.events.find((candidate): candidate is SqsEventSource => candidate.type === 'sqs');
    expect(event).toBeDefined();
    if (event === undefined) return;
    const provisioned = provisionedResources();
    expect(resolveCfnString(event.arn, provisioned)).toBe(provisioned.queues.PaymentsQueue?.arn);
    expect(event.functionResponseType).toBe('ReportBatchItemFailures');
  });

  it('is idempotent: provisioning the same resources again reuses them', async () => {
    const isolated = await createIsolatedTables();
    const { dynamodb, sqs } = standInClients();
    const copies = Object.fromEntries(
      Object.entries(config.resources.Resources)
        .filter(([, resource]) => resource.Type === 'AWS::DynamoDB::Table')
        .map(([logicalId, resource]) => [
          logicalId,
          {
            ...resource,
            Properties: { ...resource.Properties, TableName: isolated.tables[logicalId]?.name ?? '' },
          },
        ]),
    );
    const again = await provisionResources(copies, { dynamodb, sqs });
    expect(again.tables).toEqual(isolated.tables);
    const tableVariables = Object.entries(config.provider.environment)
      .filter(([, value]) =>
        Object.values(provisionedResources().tables).some((table) => table.name === value),
      )
      .map(([variable]) => variable);
    expect(Object.keys(isolated.env).sort()).toEqual(tableVariables.sort());
    expect(tableVariables).toEqual(
      expect.arrayContaining(['IDEMPOTENCY_TABLE', 'LEDGER_TABLE', 'PAYMENTS_TABLE']),
    );
    await isolated.remove();
  });
});

describe('provisionResources beyond the current template', () => {
  it('creates indexes, streams, provisioned throughput, generated names, skips other types, and recreates on reset', async () => {
    const { dynamodb, sqs } = standInClients();
    const suffix = uniqueSuffix();
    const template: Record<string, CfnResource> = {
      Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } },
      Orders: {
        Type: 'AWS::DynamoDB::Table',
        Properties: {
          TableName: { 'Fn::Join': ['-', ['orders', suffix]] },
          BillingMode: 'PROVISIONED',
          ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: '3' },
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
            { AttributeName: 'gsi1pk', AttributeType: 'S' },
            { AttributeName: 'lsi1sk', AttributeType: 'N' },
          ],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          GlobalSecondaryIndexes: [
            {
              IndexName: 'gsi1',
              KeySchema: [{ AttributeName: 'gsi1pk', KeyType: 'HASH' }],
              Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['status'] },
              ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
            },
          ],
          LocalSecondaryIndexes: [
            {
              IndexName: 'lsi1',
              KeySchema: [
                { AttributeName: 'pk', KeyType: 'HASH' },
                { AttributeName: 'lsi1sk', KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'KEYS_ONLY' },
            },
          ],
          StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
          TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
          SSESpecification: { SSEEnabled: true },
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
          Tags: [{ Key: 'team', Value: 'payments' }],
        },
      },
      Dlq: { Type: 'AWS::SQS::Queue', Properties: { KmsMasterKeyId: 'alias/aws/sqs' } },
      Work: {
        Type: 'AWS::SQS::Queue',
        DependsOn: 'Role',
        Properties: {
          QueueName: { 'Fn::Sub': `work-${suffix}` },
          DelaySeconds: 1,
          RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['Dlq', 'Arn'] }, maxReceiveCount: '4' },
        },
      },
    };
    const logged: string[] = [];
    const logger = {
      info: () => undefined,
      warn: (message: string) => logged.push(message),
      error: (message: string) => logged.push(message),
    };

    const provisioned = await provisionResources(
      template,
      { dynamodb, sqs },
      { stackName: `stack-${suffix}`, logger },
    );
    expect(Object.keys(provisioned.tables)).toEqual(['Orders']);
    expect(Object.keys(provisioned.queues).sort()).toEqual(['Dlq', 'Work']);
    expect(provisioned.queues.Dlq?.name).toMatch(new RegExp(`^stack-${suffix}-Dlq-[0-9A-F]{12}$`));
    expect(provisioned.tables.Orders?.streamArn).toEqual(expect.any(String));
    expect(logged).toEqual([]);

    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: `orders-${suffix}` }));
    expect(Table?.ProvisionedThroughput).toMatchObject({ ReadCapacityUnits: 2, WriteCapacityUnits: 3 });
    expect(Table?.GlobalSecondaryIndexes?.[0]).toMatchObject({
      IndexName: 'gsi1',
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['status'] },
    });
    expect(Table?.LocalSecondaryIndexes?.[0]).toMatchObject({
      IndexName: 'lsi1',
      Projection: { ProjectionType: 'KEYS_ONLY' },
    });
    expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    const work = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: provisioned.queues.Work?.url, AttributeNames: ['All'] }),
    );
    expect(work.Attributes?.DelaySeconds).toBe('1');
    expect(JSON.parse(work.Attributes?.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: provisioned.queues.Dlq?.arn,
      maxReceiveCount: 4,
    });

    // Reuse keeps the data; reset starts from an empty table.
    await dynamodb.send(
      new PutItemCommand({ TableName: `orders-${suffix}`, Item: { pk: { S: 'a' }, sk: { S: 'b' } } }),
    );
    await provisionResources(template, { dynamodb, sqs }, { stackName: `stack-${suffix}` });
    expect((await dynamodb.send(new ScanCommand({ TableName: `orders-${suffix}` }))).Count).toBe(1);
    await provisionResources(template, { dynamodb, sqs }, { stackName: `stack-${suffix}`, reset: true });
    expect((await dynamodb.send(new ScanCommand({ TableName: `orders-${suffix}` }))).Count).toBe(0);

    await dynamodb.send(new DeleteTableCommand({ TableName: `orders-${suffix}` }));
    for (const queue of Object.values(provisioned.queues))
      await sqs.send(new DeleteQueueCommand({ QueueUrl: queue.url }));
  });

  it('refuses to reuse a table whose keys differ from the template', async () => {
    const { dynamodb, sqs } = standInClients();
    const name = `keys-${uniqueSuffix()}`;
    const table = (hashKey: string): Record<string, CfnResource> => ({
      T: {
        Type: 'AWS::DynamoDB::Table',
        Properties: {
          TableName: name,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: hashKey, AttributeType: 'S' }],
          KeySchema: [{ AttributeName: hashKey, KeyType: 'HASH' }],
        },
      },
    });
    await provisionResources(table('id'), { dynamodb, sqs });
    await expect(provisionResources(table('otherId'), { dynamodb, sqs })).rejects.toThrow(
      `Table ${name} (T) exists with a different KeySchema than the template`,
    );
    await dynamodb.send(new DeleteTableCommand({ TableName: name }));
  });
});

function sortByName<T extends { AttributeName?: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (a.AttributeName ?? '').localeCompare(b.AttributeName ?? ''));
}
