/**
 * The simulated world of the chaos tests: for one scenario, its own copies of the template's tables, its
 * own FIFO queue and FIFO DLQ (short visibility timeout, so redeliveries come fast), accounts, a submit
 * side (the REAL submitPayment use case on the DynamoDB store and the SQS queue adapter) and a settle
 * function (the REAL createSettleHandler on the REAL DynamoDB adapters) driven by the REAL local poller
 * (startSqsPoller), with faults injected through SDK middleware (faults.ts).
 *
 * The settle function runs as Lambda runs it (sandboxes.ts): a pool of sandboxes, each serving one
 * invocation at a time with its own SDK clients and handler instance. `sharedHandler: true` instead serves
 * every concurrent invocation from one handler instance, as tools/local/stack.ts does.
 *
 * Everything is read back from the tables and the queues directly (snapshot()), never from what the code
 * under test says it did.
 */
import { createHash, randomUUID } from 'node:crypto';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createSettleHandler } from '../../shared/edges/queue/settle-consumer';
import { localSqsClient } from '../../tools/local/aws-clients';
import {
  conflictLatencyFromEnv,
  conflictMaxHoldFromEnv,
  conflictsFromEnv,
  startConflictProxy,
  type ConflictProxyHandle,
  type ConflictProxyStats,
} from '../../tools/local/emulators/dynamodb-conflicts';
import type { LogDetails, Logger } from '../../tools/local/logger';
import { startSqsPoller, type SqsPoller, type SqsPollerStats } from '../../tools/local/sqs-poller';
import { registerClientInstrumentation } from '../../shared/adapters/instrumentation';
import type { AccountStatus } from '../../shared/domain/account';
import type { CurrencyCode } from '../../shared/domain/currency';
import type { PaymentInstruction } from '../../shared/domain/payment';
import type { Clock } from '../../shared/domain/ports';
import { realRetryEnv, settleRetryPolicy } from '../../shared/domain/retry';
import { ledgerCommitMarginMs } from '../../shared/adapters/aws-clients';
import { sqsMessageVisibility } from '../../shared/adapters/sqs/visibility';
import { sqsDeadLetterQueue } from '../../shared/adapters/sqs/dead-letters';
import { isPermanentRequestError } from '../../shared/adapters/aws-errors';
import { submitPayment, type SubmitResult } from '../../shared/app/submit';
import { buildDataAdapters, type DataAdapters } from '../../shared/wiring/data';
import type { Config } from '../../shared/config/config';
import { testConfig } from '../support/adapters';
import {
  createIsolatedFifoQueue,
  createIsolatedTables,
  standInEnv,
  type IsolatedFifoQueue,
  type IsolatedTables,
} from '../support/stand-ins';
import {
  FaultInjector,
  idempotencyHash,
  paymentIdOfBody,
  plannedIdOf,
  worstCaseDelayMs,
  type DelayModel,
  type FaultKind,
} from './faults';

/** Faults that fail the whole invocation, so every record of its batch. */
const WHOLE_BATCH_FAULTS: readonly string[] = ['crash-before', 'crash-after', 'hang', 'slow'];
import { immortalProcess, SandboxProcess, SettleFunction, type Sandbox } from './sandboxes';
import type { FaultTouch, Snapshot, TimeoutEvidence } from './invariants';
import { defaultRetryVisibilityPolicy } from '../../shared/domain/retry-visibility';
import { messageGroupId } from '../../shared/domain/settlement-message';
export { seededRandom } from '../../shared/testing/random';

export const USD = 'USD' as CurrencyCode;
export const PARTNER = 'partner-chaos';

