/**
 * A conflict-faithful layer in front of DynamoDB Local: a loopback HTTP proxy that speaks the DynamoDB
 * JSON protocol (`X-Amz-Target: DynamoDB_20120810.<Operation>`) and raises the transaction conflicts AWS
 * raises, which DynamoDB Local never does (it serialises transactions).
 *
 * What AWS does (DynamoDB developer guide, "Amazon DynamoDB Transactions: How it works", section
 * "Transaction conflict handling in DynamoDB",
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html#transaction-conflict-handling,
 * and the TransactWriteItems / TransactGetItems API reference), modelled here:
 *
 *  - an item of a TransactWriteItems is part of another ongoing TransactWriteItems: the later one is
 *    cancelled, `TransactionCanceledException` with one CancellationReason per action, in TransactItems
 *    order: `{Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item'}` for each
 *    conflicting item, `{Code: 'None'}` for the others;
 *  - a PutItem, UpdateItem or DeleteItem on an item an ongoing TransactWriteItems includes fails with
 *    `TransactionConflictException` ("Operation was rejected because there is an ongoing transaction for
 *    the item");
 *  - an item of a TransactGetItems is part of an ongoing TransactWriteItems, PutItem, UpdateItem or
 *    DeleteItem: the TransactGetItems is cancelled (`TransactionCanceledException`, TransactionConflict
 *    on that item), also when the write starts while the TransactGetItems is in flight (the read loses);
 *  - a TransactWriteItems whose ClientRequestToken is the one of a transaction still in flight fails with
 *    `TransactionInProgressException` (the API reference's error for that case);
 *  - GetItem, Query, Scan and every other operation are forwarded untouched ("If an ongoing
 *    TransactWriteItems or TransactGetItems operation conflicts with a concurrent GetItem request, both
 *    operations can succeed"). BatchWriteItem is forwarded too (not modelled; the project uses none).
 *
 * Errors are answered as AWS answers them: HTTP 400, `application/x-amz-json-1.0`, a `__type` of
 * `com.amazonaws.dynamodb.v20120810#<Exception>`; AWS SDKs do not retry either of them, so the caller's
 * own retry (shared/domain/retry.ts) meets them exactly as on AWS.
 *
 * Hold window: an item counts as "in a transaction" from the moment the proxy receives the
 * TransactWriteItems until DynamoDB Local's answer is back, but for at most `maxHoldMs` (default 100 ms).
 * The cap matters when DynamoDB Local is saturated (~100-300 ops/s): its answer time is then mostly its own
 * queue, which AWS does not have (a TransactWriteItems there takes tens of milliseconds), and holding the
 * items for all of it made conflicts far more frequent than on AWS (seen: a 673 ms window in the chaos
 * suite). Past the cap the items are free again: a later request is forwarded and DynamoDB Local runs it
 * after the first, which is what AWS does for requests that do not overlap. Unloaded, DynamoDB Local
 * answers in a few milliseconds, so conflicts happen only under real contention; `transactionLatencyMs`
 * holds the items that much longer before forwarding (and raises the cap to at least that), to model
 * AWS's two-phase transactions and make conflicts as frequent as under AWS contention.
 *
 * Keys: an item is its table plus its primary key attributes, read from the request (`Key`, or for a Put
 * the key attributes of `Item`, from the table's key schema, read once per table with DescribeTable).
 *
 * Listens on 127.0.0.1 only, on a random free port unless told otherwise.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

export interface ConflictProxyOptions {
  /** DynamoDB Local's endpoint, e.g. `http://127.0.0.1:8765`. */
  readonly upstream: string;
  /** Port to listen on (127.0.0.1); a free random port when omitted or 0. */
  readonly port?: number;
  /** Extra milliseconds a TransactWriteItems holds its items before it is forwarded (default 0). */
  readonly transactionLatencyMs?: number;
  /**
   * Longest time a TransactWriteItems holds its items, however long DynamoDB Local takes to answer
   * (default 100 ms; never below transactionLatencyMs).
   */
  readonly maxHoldMs?: number;
}

export interface ConflictProxyStats {
  /** TransactWriteItems received. */
  transactWrites: number;
  /** TransactWriteItems cancelled with TransactionConflict. */
  transactWriteConflicts: number;
  /** PutItem / UpdateItem / DeleteItem answered TransactionConflictException. */
  singleWriteConflicts: number;
  /** TransactGetItems cancelled with TransactionConflict. */
  transactGetConflicts: number;
  /** TransactWriteItems answered TransactionInProgressException (its token still in flight). */
  tokensInProgress: number;
  /** Requests forwarded to DynamoDB Local. */
  forwarded: number;
}

export interface ConflictProxyHandle {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  readonly upstream: string;
  /** A copy of the counters so far. */
  stats(): ConflictProxyStats;
  /** Items held by transactions in flight right now (tests). */
  heldItems(): number;
  /** Stop listening and close open connections. Idempotent. */
  stop(): Promise<void>;
}

