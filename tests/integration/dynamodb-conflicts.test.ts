/**
 * The conflict-faithful layer (tools/local/emulators/dynamodb-conflicts.ts) in front of the real DynamoDB Local:
 * the SDK sees AWS's own error shapes for transaction conflicts, and everything else passes through.
 * A hold window (transactionLatencyMs) makes the overlap of two concurrent requests certain.
 */
import {
  DeleteTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS, localDynamoDbClient } from '../../tools/local/aws-clients';
import { startConflictProxy, type ConflictProxyHandle } from '../../tools/local/emulators/dynamodb-conflicts';
import { isTransientAwsError } from '../../shared/adapters/aws-errors';
import { conditionFailures } from '../../shared/adapters/dynamodb/errors';
import { TransientError } from '../../shared/domain/errors';
import { createPkSkTable, standInEnv, uniqueSuffix } from '../support/stand-ins';

const HOLD_MS = 400;
let proxy: ConflictProxyHandle;
let client: DynamoDBClient;
const table = `conflicts-${uniqueSuffix()}`;

beforeAll(async () => {
  proxy = await startConflictProxy({
    upstream: standInEnv().RTP_DYNAMODB_ENDPOINT,
    transactionLatencyMs: HOLD_MS,
  });
  client = localDynamoDbClient(proxy.endpoint, { region: standInEnv().AWS_REGION });
  await createPkSkTable(client, table);
});

afterAll(async () => {
  await client.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
  client.destroy();
  await proxy.stop();
});

const key = (pk: string) => ({ pk: { S: pk }, sk: { S: 'A' } });
const bump = (pk: string): TransactWriteItem => ({
  Update: {
    TableName: table,
    Key: key(pk),
    UpdateExpression: 'ADD n :one',
    ExpressionAttributeValues: { ':one': { N: '1' } },
  },
});
const put = (pk: string): TransactWriteItem => ({
  Put: { TableName: table, Item: { ...key(pk), n: { N: '0' } } },
});

async function counter(pk: string): Promise<number> {
  const { Item } = await client.send(
    new GetItemCommand({ TableName: table, Key: key(pk), ConsistentRead: true }),
  );
  return Number(Item?.n?.N ?? 0);
}

