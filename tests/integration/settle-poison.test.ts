/**
 * Poison messages on the real stand-ins: the settle consumer (createSettleHandler, real Powertools
 * batch and idempotency, the DynamoDB ledger and payment store on DynamoDB Local, tables of this file
 * only) driven by the local event source mapping (tools/local/sqs-poller.ts) on a FIFO queue pair of the
 * SQS emulator, which hands a receive several messages of one group in order.
 *
 * A message that can never succeed goes to the DLQ at once, with its reason, and the later messages
 * of its group settle in the same batch; a transient failure still holds the group back (batch item
 * failures, short visibility); a failed DLQ send falls back to that; a redelivered poison message is
 * not dead-lettered twice (FIFO deduplication on the DLQ).
 */
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { isPermanentRequestError } from '../../shared/adapters/aws-errors';
import { paymentKey } from '../../shared/adapters/dynamodb/payment-items';
import { sqsDeadLetterQueue, type DeadLetterQueue } from '../../shared/adapters/sqs/dead-letters';
import { asciiJson, SqsPaymentQueue } from '../../shared/adapters/sqs/payment-queue';
import { sqsMessageVisibility } from '../../shared/adapters/sqs/visibility';
import { sweepPastDeadline } from '../../shared/app/sweep';
import { TransientError } from '../../shared/domain/errors';
import { systemClock, type Ledger } from '../../shared/domain/ports';
import { settleRetryPolicy, type RetryPolicy } from '../../shared/domain/retry';
import { messageGroupId, type SettlementMessage } from '../../shared/domain/settlement-message';
import { createSettleHandler } from '../../shared/edges/queue/settle-consumer';
import { buildDataAdapters, type DataAdapters } from '../../shared/wiring/data';
import { startSqsPoller, type SqsPoller } from '../../tools/local/sqs-poller';
import { acceptedMessage, openAccount, testConfig, uniqueAccount } from '../support/adapters';
import {
  createIsolatedFifoQueue,
  createIsolatedTables,
  destroyStandInClients,
  standInClients,
  waitFor,
  type IsolatedFifoQueue,
  type IsolatedTables,
} from '../support/stand-ins';

jest.setTimeout(60_000);

const PARTNER = 'partner-test';
let tables: IsolatedTables;
let adapters: DataAdapters;
let config: ReturnType<typeof testConfig>;
const pollers: SqsPoller[] = [];
const queues: IsolatedFifoQueue[] = [];

beforeAll(async () => {
  tables = await createIsolatedTables();
  config = testConfig({ ...tables.env });
  adapters = buildDataAdapters(config);
});
afterEach(async () => {
  await Promise.all(pollers.splice(0).map((poller) => poller.stop()));
  await Promise.all(queues.splice(0).map((queue) => queue.remove()));
});
afterAll(async () => {
  await tables.remove();
  destroyStandInClients();
});

interface Invocation {
  readonly records: readonly SQSRecord[];
  readonly response: SQSBatchResponse;
}

/** A queue pair, a consumer on it (maxReceiveCount 5 as in production) and what each invocation answered. */
async function pipeline(options: {
  ledger?: Ledger;
  retry?: RetryPolicy;
  deadLetters?: (real: DeadLetterQueue) => DeadLetterQueue;
}) {
  const queue = await createIsolatedFifoQueue('poison', { visibilityTimeout: 6, maxReceiveCount: 5 });
  queues.push(queue);
  const { sqs } = standInClients();
  const realDeadLetters = sqsDeadLetterQueue(sqs, queue.dlqUrl);
  const handler = createSettleHandler({
    store: adapters.payments,
    ledger: options.ledger ?? adapters.ledger,
    clock: systemClock,
    retry: options.retry ?? settleRetryPolicy,
    visibility: sqsMessageVisibility(sqs, queue.queueUrl),
    deadLetters: options.deadLetters ? options.deadLetters(realDeadLetters) : realDeadLetters,
    isPermanentClientError: isPermanentRequestError,
    maxReceiveCount: 5,
    idempotency: { client: adapters.clients.dynamodb, tableName: config.tables.idempotency },
  });
  const invocations: Invocation[] = [];
  const start = (beforeDelete?: (records: readonly SQSRecord[]) => readonly SQSRecord[]) => {
    const poller = startSqsPoller({
      sqs,
      queueUrl: queue.queueUrl,
      queueArn: queue.queueArn,
      region: 'us-east-1',
      functionName: 'settle-poison',
      handler: async (event, context) => {
        const response = await handler(event, context);
        invocations.push({ records: event.Records, response });
        return response;
      },
      batchSize: 10,
      maximumBatchingWindowSeconds: 0,
      functionResponseType: 'ReportBatchItemFailures',
      timeoutSeconds: 6,
      concurrency: 1,
      waitTimeSeconds: 1,
      ...(beforeDelete ? { beforeDelete } : {}),
    });
    pollers.push(poller);
    return poller;
  };
  return { queue, invocations, start, paymentQueue: new SqsPaymentQueue(sqs, queue.queueUrl) };
}