const TARGET_PREFIX = 'DynamoDB_20120810.';
const ERROR_PREFIX = 'com.amazonaws.dynamodb.v20120810#';
const CONFLICT_MESSAGE = 'Transaction is ongoing for the item';
const MAX_BODY_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_HOLD_MS = 100;

type AttributeMap = Record<string, unknown>;

interface InFlightGet {
  readonly keys: readonly string[];
  readonly doomed: Set<number>;
}

/** Is the layer asked for (`RTP_DYNAMODB_CONFLICTS=1`)? */
export function conflictsFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.RTP_DYNAMODB_CONFLICTS === '1' || env.RTP_DYNAMODB_CONFLICTS === 'true';
}

/** The extra hold of a transaction, from `RTP_DYNAMODB_CONFLICT_LATENCY_MS` (default 0). */
export function conflictLatencyFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  return wholeMsFromEnv(env, 'RTP_DYNAMODB_CONFLICT_LATENCY_MS') ?? 0;
}

/** The cap on a transaction's hold, from `RTP_DYNAMODB_CONFLICT_MAX_HOLD_MS` (default 100). */
export function conflictMaxHoldFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  return wholeMsFromEnv(env, 'RTP_DYNAMODB_CONFLICT_MAX_HOLD_MS') ?? DEFAULT_MAX_HOLD_MS;
}

function wholeMsFromEnv(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 0) {
    throw new Error(`${name} must be a whole number of milliseconds, not ${raw}`);
  }
  return ms;
}

