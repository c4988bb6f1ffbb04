/**
 * Counts what the pipeline asks of AWS, through the service's own instrumentation seam
 * (shared/adapters/instrumentation.ts): SDK middleware on every DynamoDB and SQS client the
 * functions build (the benchmark's own clients and the local SQS poller's are not counted).
 *
 * Per DynamoDB request: operation, tables, latency, DynamoDB Local's ConsumedCapacity (an
 * initialize-step middleware adds `ReturnConsumedCapacity: 'TOTAL'`) and the request units by
 * AWS's rules from the request as sent (dynamodb-units.ts: DynamoDB Local under-reports
 * transactions). Per SQS send: requests and 64 KB chunks.
 *
 * It also observes, without touching the service, two moments the payment records cannot give:
 *  - the commit of each terminal transition (the transaction that sets a payment SETTLED or
 *    REJECTED returned): when the status really became terminal;
 *  - each settled record's span inside the settle function, from its Powertools idempotency
 *    record (PutItem, INPROGRESS) to its completion (UpdateItem): the settle function's busy time
 *    when the local stack does not report invocation durations.
 * A request the meter cannot read is counted as unanalyzed and otherwise left alone: measuring
 * never changes what the service does (apart from asking for ConsumedCapacity).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { ClientInstrumentation } from '../../shared/adapters/instrumentation';
import { ItemSizeRegistry, parseUpdateExpression, writeUnits, type TableCatalog } from './dynamodb-units';
import { epochNow } from './clock';
import { distribution, type Distribution } from './stats';

export interface MeterConfig {
  readonly catalog: TableCatalog;
  /** Table name -> short label (`payments`, `ledger`...). */
  readonly tableLabels: ReadonlyMap<string, string>;
  readonly paymentsTable: string;
  readonly idempotencyTable: string;
}

export type TerminalStatus = 'SETTLED' | 'REJECTED';

export interface DynamoOpSummary {
  /** e.g. `TransactWriteItems[6] payments+ledger`. */
  readonly key: string;
  readonly operation: string;
  readonly tables: readonly string[];
  readonly items: number;
  readonly requests: number;
  readonly failed: number;
  /** Modelled by AWS's rules (failed writes included: AWS bills condition failures too). */
  readonly wru: number;
  readonly indexWru: number;
  /** Read units as DynamoDB Local reported them (right for single-item reads). */
  readonly rru: number;
  /** Everything DynamoDB Local reported (reads and writes), for comparison. */
  readonly reportedUnits: number;
  readonly bytesPut: number;
  readonly latencyMs: Distribution | undefined;
  /** Queries and scans: the deadline sweeper's work, independent of the payment rate. */
  readonly background: boolean;
}

export interface MeterSnapshot {
  readonly dynamodb: readonly DynamoOpSummary[];
  readonly sqs: {
    readonly sendRequests: number;
    readonly messages: number;
    readonly chunks: number;
    readonly bodyBytes: number;
  };
  readonly settleRecordSpans: {
    readonly count: number;
    readonly totalMs: number;
    readonly distribution: Distribution | undefined;
  };
  readonly unanalyzed: number;
}

interface OpStats {
  operation: string;
  tables: string[];
  items: number;
  requests: number;
  failed: number;
  wru: number;
  indexWru: number;
  rru: number;
  reportedUnits: number;
  bytesPut: number;
  durations: number[];
}

interface RequestState {
  readonly operation: string;
  readonly started: number;
  body?: Record<string, unknown>;
}

const CAPACITY_OPERATIONS = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactGetItems',
  'TransactWriteItems',
]);
const READ_OPERATIONS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);
const SQS_CHUNK_BYTES = 64 * 1024;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The request body as sent (the SDK serializes to a string or, in newer versions, a Uint8Array). */
function wireBody(request: unknown): Record<string, unknown> | undefined {
  if (!isObject(request)) return undefined;
  const { body } = request;
  const text =
    typeof body === 'string'
      ? body
      : body instanceof Uint8Array
        ? Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')
        : undefined;
  if (text === undefined) return undefined;
  const parsed: unknown = JSON.parse(text);
  return isObject(parsed) ? parsed : undefined;
}

function reportedUnits(output: unknown): number {
  if (!isObject(output)) return 0;
  const consumed = output.ConsumedCapacity;
  const entries = Array.isArray(consumed) ? consumed : [consumed];
  return entries.reduce<number>(
    (n, e) => n + (isObject(e) && typeof e.CapacityUnits === 'number' ? e.CapacityUnits : 0),
    0,
  );
}

