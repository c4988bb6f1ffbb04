/**
 * The settle consumer's retry visibility: records reported as batch item failures (the failed one
 * and the later records of its group, skipGroupOnError) get a short visibility, one per group,
 * bounded by the payments' deadlines; a failing ChangeMessageVisibility never fails the batch.
 * Real Powertools idempotency on DynamoDB Local; the ledger and the store are fakes.
 */
import { randomUUID } from 'node:crypto';
import type { SQSRecord } from 'aws-lambda';
import { createSettleHandler } from '../../shared/edges/queue/settle-consumer';
import { createLambdaContext } from '../../tools/local/lambda-context';
import { asciiJson } from '../../shared/adapters/sqs/payment-queue';
import type { MessageVisibility, VisibilityChange } from '../../shared/adapters/sqs/visibility';
import { submitPayment } from '../../shared/app/submit';
import { instruction, USD } from '../../shared/testing/builders';
import { FakeClock, FakeLedger, FakePaymentStore, FakeQueue } from '../../shared/testing/fakes';
import { testAdapters, testConfig } from '../support/adapters';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { sqsMessageVisibility } from '../../shared/adapters/sqs/visibility';
import {
  createIsolatedFifoQueue,
  destroyStandInClients,
  standInClients,
  waitFor,
} from '../support/stand-ins';
import type { SettlementMessage } from '../../shared/domain/settlement-message';

const config = testConfig();
const adapters = testAdapters(config);
afterAll(() => destroyStandInClients());

function world(visibility: MessageVisibility) {
  const store = new FakePaymentStore();
  const queue = new FakeQueue();
  const clock = new FakeClock(Date.now());
  const ledger = new FakeLedger(store);
  for (const accountId of ['ACC-A', 'ACC-B', 'ACC-CREDITOR']) {
    ledger.open({
      accountId,
      ownerPartnerId: 'partner-a',
      currency: USD,
      status: 'OPEN',
      balanceMinor: 1_000_000,
      overdraftLimitMinor: 0,
    });
  }
  const handler = createSettleHandler({
    store,
    ledger,
    clock,
    retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    retryEnv: { sleep: async () => undefined, random: () => 0.999 },
    visibility,
    maxReceiveCount: 5,
    idempotency: { client: adapters.clients.dynamodb, tableName: config.tables.idempotency },
  });
  async function message(debtorAccount: string, slaSeconds = 15): Promise<SettlementMessage> {
    await submitPayment(
      instruction({
        debtorAccount,
        creditorAccount: 'ACC-CREDITOR',
        references: { endToEndId: randomUUID() },
      }),
      { store, queue, clock, slaSeconds },
    );
    const last = queue.messages.at(-1);
    if (!last) throw new Error('nothing enqueued');
    return last;
  }
  return { store, ledger, clock, handler, message };
}

let sequence = 0;
function record(message: SettlementMessage, receiveCount = 1): SQSRecord {
  sequence++;
  return {
    messageId: randomUUID(),
    receiptHandle: `rh-${sequence}`,
    body: asciiJson(message),
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: String(Date.now()),
      SenderId: '000000000000',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
      MessageGroupId: message.debtorAccount,
      SequenceNumber: String(sequence).padStart(20, '0'),
    },
    messageAttributes: {},
    md5OfBody: 'unused',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:settle.fifo',
    awsRegion: 'us-east-1',
  };
}

const context = () => createLambdaContext({ functionName: 'settle', timeoutSeconds: 6 });