/** Starts `first`, waits until the proxy holds its items, then runs `second` while it is in flight. */
async function overlapping<A, B>(first: () => Promise<A>, second: () => Promise<B>) {
  const firstRun = first().then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  const deadline = Date.now() + 5_000;
  while (proxy.heldItems() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  const secondRun = await second().then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  return [await firstRun, secondRun] as const;
}

describe('the DynamoDB conflict layer', () => {
  it('listens on 127.0.0.1 only, on a random port', () => {
    expect(proxy.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(proxy.port).toBeGreaterThan(0);
  });

  it('two concurrent transactions on one item: one commits, the other is cancelled with TransactionConflict on that index only', async () => {
    const a = `a-${uniqueSuffix()}`;
    const b = `b-${uniqueSuffix()}`;
    const c = `c-${uniqueSuffix()}`;
    const [first, second] = await overlapping(
      () => client.send(new TransactWriteItemsCommand({ TransactItems: [bump(a), bump(b)] })),
      // The shared item `b` is the second action here, after one of its own.
      () => client.send(new TransactWriteItemsCommand({ TransactItems: [put(c), bump(b)] })),
    );
    expect(first.ok).toBe(true);
    expect(second.ok).toBe(false);
    const error = second.ok ? undefined : (second.error as Error & { CancellationReasons?: unknown });
    expect(error?.name).toBe('TransactionCanceledException');
    expect(error?.CancellationReasons).toEqual([
      { Code: 'None' },
      { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' },
    ]);
    expect(error?.message).toContain('[None, TransactionConflict]');
    expect((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(400);
    // The project's own classification: a conflict is transient, the settlement retries it.
    expect(() => conditionFailures(error, 'settle')).toThrow(TransientError);
    // Nothing of the cancelled one was applied; the committed one was.
    expect(await counter(b)).toBe(1);
    expect(await counter(a)).toBe(1);
    const { Item } = await client.send(new GetItemCommand({ TableName: table, Key: key(c) }));
    expect(Item).toBeUndefined();
    expect(proxy.heldItems()).toBe(0);
  });

  it('a Put in a transaction holds the item by its key attributes (from the key schema)', async () => {
    const a = `a-${uniqueSuffix()}`;
    const [first, second] = await overlapping(
      () => client.send(new TransactWriteItemsCommand({ TransactItems: [put(a)] })),
      () => client.send(new TransactWriteItemsCommand({ TransactItems: [bump(a)] })),
    );
    expect(first.ok).toBe(true);
    expect(second.ok ? undefined : (second.error as Error).name).toBe('TransactionCanceledException');
  });

  it('a PutItem or UpdateItem on an item a transaction holds gets TransactionConflictException', async () => {
    const a = `a-${uniqueSuffix()}`;
    const [first, second] = await overlapping(
      () => client.send(new TransactWriteItemsCommand({ TransactItems: [bump(a)] })),
      () => client.send(new PutItemCommand({ TableName: table, Item: { ...key(a), n: { N: '42' } } })),
    );
    expect(first.ok).toBe(true);
    const error = second.ok
      ? undefined
      : (second.error as Error & { $metadata?: { httpStatusCode?: number } });
    expect(error?.name).toBe('TransactionConflictException');
    expect(error?.$metadata?.httpStatusCode).toBe(400);
    expect(await counter(a)).toBe(1);

    const [, update] = await overlapping(
      () => client.send(new TransactWriteItemsCommand({ TransactItems: [bump(a)] })),
      () =>
        client.send(
          new UpdateItemCommand({
            TableName: table,
            Key: key(a),
            UpdateExpression: 'SET n = :n',
            ExpressionAttributeValues: { ':n': { N: '7' } },
          }),
        ),
    );
    expect(update.ok ? undefined : (update.error as Error).name).toBe('TransactionConflictException');
    expect(await counter(a)).toBe(2);
    expect(proxy.stats().singleWriteConflicts).toBeGreaterThanOrEqual(2);
  });

  it('classifies TransactionConflictException as transient (a retry may cure it)', () => {
    const error = Object.assign(new Error('Transaction is ongoing for the item'), {
      name: 'TransactionConflictException',
      $metadata: { httpStatusCode: 400 },
    });
    expect(isTransientAwsError(error)).toBe(true);
  });

  it('non-overlapping transactions both commit', async () => {
    const a = `a-${uniqueSuffix()}`;
    const b = `b-${uniqueSuffix()}`;
    const [first, second] = await overlapping(
      () => client.send(new TransactWriteItemsCommand({ TransactItems: [bump(a)] })),
      () => client.send(new TransactWriteItemsCommand({ TransactItems: [bump(b)] })),
    );
    expect(first.ok && second.ok).toBe(true);
    expect([await counter(a), await counter(b)]).toEqual([1, 1]);
  });

  it('a TransactGetItems on an item a transaction holds is cancelled; GetItem and Query pass', async () => {
    const a = `a-${uniqueSuffix()}`;
    await client.send(new PutItemCommand({ TableName: table, Item: { ...key(a), n: { N: '5' } } }));
    const [, reads] = await overlapping(
      () => client.send(new TransactWriteItemsCommand({ TransactItems: [bump(a)] })),
      async () => {
        const transactGet = await client
          .send(
            new TransactGetItemsCommand({
              TransactItems: [
                { Get: { TableName: table, Key: key(`none-${uniqueSuffix()}`) } },
                { Get: { TableName: table, Key: key(a) } },
              ],
            }),
          )
          .then(
            () => undefined,
            (error: unknown) => error as Error & { CancellationReasons?: unknown },
          );
        const get = await client.send(new GetItemCommand({ TableName: table, Key: key(a) }));
        const query = await client.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': { S: a } },
          }),
        );
        return { transactGet, get, query };
      },
    );
    expect(reads.ok).toBe(true);
    if (!reads.ok) return;
    expect(reads.value.transactGet?.name).toBe('TransactionCanceledException');
    expect(reads.value.transactGet?.CancellationReasons).toEqual([
      { Code: 'None' },
      { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' },
    ]);
    expect(reads.value.get.Item?.n?.N).toBe('5');
    expect(reads.value.query.Items).toHaveLength(1);
  });

  it('a retry with the token of a transaction still in flight gets TransactionInProgressException', async () => {
    const a = `a-${uniqueSuffix()}`;
    const token = `token-${uniqueSuffix()}`;
    const send = () =>
      client.send(new TransactWriteItemsCommand({ TransactItems: [bump(a)], ClientRequestToken: token }));
    // maxAttempts 1: the SDK would otherwise retry TransactionInProgressException (a throttling code for it).
    const once = new DynamoDBClient({
      endpoint: proxy.endpoint,
      region: standInEnv().AWS_REGION,
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 1,
    });
    try {
      const [first, second] = await overlapping(send, () =>
        once.send(new TransactWriteItemsCommand({ TransactItems: [bump(a)], ClientRequestToken: token })),
      );
      expect(first.ok).toBe(true);
      expect(second.ok ? undefined : (second.error as Error).name).toBe('TransactionInProgressException');
    } finally {
      once.destroy();
    }
    expect(await counter(a)).toBe(1);
  });

  it('passes everything else through (ListTables, errors of DynamoDB Local itself)', async () => {
    const { TableNames = [] } = await client.send(new ListTablesCommand({}));
    expect(TableNames).toContain(table);
    await expect(
      client.send(new GetItemCommand({ TableName: `missing-${uniqueSuffix()}`, Key: key('x') })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    // A transaction cancelled by its own condition keeps DynamoDB Local's answer.
    const a = `a-${uniqueSuffix()}`;
    await expect(
      client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: table,
                Key: key(a),
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
          ],
        }),
      ),
    ).rejects.toMatchObject({
      name: 'TransactionCanceledException',
      CancellationReasons: [expect.objectContaining({ Code: 'ConditionalCheckFailed' })],
    });
    expect(proxy.stats().forwarded).toBeGreaterThan(0);
  });
});