function tablesOf(operation: string, body: Record<string, unknown>): string[] {
  const names = new Set<string>();
  if (typeof body.TableName === 'string') names.add(body.TableName);
  if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
    for (const entry of Array.isArray(body.TransactItems) ? body.TransactItems : []) {
      const spec = isObject(entry) ? Object.values(entry)[0] : undefined;
      if (isObject(spec) && typeof spec.TableName === 'string') names.add(spec.TableName);
    }
  }
  if (isObject(body.RequestItems)) for (const name of Object.keys(body.RequestItems)) names.add(name);
  return [...names];
}

function stringValue(value: unknown): string | undefined {
  return isObject(value) && typeof value.S === 'string' ? value.S : undefined;
}

export class AwsMeter {
  readonly registry: ItemSizeRegistry;
  /** Terminal transitions by payment id (first commit wins). */
  readonly commits = new Map<string, { readonly at: number; readonly status: TerminalStatus }>();
  private readonly ops = new Map<string, OpStats>();
  private readonly sqsCounts = { sendRequests: 0, messages: 0, chunks: 0, bodyBytes: 0 };
  private readonly idempotencyStarts = new Map<string, number>();
  private spans: number[] = [];
  private unanalyzed = 0;
  private readonly states = new WeakMap<object, RequestState>();

  constructor(private readonly config: MeterConfig) {
    this.registry = new ItemSizeRegistry(config.catalog);
  }

  /** Forget the counts so far (the size registry and terminal commits are kept). */
  resetCounts(): void {
    this.ops.clear();
    Object.assign(this.sqsCounts, { sendRequests: 0, messages: 0, chunks: 0, bodyBytes: 0 });
    this.spans = [];
    this.unanalyzed = 0;
  }

  readonly instrumentation: ClientInstrumentation = {
    dynamodb: (client: DynamoDBClient) => this.instrumentDynamoDb(client),
    sqs: (client: SQSClient) => this.instrumentSqs(client),
  };

