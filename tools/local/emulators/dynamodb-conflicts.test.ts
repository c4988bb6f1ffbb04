/**
 * The conflict layer's hold window against a deliberately slow upstream (a stand-in for a saturated
 * DynamoDB Local): a transaction holds its items until the answer, but never longer than maxHoldMs.
 * The behaviour against the real DynamoDB Local is in tests/integration/dynamodb-conflicts.test.ts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startConflictProxy, type ConflictProxyHandle } from './dynamodb-conflicts';

const UPSTREAM_DELAY_MS = 400;
let upstream: http.Server;
let upstreamUrl: string;
let forwarded: string[];

beforeAll(async () => {
  upstream = http.createServer((req, res) => {
    forwarded.push(String(req.headers['x-amz-target']));
    req.resume();
    req.on('end', () =>
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end('{}');
      }, UPSTREAM_DELAY_MS),
    );
  });
  await new Promise<void>((resolve) => upstream.listen({ host: '127.0.0.1', port: 0 }, resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
beforeEach(() => {
  forwarded = [];
});
afterAll(async () => {
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});

const update = (pk: string) => ({
  Update: { TableName: 't', Key: { pk: { S: pk } }, UpdateExpression: 'SET n = :n' },
});

function call(proxy: ConflictProxyHandle, operation: string, body: unknown) {
  return fetch(proxy.endpoint, {
    method: 'POST',
    headers: {
      'x-amz-target': `DynamoDB_20120810.${operation}`,
      'content-type': 'application/x-amz-json-1.0',
    },
    body: JSON.stringify(body),
  }).then(async (response) => ({ status: response.status, body: (await response.json()) as unknown }));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function twoTransactions(maxHoldMs: number) {
  const proxy = await startConflictProxy({ upstream: upstreamUrl, maxHoldMs });
  try {
    const first = call(proxy, 'TransactWriteItems', { TransactItems: [update('a')] });
    await sleep(150);
    const second = await call(proxy, 'TransactWriteItems', { TransactItems: [update('b'), update('a')] });
    return { first: await first, second, stats: proxy.stats() };
  } finally {
    await proxy.stop();
  }
}

describe('the conflict layer hold window', () => {
  it('holds the items until the answer when it comes within maxHoldMs', async () => {
    const { first, second, stats } = await twoTransactions(1_000);
    expect(first.status).toBe(200);
    expect(second).toEqual({
      status: 400,
      body: {
        __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
        Message:
          'Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]',
        CancellationReasons: [
          { Code: 'None' },
          { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' },
        ],
      },
    });
    expect(stats.transactWriteConflicts).toBe(1);
    expect(forwarded).toEqual(['DynamoDB_20120810.TransactWriteItems']);
  });

  it('frees the items after maxHoldMs however long the upstream takes (its queue is not AWS)', async () => {
    const { first, second, stats } = await twoTransactions(50);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(stats.transactWriteConflicts).toBe(0);
    expect(forwarded).toHaveLength(2);
  });

  it('answers a single write on a held item with TransactionConflictException and forwards the rest', async () => {
    const proxy = await startConflictProxy({ upstream: upstreamUrl, maxHoldMs: 1_000 });
    try {
      const tx = call(proxy, 'TransactWriteItems', { TransactItems: [update('a')] });
      await sleep(100);
      const [put, get, other] = await Promise.all([
        call(proxy, 'DeleteItem', { TableName: 't', Key: { pk: { S: 'a' } } }),
        call(proxy, 'GetItem', { TableName: 't', Key: { pk: { S: 'a' } } }),
        call(proxy, 'UpdateItem', { TableName: 't', Key: { pk: { S: 'other' } } }),
      ]);
      expect(put).toEqual({
        status: 400,
        body: {
          __type: 'com.amazonaws.dynamodb.v20120810#TransactionConflictException',
          message: 'Transaction is ongoing for the item',
        },
      });
      expect([get.status, other.status, (await tx).status]).toEqual([200, 200, 200]);
      expect(proxy.heldItems()).toBe(0);
    } finally {
      await proxy.stop();
    }
  });
});