describe('settle consumer: failed records come back soon', () => {
  it('gives the failed record and the rest of its group one short visibility; other groups are not touched', async () => {
    const changes: VisibilityChange[][] = [];
    const w = world({ change: async (batch) => (changes.push([...batch]), 0) });
    const a1 = await w.message('ACC-A');
    const a2 = await w.message('ACC-A');
    const a3 = await w.message('ACC-A');
    const b1 = await w.message('ACC-B');
    const records = [record(a1, 2), record(a2, 2), record(a3, 2), record(b1)];
    w.ledger.failNext.push(new Error('ledger unavailable'));

    const response = await w.handler({ Records: records }, context());

    expect(response.batchItemFailures.map((item) => item.itemIdentifier)).toEqual(
      records.slice(0, 3).map((item) => item.messageId),
    );
    expect((await w.store.get(b1.paymentId))?.status).toBe('SETTLED');
    // Second receive: about 2 s (jitter 1-2 s), the same for the whole group.
    expect(changes).toEqual([
      records.slice(0, 3).map((item) => ({ receiptHandle: item.receiptHandle, visibilityTimeoutSeconds: 2 })),
    ]);
  });

  it('never sets a visibility past the last moment the payment could still settle', async () => {
    const changes: VisibilityChange[] = [];
    const w = world({ change: async (batch) => (changes.push(...batch), 0) });
    const m = await w.message('ACC-A', 5); // a 5 s deadline
    w.ledger.failNext.push(new Error('ledger unavailable'));
    await w.handler({ Records: [record(m, 3)] }, context()); // 3rd receive: the backoff would be 4 s
    expect(changes.map((change) => change.visibilityTimeoutSeconds)).toEqual([2]); // 5 s - 2.3 s commit margin
  });

  it('answers the batch even when ChangeMessageVisibility fails (best effort)', async () => {
    const w = world({
      change: async () => {
        throw new Error('sqs unavailable');
      },
    });
    const m = await w.message('ACC-A');
    const failing = record(m);
    w.ledger.failNext.push(new Error('ledger unavailable'));
    await expect(w.handler({ Records: [failing] }, context())).resolves.toEqual({
      batchItemFailures: [{ itemIdentifier: failing.messageId }],
    });
  });

  it('leaves visibility alone when every record succeeds', async () => {
    const calls: unknown[] = [];
    const w = world({ change: async (batch) => (calls.push(batch), 0) });
    const m = await w.message('ACC-A');
    await expect(w.handler({ Records: [record(m)] }, context())).resolves.toEqual({ batchItemFailures: [] });
    expect(calls).toEqual([]);
  });

  it('flags the records skipped behind a failure on their last receive: they go to the DLQ with it', async () => {
    const w = world({ change: async () => 0 });
    const a1 = await w.message('ACC-A');
    const a2 = await w.message('ACC-A');
    w.ledger.failNext.push(new Error('ledger unavailable'));
    await w.handler({ Records: [record(a1, 5), record(a2, 5)] }, context());
    expect([...w.store.investigations.keys()].sort()).toEqual([a1.paymentId, a2.paymentId].sort());
    expect(w.store.investigations.get(a2.paymentId)?.reason).toMatch(/SkippedBehindFailureError/);
  });

  it('the SQS adapter changes the visibility on the queue (the emulator honours it)', async () => {
    const target = await createIsolatedFifoQueue('settle-visibility', { visibilityTimeout: 30 });
    try {
      const { sqs } = standInClients();
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: target.queueUrl,
          MessageBody: 'm',
          MessageGroupId: 'g',
          MessageDeduplicationId: 'm',
        }),
      );
      const receive = async () =>
        (await sqs.send(new ReceiveMessageCommand({ QueueUrl: target.queueUrl, WaitTimeSeconds: 0 })))
          .Messages ?? [];
      const [first] = await receive();
      const changedAt = Date.now();
      await expect(
        sqsMessageVisibility(sqs, target.queueUrl).change(
          [{ receiptHandle: first?.ReceiptHandle ?? '', visibilityTimeoutSeconds: 1 }],
          2_000,
        ),
      ).resolves.toBe(0);
      await waitFor(async () => (await receive()).length === 1, {
        what: 'the message back',
        timeoutMs: 5_000,
      });
      expect(Date.now() - changedAt).toBeGreaterThanOrEqual(900);
    } finally {
      await target.remove();
    }
  });
});