  private instrumentDynamoDb(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = (context.commandName ?? '').replace(/Command$/, '');
        if (CAPACITY_OPERATIONS.has(operation) && isObject(args.input)) {
          Object.assign(args.input, { ReturnConsumedCapacity: 'TOTAL' });
        }
        const state: RequestState = { operation, started: epochNow() };
        this.states.set(context, state);
        try {
          const result = await next(args);
          this.completeDynamo(state, result.output, true);
          return result;
        } catch (error) {
          this.completeDynamo(state, undefined, false);
          throw error;
        }
      },
      { step: 'initialize', name: 'benchMeterDynamoDb', priority: 'high' },
    );
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const state = this.states.get(context);
        if (state !== undefined && state.body === undefined) {
          try {
            state.body = wireBody(args.request);
          } catch {
            state.body = undefined;
          }
        }
        return next(args);
      },
      { step: 'build', name: 'benchMeterDynamoDbBody', priority: 'low' },
    );
  }

  private instrumentSqs(client: SQSClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = (context.commandName ?? '').replace(/Command$/, '');
        const input: unknown = args.input;
        if (isObject(input) && (operation === 'SendMessage' || operation === 'SendMessageBatch')) {
          const entries =
            operation === 'SendMessage' ? [input] : Array.isArray(input.Entries) ? input.Entries : [];
          const bytes = entries.map((e) => (isObject(e) ? messageBytes(e) : 0));
          const total = bytes.reduce((n, b) => n + b, 0);
          this.sqsCounts.sendRequests++;
          this.sqsCounts.messages += entries.length;
          this.sqsCounts.bodyBytes += total;
          // A (batch) request is billed per started 64 KB of its whole payload.
          this.sqsCounts.chunks += Math.max(1, Math.ceil(total / SQS_CHUNK_BYTES));
        }
        return next(args);
      },
      { step: 'initialize', name: 'benchMeterSqs' },
    );
  }

  private completeDynamo(state: RequestState, output: unknown, ok: boolean): void {
    const ended = epochNow();
    try {
      const body = state.body;
      if (body === undefined) {
        this.unanalyzed++;
        return;
      }
      const { operation } = state;
      const writes = writeUnits(this.registry, this.config.catalog, operation, body);
      const tables = tablesOf(operation, body).map((t) => this.config.tableLabels.get(t) ?? t);
      const index = typeof body.IndexName === 'string' ? `/${body.IndexName}` : '';
      const items = writes?.items ?? 1;
      const key = `${operation}${items > 1 ? `[${items}]` : ''} ${tables.join('+')}${index}`;
      const stats = this.ops.get(key) ?? {
        operation,
        tables,
        items,
        requests: 0,
        failed: 0,
        wru: 0,
        indexWru: 0,
        rru: 0,
        reportedUnits: 0,
        bytesPut: 0,
        durations: [],
      };
      this.ops.set(key, stats);
      stats.requests++;
      stats.durations.push(ended - state.started);
      const reported = reportedUnits(output);
      stats.reportedUnits += reported;
      if (READ_OPERATIONS.has(operation)) stats.rru += reported;
      if (writes !== undefined) {
        stats.wru += writes.wru;
        stats.indexWru += writes.indexWru;
      }
      if (!ok) {
        stats.failed++;
        return;
      }
      if (writes !== undefined) {
        stats.bytesPut += writes.bytesPut;
        writes.commit();
      }
      this.observeTerminal(operation, body, ended);
      this.observeIdempotency(operation, body, state.started, ended);
    } catch {
      this.unanalyzed++;
    }
  }

  /** A successful write that sets a payment's status to SETTLED or REJECTED: its commit time. */
  private observeTerminal(operation: string, body: Record<string, unknown>, at: number): void {
    const updates =
      operation === 'TransactWriteItems'
        ? (Array.isArray(body.TransactItems) ? body.TransactItems : []).map((e) =>
            isObject(e) ? e.Update : undefined,
          )
        : operation === 'UpdateItem'
          ? [body]
          : [];
    for (const update of updates) {
      if (!isObject(update) || update.TableName !== this.config.paymentsTable) continue;
      const pk = isObject(update.Key) ? stringValue(update.Key.pk) : undefined;
      if (pk === undefined || !pk.startsWith('PAY#')) continue;
      const values = isObject(update.ExpressionAttributeValues) ? update.ExpressionAttributeValues : {};
      const effect = parseUpdateExpression(
        typeof update.UpdateExpression === 'string' ? update.UpdateExpression : '',
        isObject(update.ExpressionAttributeNames) ? update.ExpressionAttributeNames : {},
        values,
      );
      if (!effect.set.has('status')) continue;
      const status = statusValue(update, values);
      const paymentId = pk.slice('PAY#'.length);
      if (status !== undefined && !this.commits.has(paymentId)) this.commits.set(paymentId, { at, status });
    }
  }

  private observeIdempotency(
    operation: string,
    body: Record<string, unknown>,
    started: number,
    ended: number,
  ): void {
    if (body.TableName !== this.config.idempotencyTable) return;
    const source = operation === 'PutItem' ? body.Item : body.Key;
    const id = isObject(source) ? stringValue(source.id) : undefined;
    if (id === undefined) return;
    if (operation === 'PutItem') {
      this.idempotencyStarts.set(id, started);
      return;
    }
    const start = this.idempotencyStarts.get(id);
    if ((operation === 'UpdateItem' || operation === 'DeleteItem') && start !== undefined) {
      this.idempotencyStarts.delete(id);
      this.spans.push(ended - start);
    }
  }

  snapshot(): MeterSnapshot {
    const dynamodb = [...this.ops.entries()]
      .map(([key, s]) => ({
        key,
        operation: s.operation,
        tables: s.tables,
        items: s.items,
        requests: s.requests,
        failed: s.failed,
        wru: s.wru,
        indexWru: s.indexWru,
        rru: s.rru,
        reportedUnits: s.reportedUnits,
        bytesPut: s.bytesPut,
        latencyMs: distribution(s.durations),
        background: s.operation === 'Query' || s.operation === 'Scan',
      }))
      .sort((a, b) => b.requests - a.requests);
    return {
      dynamodb,
      sqs: { ...this.sqsCounts },
      settleRecordSpans: {
        count: this.spans.length,
        totalMs: this.spans.reduce((n, s) => n + s, 0),
        distribution: distribution(this.spans),
      },
      unanalyzed: this.unanalyzed,
    };
  }
}

/** The status an update sets: the value of the placeholder assigned to `#status` / `status`. */
function statusValue(
  update: Record<string, unknown>,
  values: Record<string, unknown>,
): TerminalStatus | undefined {
  const expression = typeof update.UpdateExpression === 'string' ? update.UpdateExpression : '';
  const names = isObject(update.ExpressionAttributeNames) ? update.ExpressionAttributeNames : {};
  const statusAlias = Object.entries(names).find(([, v]) => v === 'status')?.[0] ?? 'status';
  const match = new RegExp(`${statusAlias.replace(/[#]/g, '\\#')}\\s*=\\s*(:[A-Za-z0-9_]+)`).exec(expression);
  const value = match?.[1] === undefined ? undefined : stringValue(values[match[1]]);
  return value === 'SETTLED' || value === 'REJECTED' ? value : undefined;
}

function messageBytes(entry: Record<string, unknown>): number {
  let bytes = typeof entry.MessageBody === 'string' ? Buffer.byteLength(entry.MessageBody, 'utf8') : 0;
  if (isObject(entry.MessageAttributes)) {
    for (const [name, value] of Object.entries(entry.MessageAttributes)) {
      bytes += Buffer.byteLength(name, 'utf8');
      if (isObject(value)) {
        for (const v of Object.values(value))
          if (typeof v === 'string') bytes += Buffer.byteLength(v, 'utf8');
      }
    }
  }
  return bytes;
}