/** A clock the test can move forward (deadlines), shared by the submit and settle sides. */
export class OffsetClock implements Clock {
  offsetMs = 0;
  /** The jumps injected as faults (advance), not the test's own fast-forward at the end (fastForward). */
  readonly jumps: Array<{ readonly fromMs: number; readonly byMs: number }> = [];
  now(): number {
    return Date.now() + this.offsetMs;
  }
  /** A clock jump, injected as a fault: recorded as evidence for the timeout invariant. */
  advance(ms: number): void {
    this.jumps.push({ fromMs: this.now(), byMs: ms });
    this.offsetMs += ms;
  }
  /**
   * The test moving time on after the run (to let the sweeper end what the DLQ holds): what production
   * would reach by waiting, so not a fault and not evidence.
   */
  fastForward(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface AccountSpec {
  readonly id: string;
  /** The partner that owns the account (default: PARTNER, the one that instructs every payment). */
  readonly owner?: string;
  readonly balanceMinor: number;
  readonly overdraftLimitMinor?: number;
  readonly status?: AccountStatus;
}

export interface PaymentSpec {
  /** Planned payment id (resubmissions that create may get `<id>~<n>`). */
  readonly id: string;
  readonly endToEndId: string;
  readonly debtor: string;
  readonly creditor: string;
  readonly amountMinor: number;
}

export interface WorldOptions {
  readonly name: string;
  /** Queue visibility timeout = function timeout, seconds (default 2). */
  readonly visibilityTimeoutSeconds?: number;
  /** Receives before the queue moves a message to the DLQ (default 4). */
  readonly maxReceiveCount?: number;
  readonly batchSize?: number;
  /** Poller instances on the same queue (default 2) and pollers in each (default 2). */
  readonly pollerInstances?: number;
  readonly pollerConcurrency?: number;
  readonly slaSeconds?: number;
  /** Seeded randomness for the retry jitter. */
  readonly random?: () => number;
  /** Serve every invocation from one handler instance, as tools/local/stack.ts does (default false). */
  readonly sharedHandler?: boolean;
  /**
   * Talk to DynamoDB Local through the conflict layer (tools/local/emulators/dynamodb-conflicts.ts), so
   * concurrent transactions on one item conflict as on AWS. Default: $RTP_DYNAMODB_CONFLICTS=1, with
   * $RTP_DYNAMODB_CONFLICT_LATENCY_MS as the extra hold of each transaction and
   * $RTP_DYNAMODB_CONFLICT_MAX_HOLD_MS as the cap on a hold (default 100).
   */
  readonly conflicts?: boolean | { readonly transactionLatencyMs?: number; readonly maxHoldMs?: number };
}

/** What the submit side sent to the queue, in order (the FIFO order of each group). */
export interface SentMessage {
  readonly paymentId: string;
  readonly groupId: string;
  readonly body: string;
}

/** The pollers' log, kept in memory (expected failures are the point here) and shown on demand. */
export class MemoryLogger implements Logger {
  readonly lines: string[] = [];
  info(message: string, details?: LogDetails): void {
    this.#add('info', message, details);
  }
  warn(message: string, details?: LogDetails): void {
    this.#add('warn', message, details);
  }
  error(message: string, details?: LogDetails): void {
    this.#add('error', message, details);
  }
  #add(level: string, message: string, details?: LogDetails): void {
    const line = `${new Date().toISOString()} ${level} ${message}${details === undefined ? '' : ` ${describe(details)}`}`;
    if (process.env.RTP_TEST_VERBOSE === '1') console.info(line);
    this.lines.push(line);
    if (this.lines.length > 2_000) this.lines.shift();
  }
}

function describe(details: LogDetails): string {
  return JSON.stringify(details, (_key, value: unknown) =>
    value instanceof Error ? `${value.name}: ${value.message}` : value,
  );
}

export interface WorldStats {
  readonly pollers: SqsPollerStats[];
  readonly sandboxes: number;
  readonly sandboxesDied: number;
  readonly timeoutKills: number;
  readonly faults: Record<string, number>;
  /** The conflict layer's counters, when it is on. */
  readonly conflicts?: ConflictProxyStats;
}

export class ChaosWorld {
  readonly clock = new OffsetClock();
  readonly faults: FaultInjector;
  /** Successful SendMessage calls of the submit side, in order. */
  readonly sent: SentMessage[] = [];
  /** ApproximateReceiveCount of every delivery of each payment's messages, in delivery order. */
  readonly deliveries = new Map<string, number[]>();
  /** Deletes the event source mapping performed, per payment (after the `lost-delete` faults). */
  readonly deletes = new Map<string, number>();
  /** Invocations that ran into the Lambda time-out, per payment. */
  readonly timeouts = new Map<string, number>();
  /** Invocations still running per payment (zombies included). */
  readonly #runningByPayment = new Map<string, number>();
  /**
   * Faults that failed a whole invocation (crash, hang, zombie) struck on another record of the batch,
   * per payment of the batch: they cost it a receive too.
   */
  readonly #batchFaults = new Map<string, Array<{ paymentId: string; kind: string; site: string }>>();
  /** Messages taken out of the DLQ so far. */
  readonly dlq: Array<{ readonly body: string; readonly paymentId?: string }> = [];
  readonly opening = new Map<string, AccountSpec>();
  readonly log = new MemoryLogger();
  /** Submit requests made per planned payment id. */
  readonly #submits = new Map<string, number>();
  readonly #pollers: SqsPoller[] = [];
  readonly #settle: SettleFunction;
  readonly #submitSide: DataAdapters;
  readonly #admin: DataAdapters;
  readonly #sqs: SQSClient;
  readonly maxReceiveCount: number;
  readonly visibilityTimeoutSeconds: number;
  readonly slaSeconds: number;

