/**
 * The limit, measured in the same run on the same machine: the raw capacity of the stand-ins for
 * exactly what a payment needs from them.
 *
 *  - DynamoDB Local: settlements per second, each the real settlement transaction
 *    (DynamoLedger.settle: payment update + 2 account updates with their conditions + 2 journal
 *    puts + the event put, across the payments and ledger tables) on throwaway keys: payments
 *    written beforehand in the payments table's own item layout (toPaymentItem), each worker on its
 *    own account pairs so concurrent transactions never conflict.
 *  - fauxqs: FIFO messages per second through a full cycle (SendMessage, ReceiveMessage of up to
 *    10, DeleteMessageBatch) on a throwaway queue with 64 message groups.
 *
 * Closed loop at a fixed concurrency for a fixed time; the rate is completions / elapsed time.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoLedger } from '../../shared/adapters/dynamodb/ledger';
import { toPaymentItem } from '../../shared/adapters/dynamodb/payment-items';
import type { CurrencyCode } from '../../shared/domain/currency';
import { type Payment } from '../../shared/domain/payment';
import { epochNow } from './clock';
import { processCpuSeconds } from './cpu';
import { distribution, type Distribution } from './stats';
import { toSettlementMessage } from '../../shared/domain/settlement-message';

export interface ProbeResult {
  readonly what: string;
  readonly concurrency: number;
  readonly seconds: number;
  /** Units completed (settlements, or messages through the full cycle). */
  readonly completed: number;
  readonly failed: number;
  readonly perSecond: number;
  /** Per operation (one settlement; one receive + delete batch). */
  readonly latencyMs: Distribution | undefined;
  /** CPU time the stand-in process used per unit, when its pid is known (DynamoDB Local). */
  readonly cpuMsPerUnit?: number;
}

export interface CapacityResult {
  /** Settlement transactions per second: the best of the concurrency levels tried. */
  readonly dynamodbSettle: ProbeResult;
  readonly dynamodbLevels: readonly ProbeResult[];
  /** FIFO send + receive + delete, messages per second. */
  readonly sqsFifo: ProbeResult;
}

export interface CapacityOptions {
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly tables: { readonly payments: string; readonly ledger: string };
  readonly seconds: number;
  /** DynamoDB Local's JVM, to measure its CPU time per settlement. */
  readonly dynamodbPid?: number;
  readonly dynamodbConcurrency?: readonly number[];
  readonly sqsConcurrency?: number;
  readonly log?: (line: string) => void;
}

const USD = 'USD' as CurrencyCode;
/** Payments prepared per second of probe: more than DynamoDB Local can settle here (it stops early otherwise). */
const PREPARED_PER_SECOND = 400;
const PAIRS_PER_WORKER = 4;

/** Runs `operation` in `concurrency` loops for `seconds`; each call returns the units it completed. */
async function closedLoop(
  what: string,
  concurrency: number,
  seconds: number,
  operation: (worker: number, iteration: number) => Promise<number>,
): Promise<ProbeResult> {
  const started = epochNow();
  const until = started + seconds * 1000;
  const latencies: number[] = [];
  let completed = 0;
  let failed = 0;
  let ended = started;
  let exhausted = false;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let iteration = 0; !exhausted && epochNow() < until; iteration++) {
        const t0 = epochNow();
        let units: number | 'exhausted' = 0;
        try {
          units = await operation(worker, iteration);
        } catch (error) {
          if (error instanceof ExhaustedError) units = 'exhausted';
          else failed++;
        }
        if (units === 'exhausted') {
          exhausted = true;
          break;
        }
        const t1 = epochNow();
        if (units > 0) {
          completed += units;
          latencies.push(t1 - t0);
        }
        ended = Math.max(ended, t1);
      }
    }),
  );
  const elapsed = Math.max(0.001, (ended - started) / 1000);
  return {
    what,
    concurrency,
    seconds: elapsed,
    completed,
    failed,
    perSecond: completed / elapsed,
    latencyMs: distribution(latencies),
  };
}

/** Adds the CPU time `pid` spent per completed unit while `probe` ran. */
async function withCpu(pid: number | undefined, probe: () => Promise<ProbeResult>): Promise<ProbeResult> {
  const before = pid === undefined ? undefined : processCpuSeconds(pid);
  const result = await probe();
  const after = pid === undefined ? undefined : processCpuSeconds(pid);
  if (before === undefined || after === undefined || result.completed === 0) return result;
  return { ...result, cpuMsPerUnit: ((after - before) * 1000) / result.completed };
}

class ExhaustedError extends Error {
  override readonly name = 'ExhaustedError';
}

export async function measureCapacity(opts: CapacityOptions): Promise<CapacityResult> {
  const log = opts.log ?? (() => undefined);
  // DynamoDB Local is a JVM: a short unreported run first, so the levels compare warm.
  await probeSettlements({ ...opts, seconds: Math.min(1, opts.seconds) }, 8);
  const levels: ProbeResult[] = [];
  for (const concurrency of opts.dynamodbConcurrency ?? [8, 32]) {
    log(`capacity: DynamoDB Local settlement transactions at concurrency ${concurrency} (${opts.seconds} s)`);
    levels.push(await probeSettlements(opts, concurrency));
  }
  const best = levels.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
  log(`capacity: fauxqs FIFO send + receive + delete (${opts.seconds} s)`);
  const sqsFifo = await probeSqsFifo(opts.sqs, opts.seconds, opts.sqsConcurrency ?? 4);
  return { dynamodbSettle: best, dynamodbLevels: levels, sqsFifo };
}