/** A debtor with money, a creditor, and `n` accepted payments between them (recorded, not yet queued). */
async function debtorWithPayments(n: number): Promise<{ debtor: string; messages: SettlementMessage[] }> {
  const [debtor, creditor] = [uniqueAccount('debtor'), uniqueAccount('creditor')];
  await openAccount(adapters, debtor, 100_000);
  await openAccount(adapters, creditor, 0);
  const messages: SettlementMessage[] = [];
  for (let i = 0; i < n; i++)
    messages.push(
      await acceptedMessage(adapters, { debtor, creditor, amountMinor: 100, partnerId: PARTNER }),
    );
  return { debtor, messages };
}

async function sendRaw(queueUrl: string, body: string, group: string, dedup: string, paymentId?: string) {
  await standInClients().sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: body,
      MessageGroupId: group,
      MessageDeduplicationId: dedup,
      ...(paymentId !== undefined
        ? { MessageAttributes: { paymentId: { DataType: 'String', StringValue: paymentId } } }
        : {}),
    }),
  );
}

/** Everything in the DLQ (received with a long visibility, so each message is seen once). */
async function deadLetters(dlqUrl: string): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const { Messages = [] } = await standInClients().sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 60,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) return all;
    all.push(...Messages);
  }
}

async function queueDepth(queueUrl: string): Promise<number> {
  const { Attributes = {} } = await standInClients().sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible)
  );
}

const statusOf = async (paymentId: string) => (await adapters.payments.get(paymentId))?.status;
const failuresOf = (invocation: Invocation | undefined) =>
  invocation?.response.batchItemFailures.map((item) => item.itemIdentifier);
const attribute = (message: Message | undefined, name: string) =>
  message?.MessageAttributes?.[name]?.StringValue;