  private constructor(
    readonly options: WorldOptions,
    readonly tables: IsolatedTables,
    readonly queue: IsolatedFifoQueue,
    readonly config: Config,
    readonly conflictLayer: ConflictProxyHandle | undefined,
  ) {
    this.maxReceiveCount = options.maxReceiveCount ?? 4;
    this.visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? 2;
    this.slaSeconds = options.slaSeconds ?? 30;
    // A zombie's request lands after two visibility timeouts: past its own INPROGRESS record's expiry (the
    // invocation deadline), so a redelivery gets through Powertools idempotency and races it in DynamoDB.
    this.faults = new FaultInjector(config.tables, {
      slowMs: 2 * this.visibilityTimeoutSeconds * 1000 + 1_500,
    });
    this.#sqs = localSqsClient(standInEnv().RTP_SQS_ENDPOINT);
    this.#admin = buildDataAdapters(config);
    this.#submitSide = this.#instrumented(immortalProcess, { recordSends: true });
    this.#settle = new SettleFunction(
      (process) => this.#buildSandbox(process),
      options.sharedHandler ?? false,
      (event, struck) => this.#recordBatchFaults(event, struck),
    );
  }

  static async create(options: WorldOptions): Promise<ChaosWorld> {
    const conflicts = options.conflicts ?? conflictsFromEnv();
    const conflictLayer =
      conflicts === false
        ? undefined
        : await startConflictProxy({
            upstream: standInEnv().RTP_DYNAMODB_ENDPOINT,
            transactionLatencyMs:
              (typeof conflicts === 'object' ? conflicts.transactionLatencyMs : undefined) ??
              conflictLatencyFromEnv(),
            maxHoldMs:
              (typeof conflicts === 'object' ? conflicts.maxHoldMs : undefined) ?? conflictMaxHoldFromEnv(),
          });
    const [tables, queue] = await Promise.all([
      createIsolatedTables(),
      createIsolatedFifoQueue(`chaos-${options.name}`, {
        visibilityTimeout: options.visibilityTimeoutSeconds ?? 2,
        maxReceiveCount: options.maxReceiveCount ?? 4,
      }),
    ]).catch(async (error: unknown) => {
      await conflictLayer?.stop();
      throw error;
    });
    const config = testConfig({
      ...tables.env,
      PAYMENTS_QUEUE_URL: queue.queueUrl,
      SETTLE_MAX_RECEIVE_COUNT: String(options.maxReceiveCount ?? 4),
      SLA_SECONDS: String(options.slaSeconds ?? 30),
      ...(conflictLayer ? { RTP_DYNAMODB_ENDPOINT: conflictLayer.endpoint } : {}),
    });
    return new ChaosWorld(options, tables, queue, config, conflictLayer);
  }