async function probeSettlements(opts: CapacityOptions, concurrency: number): Promise<ProbeResult> {
  const documents = DynamoDBDocumentClient.from(opts.dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const ledger = new DynamoLedger(documents, opts.tables);
  const runId = randomUUID().slice(0, 8);
  const accounts = Array.from(
    { length: concurrency * PAIRS_PER_WORKER * 2 },
    (_, i) => `bench-capacity-${runId}-${i}`,
  );
  await inBatches(accounts, 16, (accountId) =>
    ledger.putAccount({
      accountId,
      ownerPartnerId: 'bench',
      currency: USD,
      status: 'OPEN',
      balanceMinor: 100_000_000_000,
      overdraftLimitMinor: 0,
    }),
  );
  const now = Date.now();
  const count = Math.ceil(PREPARED_PER_SECOND * opts.seconds);
  // Payment i goes to worker i % concurrency, between the accounts of one of that worker's pairs.
  const byWorker: Payment[][] = Array.from({ length: concurrency }, () => []);
  for (let i = 0; i < count; i++) {
    const worker = i % concurrency;
    const pair = worker * PAIRS_PER_WORKER + (Math.floor(i / concurrency) % PAIRS_PER_WORKER);
    byWorker[worker]?.push({
      paymentId: `bench-capacity-${runId}-${i}`,
      partnerId: 'bench',
      status: 'ACCEPTED',
      references: { endToEndId: `CAP-${runId}-${i}` },
      debtorAccount: accounts[pair * 2] ?? '',
      creditorAccount: accounts[pair * 2 + 1] ?? '',
      amount: { amountMinor: 100 + (i % 1000), currency: USD },
      source: 'pacs.008',
      contentHash: `${runId}-${i}`,
      createdAt: new Date(now).toISOString(),
      acceptedAt: new Date(now).toISOString(),
      deadline: new Date(now + 3_600_000).toISOString(),
      version: 2,
    });
  }
  await writePayments(documents, opts.tables.payments, byWorker.flat());
  return withCpu(opts.dynamodbPid, () =>
    closedLoop(
      'DynamoDB Local settlement TransactWriteItems',
      concurrency,
      opts.seconds,
      async (worker, iteration) => {
        const payment = byWorker[worker]?.[iteration];
        if (payment === undefined) throw new ExhaustedError('out of prepared payments');
        const outcome = await ledger.settle(
          toSettlementMessage(payment, payment.createdAt),
          new Date().toISOString(),
          randomUUID(),
        );
        return outcome.kind === 'settled' ? 1 : 0;
      },
    ),
  );
}

async function inBatches<T>(
  items: readonly T[],
  size: number,
  action: (item: T) => Promise<unknown>,
): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(action));
}

async function writePayments(
  documents: DynamoDBDocumentClient,
  table: string,
  payments: readonly Payment[],
): Promise<void> {
  const chunks: Payment[][] = [];
  for (let i = 0; i < payments.length; i += 25) chunks.push(payments.slice(i, i + 25));
  await inBatches(chunks, 4, async (chunk) => {
    let pending: Record<string, unknown>[] = chunk.map((p) => toPaymentItem(p));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt === 10) throw new Error('BatchWriteItem kept returning unprocessed items');
      const out = await documents.send(
        new BatchWriteCommand({
          RequestItems: { [table]: pending.map((Item) => ({ PutRequest: { Item } })) },
        }),
      );
      pending = (out.UnprocessedItems?.[table] ?? []).flatMap((r) =>
        r.PutRequest?.Item ? [r.PutRequest.Item] : [],
      );
    }
  });
}

async function probeSqsFifo(sqs: SQSClient, seconds: number, concurrency: number): Promise<ProbeResult> {
  const created = await sqs.send(
    new CreateQueueCommand({
      QueueName: `bench-capacity-${randomUUID().slice(0, 8)}.fifo`,
      Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false', VisibilityTimeout: '30' },
    }),
  );
  const queueUrl = created.QueueUrl;
  if (queueUrl === undefined) throw new Error('CreateQueue returned no URL');
  // About the size of a settlement message.
  const body = JSON.stringify({ v: 1, paymentId: randomUUID(), padding: 'x'.repeat(400) });
  let sending = true;
  let sequence = 0;
  try {
    const producers = Array.from({ length: concurrency }, async () => {
      while (sending) {
        const id = `m${sequence++}`;
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: body,
            MessageGroupId: `g${sequence % 64}`,
            MessageDeduplicationId: id,
          }),
        );
      }
    });
    const result = await closedLoop('fauxqs FIFO send + receive + delete', concurrency, seconds, async () => {
      const received = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      const messages = received.Messages ?? [];
      if (messages.length === 0) return 0;
      const deleted = await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
      return deleted.Successful?.length ?? 0;
    });
    sending = false;
    await Promise.all(producers);
    return result;
  } finally {
    sending = false;
    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl })).catch(() => undefined);
  }
}