describe('settle consumer: a poison message does not hold its group back', () => {
  it('[poison, good, good] in one batch: the poison is dead-lettered once with its reason, the two settle, nothing comes back', async () => {
    const p = await pipeline({});
    // The poison: a settlement message for a recorded payment that contradicts it (amount).
    const { debtor, messages } = await debtorWithPayments(3);
    const [target, good1, good2] = messages as [SettlementMessage, SettlementMessage, SettlementMessage];
    const poisonBody = asciiJson({ ...target, amountMinor: 999 });
    await sendRaw(
      p.queue.queueUrl,
      poisonBody,
      messageGroupId(debtor),
      `poison-${target.paymentId}`,
      target.paymentId,
    );
    await p.paymentQueue.enqueue(good1);
    await p.paymentQueue.enqueue(good2);
    const poller = p.start();

    await waitFor(() => poller.stats().messagesDeleted === 3, {
      what: 'all three deleted',
      timeoutMs: 30_000,
    });
    expect(p.invocations).toHaveLength(1);
    const [only] = p.invocations;
    expect(only?.records.map((record) => record.body)).toEqual([
      poisonBody,
      asciiJson(good1),
      asciiJson(good2),
    ]);
    expect(only?.response).toEqual({ batchItemFailures: [] });
    expect(await statusOf(good1.paymentId)).toBe('SETTLED');
    expect(await statusOf(good2.paymentId)).toBe('SETTLED');
    expect(await queueDepth(p.queue.queueUrl)).toBe(0); // deleted: nothing can be redelivered

    const dlq = await deadLetters(p.queue.dlqUrl);
    expect(dlq.map((message) => message.Body)).toEqual([poisonBody]);
    const [letter] = dlq;
    expect(letter?.Attributes?.MessageGroupId).toBe(messageGroupId(debtor));
    expect(attribute(letter, 'deadLetterReason')).toBe('unreconcilable');
    expect(attribute(letter, 'deadLetterDetail')).toBe(
      'InternalError: settlement message does not match the recorded payment',
    );
    expect(attribute(letter, 'deadLetterReceiveCount')).toBe('1');
    expect(attribute(letter, 'deadLetterSourceMessageId')).toBe(only?.records[0]?.messageId);
    expect(attribute(letter, 'paymentId')).toBe(target.paymentId); // the original attributes, for the redrive tool

    // The payment the poison names stays open (the message is no authority on it), flagged; the
    // deadline sweeper makes it terminal once past its deadline, as for any stuck payment.
    expect(await statusOf(target.paymentId)).toBe('ACCEPTED');
    const item = await adapters.clients.documents.send(
      new GetCommand({ TableName: config.tables.payments, Key: paymentKey(target.paymentId) }),
    );
    expect((item.Item?.investigation as { reason?: string } | undefined)?.reason).toMatch(
      /^poison message dead-lettered \(unreconcilable\)/,
    );
    const afterDeadline = { now: () => Date.parse(target.deadline) + 1_000 };
    const swept = await sweepPastDeadline({ store: adapters.payments, clock: afterDeadline }, { limit: 100 });
    expect(swept.rejected).toContain(target.paymentId);
    expect((await adapters.payments.get(target.paymentId))?.rejection?.code).toBe('AB05');
  });

  it('a redelivered poison message (its delete lost) is not dead-lettered twice; an unparseable body is malformed-message', async () => {
    const p = await pipeline({});
    const { debtor, messages } = await debtorWithPayments(1);
    const [good] = messages as [SettlementMessage];
    const garbled = '{"v":1,"paymentId":"garbled"';
    await sendRaw(p.queue.queueUrl, garbled, messageGroupId(debtor), `garbled-${good.paymentId}`);
    await p.paymentQueue.enqueue(good);
    let dropped = false;
    // The first delete of the poison is lost (the ESM died after the function answered): it comes back.
    const poller = p.start((records) => {
      if (dropped) return records;
      dropped = true;
      return records.filter((record) => record.body !== garbled);
    });

    await waitFor(() => poller.stats().messagesDeleted === 2, { what: 'both deleted', timeoutMs: 40_000 });
    expect(
      p.invocations.map((invocation) => invocation.records.map((r) => r.attributes.ApproximateReceiveCount)),
    ).toEqual([['1', '1'], ['2']]);
    expect(p.invocations.map(failuresOf)).toEqual([[], []]);
    expect(await statusOf(good.paymentId)).toBe('SETTLED');
    const dlq = await deadLetters(p.queue.dlqUrl);
    expect(dlq.map((message) => message.Body)).toEqual([garbled]);
    expect(attribute(dlq[0], 'deadLetterReason')).toBe('malformed-message');
    expect(attribute(dlq[0], 'deadLetterReceiveCount')).toBe('1'); // the second send was deduplicated
  });

  it('a transient failure still holds its group back: the records behind it fail too, and come back soon', async () => {
    const { messages } = await debtorWithPayments(3);
    let failed = false;
    const flaky: Ledger = {
      settle: async (message, at, attemptId) => {
        if (!failed && message.paymentId === messages[0]?.paymentId) {
          failed = true;
          throw new TransientError('injected: DynamoDB unavailable');
        }
        return adapters.ledger.settle(message, at, attemptId);
      },
      getAccount: (id) => adapters.ledger.getAccount(id),
      listEntries: (id) => adapters.ledger.listEntries(id),
    };
    // One attempt per receive, so the injected failure is the record's outcome.
    const p = await pipeline({ ledger: flaky, retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    for (const message of messages) await p.paymentQueue.enqueue(message);
    const poller = p.start();

    await waitFor(() => poller.stats().messagesDeleted === 3, {
      what: 'all three settled',
      timeoutMs: 40_000,
    });
    const [first, second] = p.invocations;
    // All three in the first batch, all three reported: the failed one and the two behind it.
    expect(failuresOf(first)).toEqual(first?.records.map((record) => record.messageId));
    expect(first?.records).toHaveLength(3);
    expect(failuresOf(second)).toEqual([]);
    expect(second?.records.map((record) => record.attributes.ApproximateReceiveCount)).toEqual([
      '2',
      '2',
      '2',
    ]);
    for (const message of messages) expect(await statusOf(message.paymentId)).toBe('SETTLED');
    expect(await deadLetters(p.queue.dlqUrl)).toEqual([]);
  });

  // The settle transaction is cancelled for the oversized key (a ValidationError cancellation reason,
  // not ConditionalCheckFailed); the ledger adapter reads that as a broken invariant (InternalError):
  // permanent either way. (A bare ValidationException outside a transaction is `client-error`: unit test.)
  it("a payment id over DynamoDB's 2048-byte key limit is poison: dead-lettered, its group goes on", async () => {
    const p = await pipeline({});
    const { debtor, messages } = await debtorWithPayments(1);
    const [good] = messages as [SettlementMessage];
    const oversized = asciiJson({ ...good, paymentId: 'x'.repeat(2_100) });
    await sendRaw(p.queue.queueUrl, oversized, messageGroupId(debtor), `oversized-${good.paymentId}`);
    await p.paymentQueue.enqueue(good);
    const poller = p.start();

    await waitFor(() => poller.stats().messagesDeleted === 2, { what: 'both deleted', timeoutMs: 30_000 });
    expect(p.invocations.map(failuresOf)).toEqual([[]]);
    expect(await statusOf(good.paymentId)).toBe('SETTLED');
    const dlq = await deadLetters(p.queue.dlqUrl);
    expect(dlq.map((message) => message.Body)).toEqual([oversized]);
    expect(attribute(dlq[0], 'deadLetterReason')).toBe('unreconcilable');
    expect(attribute(dlq[0], 'deadLetterDetail')).toMatch(/^InternalError: /);
  });

  it('a failed dead-letter send falls back to a batch item failure; the next receive dead-letters it', async () => {
    let refusals = 0;
    const p = await pipeline({
      deadLetters: (real) => ({
        send: async (letter, timeoutMs) => {
          if (refusals++ === 0) throw new Error('injected: SQS unavailable');
          return real.send(letter, timeoutMs);
        },
      }),
    });
    const { debtor, messages } = await debtorWithPayments(2);
    const ghost = asciiJson({ ...messages[0], paymentId: `ghost-${messages[0]?.paymentId}` });
    await sendRaw(p.queue.queueUrl, ghost, messageGroupId(debtor), `ghost-${messages[0]?.paymentId}`);
    for (const message of messages) await p.paymentQueue.enqueue(message);
    const poller = p.start();

    await waitFor(() => poller.stats().messagesDeleted === 3, {
      what: 'all three deleted',
      timeoutMs: 40_000,
    });
    const [first, second] = p.invocations;
    // As before this change: the poison and the two behind it reported as failures, visibility shortened.
    expect(first?.records).toHaveLength(3);
    expect(failuresOf(first)).toEqual(first?.records.map((record) => record.messageId));
    expect(failuresOf(second)).toEqual([]);
    for (const message of messages) expect(await statusOf(message.paymentId)).toBe('SETTLED');
    const dlq = await deadLetters(p.queue.dlqUrl);
    expect(dlq.map((message) => message.Body)).toEqual([ghost]);
    expect(attribute(dlq[0], 'deadLetterReason')).toBe('unreconcilable');
    expect(attribute(dlq[0], 'deadLetterReceiveCount')).toBe('2');
  });
});