  /** Data adapters from the service's own composition root, on clients carrying the fault middleware. */
  #instrumented(process: SandboxProcess, opts: { recordSends?: boolean } = {}): DataAdapters {
    const unregister = registerClientInstrumentation({
      dynamodb: (client) => this.faults.attachDynamoDb(client, process),
      sqs: (client) => {
        if (opts.recordSends === true) this.#recordSends(client);
        this.faults.attachSqs(client);
      },
    });
    try {
      return buildDataAdapters(this.config);
    } finally {
      unregister();
    }
  }

  #recordSends(client: SQSClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const output = await next(args);
        const input = args.input as {
          MessageDeduplicationId?: string;
          MessageGroupId?: string;
          MessageBody?: string;
        };
        if (context.commandName === 'SendMessageCommand' && input.MessageDeduplicationId !== undefined) {
          this.faults.track(input.MessageDeduplicationId);
          this.sent.push({
            paymentId: input.MessageDeduplicationId,
            groupId: input.MessageGroupId ?? '',
            body: input.MessageBody ?? '',
          });
        }
        return output;
      },
      // Added before the fault middleware, so it sits outside it and sees only sends that succeeded.
      { step: 'initialize', name: 'chaosRecordSends', priority: 'high' },
    );
  }

  #buildSandbox(process: SandboxProcess): Sandbox {
    const data = this.#instrumented(process);
    const handler = createSettleHandler({
      store: data.payments,
      ledger: data.ledger,
      clock: this.clock,
      retry: settleRetryPolicy,
      retryEnv: { ...realRetryEnv, random: this.options.random ?? Math.random },
      visibility: sqsMessageVisibility(data.clients.sqs, this.queue.queueUrl),
      commitMarginMs: ledgerCommitMarginMs(this.config),
      maxReceiveCount: this.maxReceiveCount,
      idempotency: { client: data.clients.dynamodb, tableName: this.config.tables.idempotency },
      // As wired in production (shared/wiring/settle.ts): a poison message is dead-lettered by
      // settle itself, on this world's own DLQ, so its group's followers go on.
      deadLetters: sqsDeadLetterQueue(data.clients.sqs, this.queue.dlqUrl),
      isPermanentClientError: isPermanentRequestError,
    });
    return { process, handler, data };
  }

  async openAccounts(accounts: readonly AccountSpec[]): Promise<void> {
    for (const account of accounts) {
      this.opening.set(account.id, account);
      await this.#admin.ledger.putAccount({
        accountId: account.id,
        ownerPartnerId: account.owner ?? PARTNER,
        currency: USD,
        status: account.status ?? 'OPEN',
        balanceMinor: account.balanceMinor,
        overdraftLimitMinor: account.overdraftLimitMinor ?? 0,
      });
    }
  }

  /** Starts the event source mapping: `pollerInstances` pollers of `pollerConcurrency` on the queue. */
  startConsumers(): void {
    const instances = this.options.pollerInstances ?? 2;
    for (let i = 0; i < instances; i++) {
      this.#pollers.push(
        startSqsPoller({
          sqs: this.#sqs,
          queueUrl: this.queue.queueUrl,
          queueArn: this.queue.queueArn,
          region: this.config.region,
          functionName: `settle-${this.options.name}`,
          handler: (event, context) => this.#invoke(event, context),
          batchSize: this.options.batchSize ?? 10,
          maximumBatchingWindowSeconds: 0,
          functionResponseType: 'ReportBatchItemFailures',
          timeoutSeconds: this.visibilityTimeoutSeconds,
          concurrency: this.options.pollerConcurrency ?? 2,
          waitTimeSeconds: 1,
          beforeDelete: (records) => {
            const kept = this.faults.beforeDelete(records);
            for (const record of kept) bump(this.deletes, keyOfBody(record.body), 1);
            return kept;
          },
          logger: this.log,
          onResult: (result) => {
            if (result.error?.name !== 'LambdaTimeoutError') return;
            for (const record of result.records) bump(this.timeouts, keyOfBody(record.body), 1);
          },
          onInvoke: (invocation) => {
            for (const record of invocation.records) {
              const key = keyOfBody(record.body);
              this.deliveries.set(key, [
                ...(this.deliveries.get(key) ?? []),
                Number(record.attributes.ApproximateReceiveCount),
              ]);
            }
          },
        }),
      );
    }
  }

  #recordBatchFaults(
    event: SQSEvent,
    struck: ReadonlyArray<{ paymentId: string; kind: string; site: string }>,
  ): void {
    const wholeBatch = struck.filter((fault) => WHOLE_BATCH_FAULTS.includes(fault.kind));
    for (const record of event.Records) {
      const key = keyOfBody(record.body);
      const others = wholeBatch.filter((fault) => plannedIdOf(fault.paymentId) !== plannedIdOf(key));
      if (others.length > 0) this.#batchFaults.set(key, [...(this.#batchFaults.get(key) ?? []), ...others]);
    }
  }

  /** The settle function, counting what runs for each payment until its promise ends (zombies too). */
  async #invoke(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
    const keys = event.Records.map((record) => keyOfBody(record.body));
    for (const key of keys) bump(this.#runningByPayment, key, 1);
    try {
      return await this.#settle.handler(event, context);
    } finally {
      for (const key of keys) bump(this.#runningByPayment, key, -1);
    }
  }

  /**
   * Waits until a payment's story is over: terminal, its message deleted, and nothing running for it
   * any more (no zombie either). Bounded.
   */
  async waitUntilDone(
    paymentId: string,
    options: { readonly deletes?: number; readonly timeoutMs?: number } = {},
  ): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const until = Date.now() + timeoutMs;
    for (;;) {
      const status = (await this.store.get(paymentId))?.status;
      const done =
        (status === 'SETTLED' || status === 'REJECTED') &&
        (this.deletes.get(paymentId) ?? 0) >= (options.deletes ?? 1) &&
        (this.#runningByPayment.get(paymentId) ?? 0) === 0;
      if (done) return;
      if (Date.now() > until) {
        throw new Error(
          `payment ${paymentId} not done after ${timeoutMs} ms: ${status}, deliveries ${JSON.stringify(this.deliveries.get(paymentId))}, ` +
            `deletes ${this.deletes.get(paymentId) ?? 0}, running ${this.#runningByPayment.get(paymentId) ?? 0}`,
        );
      }
      await sleep(100);
    }
  }

  /** Waits until the DLQ holds at least `count` messages, without receiving them. Bounded. */
  async waitForDlqCount(count: number, timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const { Attributes = {} } = await this.#sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: this.queue.dlqUrl,
          AttributeNames: ['ApproximateNumberOfMessages'],
        }),
      );
      if (Number(Attributes.ApproximateNumberOfMessages ?? 0) >= count) return;
      if (Date.now() > until)
        throw new Error(`the DLQ holds fewer than ${count} message(s) after ${timeoutMs} ms`);
      await sleep(200);
    }
  }

  /** Waits until the DLQ has given up every one of these bodies (moving them to `dlq`). Bounded. */
  async waitInDlq(bodies: readonly string[], timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!bodies.every((body) => this.dlq.some((message) => message.body === body))) {
      if (Date.now() > until) throw new Error(`not in the DLQ after ${timeoutMs} ms: ${bodies.join(' | ')}`);
      this.dlq.push(...(await this.#drainQueue(this.queue.dlqUrl)));
      await sleep(250);
    }
  }

  /** The result Powertools idempotency stored for a payment (the SettleResult), if completed. */
  async idempotencyRecord(paymentId: string): Promise<{ status: string; data?: unknown } | undefined> {
    const items = await scanAll(this.#admin.clients.documents, this.config.tables.idempotency);
    const hash = idempotencyHash(paymentId);
    const item = items.find(
      (candidate) => typeof candidate.id === 'string' && candidate.id.endsWith(`#${hash}`),
    );
    if (item === undefined) return undefined;
    const data: unknown = typeof item.data === 'string' ? JSON.parse(item.data) : item.data;
    return { status: String(item.status), ...(data !== undefined ? { data } : {}) };
  }

  async balance(accountId: string): Promise<number | undefined> {
    return (await this.#admin.ledger.getAccount(accountId))?.balanceMinor;
  }

  async journal(accountId: string): Promise<number[]> {
    return (await this.#admin.ledger.listEntries(accountId)).map((entry) => entry.amountMinor);
  }

  /** The instruction a partner sends for a payment (same spec = same content = a true duplicate). */
  instruction(p: PaymentSpec): PaymentInstruction {
    const content = `${p.endToEndId}|${p.debtor}|${p.creditor}|${p.amountMinor}|USD`;
    return {
      partnerId: PARTNER,
      references: { endToEndId: p.endToEndId },
      debtorAccount: p.debtor,
      creditorAccount: p.creditor,
      amount: { amountMinor: p.amountMinor, currency: USD },
      source: 'json',
      contentHash: createHash('sha256').update(content).digest('hex'),
    };
  }

  /**
   * One submit request through the real use case. The first request of a payment gets its planned id;
   * any later one (resend, retry) gets a fresh `<id>~<n>`, so a broken uniqueness guard would show as a
   * second payment with the same EndToEndId.
   */
  async submit(p: PaymentSpec): Promise<SubmitResult> {
    this.faults.track(p.id);
    const attempt = (this.#submits.get(p.id) ?? 0) + 1;
    this.#submits.set(p.id, attempt);
    const id = attempt === 1 ? p.id : `${p.id}~${attempt}`;
    this.faults.track(id);
    return submitPayment(this.instruction(p), {
      store: this.#submitSide.payments,
      queue: this.#submitSide.queue,
      clock: this.clock,
      slaSeconds: this.slaSeconds,
      newId: () => id,
    });
  }

  /** Sends a raw message to the settlement queue (duplicate deliveries, poison). */
  async sendRaw(body: string, groupId: string, deduplicationId: string = randomUUID()): Promise<void> {
    await this.#sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queue.queueUrl,
        MessageBody: body,
        MessageGroupId: groupId,
        MessageDeduplicationId: deduplicationId,
      }),
    );
  }

  /** Re-sends a payment's settlement message with another dedup id (as after SQS's 5-minute window). */
  async redeliver(paymentId: string): Promise<boolean> {
    const original = this.sent.find((message) => message.paymentId === paymentId);
    if (original === undefined) return false;
    await this.sendRaw(original.body, original.groupId, `${paymentId}#again-${randomUUID().slice(0, 8)}`);
    return true;
  }

  async queueCounts(): Promise<{ visible: number; inFlight: number; delayed: number }> {
    const { Attributes = {} } = await this.#sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.queue.queueUrl,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    );
    return {
      visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
      delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
    };
  }

  /**
   * Waits until every message is deleted or in the DLQ and no invocation (zombies included) is running.
   * Bounded: throws with the queue's counts after `timeoutMs`.
   */
  async waitDrained(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    let quietChecks = 0;
    for (;;) {
      const counts = await this.queueCounts();
      const idle = counts.visible + counts.inFlight + counts.delayed === 0 && this.#settle.inFlight === 0;
      quietChecks = idle ? quietChecks + 1 : 0;
      if (quietChecks >= 2) return;
      if (Date.now() > until) {
        throw new Error(
          `queue not drained after ${timeoutMs} ms: ${JSON.stringify(counts)}, ${this.#settle.inFlight} invocation(s) running`,
        );
      }
      await sleep(200);
    }
  }

  /** Reads back the tables and (unless told not to) empties the DLQ into the snapshot. */
  async snapshot(options: { readonly dlq?: boolean } = {}): Promise<Snapshot> {
    const documents = this.#admin.clients.documents;
    const ledgerItems = await scanAll(documents, this.config.tables.ledger);
    const paymentItems = await scanAll(documents, this.config.tables.payments);
    const snapshot: Snapshot = {
      accounts: new Map(),
      entries: [],
      payments: new Map(),
      terminalEvents: new Map(),
      dlq: [],
    };
    for (const item of ledgerItems) {
      if (item.sk === 'ACCOUNT') {
        snapshot.accounts.set(String(item.accountId), {
          ownerPartnerId: String(item.ownerPartnerId),
          balanceMinor: Number(item.balanceMinor),
          availableMinor: Number(item.availableMinor),
          overdraftLimitMinor: Number(item.overdraftLimitMinor),
        });
      } else if (typeof item.sk === 'string' && item.sk.startsWith('ENTRY#')) {
        snapshot.entries.push({
          accountId: String(item.accountId),
          paymentId: String(item.paymentId),
          amountMinor: Number(item.amountMinor),
          counterpartyAccountId: String(item.counterpartyAccountId),
          postedAt: String(item.postedAt),
        });
      }
    }
    for (const item of paymentItems) {
      if (item.sk === 'PAYMENT') {
        snapshot.payments.set(String(item.paymentId), {
          paymentId: String(item.paymentId),
          partnerId: String(item.partnerId),
          status: String(item.status),
          endToEndId: String(item.endToEndId),
          debtorAccount: String(item.debtorAccount),
          creditorAccount: String(item.creditorAccount),
          amountMinor: Number(item.amountMinor),
          createdAt: String(item.createdAt),
          ...(typeof item.settledAt === 'string' ? { settledAt: item.settledAt } : {}),
          ...(typeof item.rejectedAt === 'string' ? { rejectedAt: item.rejectedAt } : {}),
          ...(typeof item.deadline === 'string' ? { deadline: item.deadline } : {}),
          ...(typeof item.rejectionCode === 'string' ? { rejectionCode: item.rejectionCode } : {}),
          flagged: item.investigation !== undefined,
        });
      } else if (typeof item.sk === 'string' && item.sk.startsWith('EVENT#3#')) {
        const list = snapshot.terminalEvents.get(String(item.paymentId)) ?? [];
        list.push(String(item.status));
        snapshot.terminalEvents.set(String(item.paymentId), list);
      }
    }
    if (options.dlq !== false) {
      this.dlq.push(...(await this.#drainQueue(this.queue.dlqUrl)));
      snapshot.dlq.push(...this.dlq);
    }
    return snapshot;
  }

  async #drainQueue(queueUrl: string): Promise<Array<{ body: string; paymentId?: string }>> {
    const messages: Array<{ body: string; paymentId?: string }> = [];
    for (let empty = 0; empty < 2;) {
      const { Messages = [] } = await this.#sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          VisibilityTimeout: 60,
        }),
      );
      if (Messages.length === 0) {
        empty++;
        continue;
      }
      empty = 0;
      for (const message of Messages) {
        const paymentId = paymentIdOfBody(message.Body ?? '');
        messages.push({ body: message.Body ?? '', ...(paymentId !== undefined ? { paymentId } : {}) });
      }
      await this.#sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Messages.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
    }
    return messages;
  }

  /** The timing worstCaseDelayMs (faults.ts) weighs each injected fault with, in this world. */
  get delayModel(): DelayModel {
    return {
      functionTimeoutMs: this.visibilityTimeoutSeconds * 1000,
      slowMs: this.faults.slowMs,
      maxRetryVisibilityMs: defaultRetryVisibilityPolicy.maxSeconds * 1000,
      maxRetryDelayMs: settleRetryPolicy.maxDelayMs,
    };
  }

  /**
   * The most a poison message holds its group: it fails every receive until the queue moves it to the
   * DLQ (maxReceiveCount receives, each at worst an invocation and the longest retry visibility).
   */
  get poisonHoldMs(): number {
    const model = this.delayModel;
    return this.maxReceiveCount * (model.functionTimeoutMs + model.maxRetryVisibilityMs);
  }

  /**
   * What the run did to the payments' time, for timeoutViolations (invariants.ts): the injected clock
   * jumps, the faults that struck each payment (weighed by worstCaseDelayMs), the groups holding poison.
   */
  timeoutEvidence(snapshot: Snapshot, poisonGroups: readonly string[] = []): TimeoutEvidence {
    const model = this.delayModel;
    const faults = new Map<string, FaultTouch[]>();
    for (const paymentId of snapshot.payments.keys()) {
      const own = this.faults.struck(paymentId).map((fault) => ({ ...fault, paymentId }));
      const batchMates = (this.#batchFaults.get(paymentId) ?? []).map((fault) => ({
        ...fault,
        kind: `${fault.kind} (batch-mate)`,
        delayMs: worstCaseDelayMs(fault.kind as FaultKind, model),
      }));
      faults.set(paymentId, [
        ...own.map((fault) => ({ ...fault, delayMs: worstCaseDelayMs(fault.kind, model) })),
        ...batchMates,
      ]);
    }
    return {
      clockJumps: [...this.clock.jumps],
      faults,
      poisonGroups: new Map(poisonGroups.map((group) => [group, this.poisonHoldMs])),
      groupOf: (payment) => messageGroupId(payment.debtorAccount),
      settleFloorMs: ledgerCommitMarginMs(this.config) + model.functionTimeoutMs,
      maxReceiveCount: this.maxReceiveCount,
    };
  }

  /** A plain SQS client on the stand-in (no faults), e.g. for the redrive command. */
  get sqs(): SQSClient {
    return this.#sqs;
  }

  /** The payment store without faults (e.g. for the deadline sweeper run after the chaos). */
  get store(): DataAdapters['payments'] {
    return this.#admin.payments;
  }

  stats(): WorldStats {
    return {
      pollers: this.#pollers.map((poller) => poller.stats()),
      sandboxes: this.#settle.sandboxes,
      sandboxesDied: this.#settle.died,
      timeoutKills: this.#settle.kills,
      faults: Object.fromEntries(this.faults.injected),
      ...(this.conflictLayer ? { conflicts: this.conflictLayer.stats() } : {}),
    };
  }

  async stop(): Promise<void> {
    await Promise.all(this.#pollers.splice(0).map((poller) => poller.stop()));
    await this.#settle.waitIdle(10_000);
    this.#settle.destroy();
    for (const data of [this.#submitSide, this.#admin]) {
      data.clients.dynamodb.destroy();
      data.clients.sqs.destroy();
    }
    await Promise.allSettled([this.tables.remove(), this.queue.remove()]);
    this.#sqs.destroy();
    await this.conflictLayer?.stop();
  }
}

async function scanAll(
  documents: DynamoDBDocumentClient,
  tableName: string,
): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await documents.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    items.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
  } while (startKey !== undefined);
  return items;
}

