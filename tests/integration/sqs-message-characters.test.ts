/**
 * Settlement messages through the real SQS emulator (fauxqs): whatever characters a payment's
 * references and accounts hold, the message the queue adapter sends arrives identical, and a
 * permanent refusal is a PermanentEnqueueError. fauxqs refuses every character above U+FFFF
 * (InvalidMessageContents; SQS accepts them): the adapter's ASCII body must get through anyway.
 */
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { SqsPaymentQueue } from '../../shared/adapters/sqs/payment-queue';
import { parseSettlementMessage } from '../../shared/domain/settlement-message';
import { PermanentEnqueueError } from '../../shared/domain/errors';
import {
  createIsolatedFifoQueue,
  destroyStandInClients,
  standInClients,
  type IsolatedFifoQueue,
} from '../support/stand-ins';
import type { SettlementMessage } from '../../shared/domain/settlement-message';
import { messageGroupId } from '../../shared/domain/settlement-message';

let queue: IsolatedFifoQueue;
beforeAll(async () => {
  queue = await createIsolatedFifoQueue('sqs-chars');
});
afterAll(async () => {
  await queue?.remove();
  destroyStandInClients();
});

const message: SettlementMessage = {
  v: 1,
  paymentId: `pay-chars-${Date.now()}`,
  partnerId: 'demo-bank',
  debtorAccount: '021000021:1000001-\u00e9\u{1F600}',
  creditorAccount: '011000015:2000001-\u{10FFFF}\u00fc',
  amountMinor: 12_345,
  currency: 'USD',
  deadline: '2026-01-01T00:00:15.000Z',
  acceptedAt: '2026-01-01T00:00:00.000Z',
  endToEndId: 'E2E-\u{1F600}-caf\u00e9-\u4e2d',
  msgId: 'MSG-\u00e9',
};

async function receiveOne(): Promise<string> {
  const { sqs } = standInClients();
  for (let attempt = 0; attempt < 10; attempt++) {
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queue.queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }),
    );
    const received = out.Messages?.[0];
    if (received?.Body !== undefined) {
      await sqs.send(
        new DeleteMessageCommand({ QueueUrl: queue.queueUrl, ReceiptHandle: received.ReceiptHandle }),
      );
      return received.Body;
    }
  }
  throw new Error('no message arrived');
}

describe('settlement message characters through fauxqs', () => {
  it('the emulator refuses a raw astral character (the divergence this guards against)', async () => {
    const { sqs } = standInClients();
    await expect(
      sqs.send(
        new SendMessageCommand({
          QueueUrl: queue.queueUrl,
          MessageBody: JSON.stringify(message),
          MessageGroupId: 'g',
          MessageDeduplicationId: 'raw',
        }),
      ),
    ).rejects.toMatchObject({ name: expect.stringContaining('InvalidMessageContents') });
  });

  it('a message with astral and accented characters arrives identical, as an ASCII body', async () => {
    const adapter = new SqsPaymentQueue(standInClients().sqs, queue.queueUrl);
    await adapter.enqueue(message);
    const body = await receiveOne();
    expect(body).toMatch(/^[\x20-\x7e]*$/);
    const parsed = parseSettlementMessage(body);
    expect(parsed).toEqual(message);
    expect(parsed.endToEndId).toBe('E2E-\u{1F600}-caf\u00e9-\u4e2d');
    expect(messageGroupId(parsed.debtorAccount)).toBe(messageGroupId(message.debtorAccount));
  });

  it('a permanent refusal from the queue is a PermanentEnqueueError, not a bare SDK error', async () => {
    const adapter = new SqsPaymentQueue(
      standInClients().sqs,
      `${queue.queueUrl.replace(/\.fifo$/, '')}-missing.fifo`,
    );
    const refused = adapter.enqueue({ ...message, paymentId: `${message.paymentId}-x` });
    await expect(refused).rejects.toBeInstanceOf(PermanentEnqueueError);
  });
});