export async function startConflictProxy(options: ConflictProxyOptions): Promise<ConflictProxyHandle> {
  const upstream = new URL(options.upstream);
  if (upstream.protocol !== 'http:') throw new Error(`upstream must be http://, not ${options.upstream}`);
  const latencyMs = options.transactionLatencyMs ?? 0;
  const maxHoldMs = Math.max(options.maxHoldMs ?? DEFAULT_MAX_HOLD_MS, latencyMs);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const stats: ConflictProxyStats = {
    transactWrites: 0,
    transactWriteConflicts: 0,
    singleWriteConflicts: 0,
    transactGetConflicts: 0,
    tokensInProgress: 0,
    forwarded: 0,
  };
  /** Item -> number of TransactWriteItems in flight holding it (a count: never below one holder each). */
  const heldByTransactions = new Map<string, number>();
  /** Item -> single writes in flight (they make a concurrent TransactGetItems lose). */
  const singleWrites = new Map<string, number>();
  const tokens = new Set<string>();
  const gets = new Set<InFlightGet>();
  const keySchemas = new Map<string, Promise<readonly string[]>>();

  const forward = (
    req: Pick<http.IncomingMessage, 'method' | 'url' | 'headers'>,
    body: Buffer,
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> =>
    new Promise((resolve, reject) => {
      stats.forwarded++;
      const outgoing = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, 'content-length': String(body.length) },
          agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }),
          );
          res.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });

  /** The table's key attribute names, from DescribeTable on DynamoDB Local (cached per table). */
  const keySchema = (req: http.IncomingMessage, table: string): Promise<readonly string[]> => {
    let cached = keySchemas.get(table);
    if (cached === undefined) {
      const describe = Buffer.from(JSON.stringify({ TableName: table }));
      cached = forward(
        {
          method: 'POST',
          url: '/',
          headers: {
            ...req.headers,
            'x-amz-target': `${TARGET_PREFIX}DescribeTable`,
            'content-type': 'application/x-amz-json-1.0',
          },
        },
        describe,
      ).then((answer) => {
        const parsed = parseJson(answer.body) as {
          Table?: { KeySchema?: Array<{ AttributeName?: string }> };
        };
        const names = (parsed?.Table?.KeySchema ?? []).map((k) => k.AttributeName ?? '');
        if (answer.status !== 200 || names.length === 0) keySchemas.delete(table);
        return names;
      });
      cached.catch(() => keySchemas.delete(table));
      keySchemas.set(table, cached);
    }
    return cached;
  };

  const itemKey = async (
    req: http.IncomingMessage,
    table: unknown,
    key: unknown,
    item: unknown,
  ): Promise<string | undefined> => {
    if (typeof table !== 'string') return undefined;
    if (isObject(key)) return canonicalKey(table, key, Object.keys(key));
    if (!isObject(item)) return undefined;
    const names = await keySchema(req, table);
    return names.length === 0 ? undefined : canonicalKey(table, item, names);
  };

  const hold = (map: Map<string, number>, keys: readonly string[]): (() => void) => {
    for (const key of keys) map.set(key, (map.get(key) ?? 0) + 1);
    for (const get of gets) get.keys.forEach((key, index) => keys.includes(key) && get.doomed.add(index));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const key of keys) {
        const left = (map.get(key) ?? 1) - 1;
        if (left <= 0) map.delete(key);
        else map.set(key, left);
      }
    };
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    const input = operation === '' ? undefined : parseJson(body);
    const send = async (): Promise<void> => relay(res, await forward(req, body));

    if (!isObject(input)) return send();
    switch (operation) {
      case 'TransactWriteItems': {
        stats.transactWrites++;
        const actions = Array.isArray(input.TransactItems) ? input.TransactItems : [];
        const keys: Array<string | undefined> = [];
        for (const action of actions) {
          const [kind] = isObject(action) ? Object.values(action) : [];
          keys.push(isObject(kind) ? await itemKey(req, kind.TableName, kind.Key, kind.Item) : undefined);
        }
        // From here to hold(): no await, so the check and the hold are one step.
        const token = typeof input.ClientRequestToken === 'string' ? input.ClientRequestToken : undefined;
        if (token !== undefined && tokens.has(token)) {
          stats.tokensInProgress++;
          return answerError(res, 'TransactionInProgressException', {
            Message: 'Transaction with the given request token is already in progress',
          });
        }
        const conflicting = keys.map((key) => key !== undefined && heldByTransactions.has(key));
        if (conflicting.some(Boolean)) {
          stats.transactWriteConflicts++;
          return answerCancelled(res, conflicting);
        }
        const held = keys.filter((key): key is string => key !== undefined);
        const release = hold(heldByTransactions, held);
        const cap = setTimeout(release, maxHoldMs);
        if (token !== undefined) tokens.add(token);
        try {
          if (latencyMs > 0) await sleep(latencyMs);
          return await send();
        } finally {
          clearTimeout(cap);
          release();
          if (token !== undefined) tokens.delete(token);
        }
      }
      case 'PutItem':
      case 'UpdateItem':
      case 'DeleteItem': {
        const key = await itemKey(req, input.TableName, input.Key, input.Item);
        if (key === undefined) return send();
        if (heldByTransactions.has(key)) {
          stats.singleWriteConflicts++;
          return answerError(res, 'TransactionConflictException', { message: CONFLICT_MESSAGE });
        }
        const release = hold(singleWrites, [key]);
        try {
          return await send();
        } finally {
          release();
        }
      }
      case 'TransactGetItems': {
        const actions = Array.isArray(input.TransactItems) ? input.TransactItems : [];
        const keys = await Promise.all(
          actions.map((action) =>
            isObject(action) && isObject(action.Get)
              ? itemKey(req, action.Get.TableName, action.Get.Key, undefined)
              : Promise.resolve(undefined),
          ),
        );
        const busy = (key: string | undefined): boolean =>
          key !== undefined && (heldByTransactions.has(key) || singleWrites.has(key));
        const conflicting = keys.map(busy);
        if (conflicting.some(Boolean)) {
          stats.transactGetConflicts++;
          return answerCancelled(res, conflicting);
        }
        const get: InFlightGet = { keys: keys.map((key) => key ?? ''), doomed: new Set() };
        gets.add(get);
        try {
          const answer = await forward(req, body);
          if (answer.status === 200 && get.doomed.size > 0) {
            stats.transactGetConflicts++;
            return answerCancelled(
              res,
              keys.map((_, index) => get.doomed.has(index)),
            );
          }
          return relay(res, answer);
        } finally {
          gets.delete(get);
        }
      }
      case 'DeleteTable':
      case 'CreateTable':
        if (typeof input.TableName === 'string') keySchemas.delete(input.TableName);
        return send();
      default:
        return send();
    }
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      // DynamoDB Local unreachable (or the request unreadable): the client sees a broken connection,
      // as it would without the proxy.
      res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: options.port ?? 0 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    upstream: options.upstream,
    stats: () => ({ ...stats }),
    heldItems: () => heldByTransactions.size,
    stop: () => {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      });
      return stopping;
    },
  };
}

/** Table + key attributes (sorted by name), as one string. */
function canonicalKey(table: string, item: AttributeMap, names: readonly string[]): string {
  return JSON.stringify([table, [...names].sort().map((name) => [name, item[name]])]);
}

function answerCancelled(res: http.ServerResponse, conflicting: readonly boolean[]): void {
  const codes = conflicting.map((conflict) => (conflict ? 'TransactionConflict' : 'None'));
  answerError(res, 'TransactionCanceledException', {
    Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
    CancellationReasons: conflicting.map((conflict) =>
      conflict ? { Code: 'TransactionConflict', Message: CONFLICT_MESSAGE } : { Code: 'None' },
    ),
  });
}

function answerError(res: http.ServerResponse, type: string, fields: Record<string, unknown>): void {
  const payload = Buffer.from(JSON.stringify({ __type: `${ERROR_PREFIX}${type}`, ...fields }));
  res.writeHead(400, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': String(payload.length),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(payload);
}

function relay(
  res: http.ServerResponse,
  answer: { status: number; headers: http.IncomingHttpHeaders; body: Buffer },
): void {
  const headers = { ...answer.headers };
  delete headers['transfer-encoding'];
  headers['content-length'] = String(answer.body.length);
  res.writeHead(answer.status, headers);
  res.end(answer.body);
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is AttributeMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