/**
 * Powertools idempotency warns (console.warn) when it cannot read the remaining time: that is a zombie
 * (fault `slow`) working past its invocation's deadline, expected here. The SDK warns when a request
 * outlives its request timeout, which on the local stand-ins only logs (sdkThrowOnRequestTimeout is off
 * there): DynamoDB Local answering slowly on a busy machine; those are counted (`slowRequests`, for the
 * figures line) instead of printed. Every other warning still shows.
 */
export function quietZombieWarnings(): { readonly slowRequests: number } {
  const counts = { slowRequests: 0 };
  const warn = console.warn.bind(console);
  beforeAll(() => {
    jest.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
      const text = typeof args[0] === 'string' ? args[0] : '';
      if (text.startsWith('Could not determine remaining time left')) return;
      if (text.includes('a request has exceeded the configured') && text.includes('requestTimeout')) {
        counts.slowRequests++;
        return;
      }
      warn(...args);
    });
  });
  afterAll(() => jest.restoreAllMocks());
  return counts;
}

/** The payment id of a message, or `raw:<body>` for a body that has none (poison). */
function keyOfBody(body: string): string {
  return paymentIdOfBody(body) ?? `raw:${body}`;
}

function bump(counts: Map<string, number>, key: string, by: number): void {
  counts.set(key, (counts.get(key) ?? 0) + by);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
