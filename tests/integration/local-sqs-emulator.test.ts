/**
 * The embedded fauxqs SQS emulator through the AWS SDK v3 SQSClient: the SQS FIFO behaviour the pipeline
 * relies on, the canonical queue URLs, and the documented divergences from SQS (so a fauxqs upgrade that
 * changes them is noticed).
 */
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { LOCAL_CREDENTIALS } from '../../tools/local/aws-clients';
import {
  createIsolatedFifoQueue,
  destroyStandInClients,
  standInClients,
  standInEnv,
  uniqueSuffix,
  waitFor,
  type IsolatedFifoQueue,
} from '../support/stand-ins';

const queues: IsolatedFifoQueue[] = [];
afterEach(async () => {
  await Promise.all(queues.splice(0).map((queue) => queue.remove()));
});
afterAll(() => destroyStandInClients());

async function queue(opts: Parameters<typeof createIsolatedFifoQueue>[1] = {}): Promise<IsolatedFifoQueue> {
  const created = await createIsolatedFifoQueue('emulator', opts);
  queues.push(created);
  return created;
}

async function send(
  queueUrl: string,
  group: string,
  body: string,
  dedup: string = body,
): Promise<string | undefined> {
  const response = await standInClients().sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: body,
      MessageGroupId: group,
      MessageDeduplicationId: dedup,
    }),
  );
  return response.MessageId;
}

async function receive(queueUrl: string, extra: { VisibilityTimeout?: number } = {}): Promise<Message[]> {
  const response = await standInClients().sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
      MessageSystemAttributeNames: ['All'],
      ...extra,
    }),
  );
  return response.Messages ?? [];
}

describe('SQS emulator (fauxqs, embedded)', () => {
  it('answers with canonical queue URLs whatever host name the client used', async () => {
    const { RTP_SQS_ENDPOINT } = standInEnv();
    const viaLocalhost = new SQSClient({
      endpoint: RTP_SQS_ENDPOINT.replace('127.0.0.1', 'localhost'),
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
    });
    const name = `canonical-${uniqueSuffix()}.fifo`;
    const { QueueUrl } = await viaLocalhost.send(
      new CreateQueueCommand({ QueueName: name, Attributes: { FifoQueue: 'true' } }),
    );
    viaLocalhost.destroy();
    expect(QueueUrl).toBe(`${RTP_SQS_ENDPOINT}/000000000000/${name}`);
  });

  it('delivers as many messages of a group as it can, in order, and blocks the group while one is in flight', async () => {
    const target = await queue({ visibilityTimeout: 30 });
    await send(target.queueUrl, 'g1', 'a1');
    await send(target.queueUrl, 'g2', 'b1');
    await send(target.queueUrl, 'g1', 'a2');
    await send(target.queueUrl, 'g1', 'a3');

    // As SQS: as many messages of one group as possible (fauxqs alone gives one per group).
    const first = await receive(target.queueUrl);
    expect(first.map((message) => message.Body)).toEqual(['a1', 'a2', 'a3', 'b1']);
    const sequence = first.slice(0, 3).map((message) => BigInt(message.Attributes?.SequenceNumber ?? '0'));
    expect([...sequence].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(sequence);
    expect(await receive(target.queueUrl)).toEqual([]); // g1 and g2 are in flight

    await send(target.queueUrl, 'g1', 'a4');
    const a1 = first.find((message) => message.Body === 'a1');
    await standInClients().sqs.send(
      new DeleteMessageCommand({ QueueUrl: target.queueUrl, ReceiptHandle: a1?.ReceiptHandle }),
    );
    expect(await receive(target.queueUrl)).toEqual([]); // a2 and a3 still in flight: g1 stays blocked
  });

  it('gives a group back in order when several of its messages become visible again', async () => {
    const target = await queue({ visibilityTimeout: 30 });
    for (const body of ['m1', 'm2', 'm3']) await send(target.queueUrl, 'g', body);
    const first = await receive(target.queueUrl);
    expect(first.map((message) => message.Body)).toEqual(['m1', 'm2', 'm3']);
    // Released one by one, first to last (fauxqs puts each back at the front of its group).
    for (const message of first) {
      await standInClients().sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: target.queueUrl,
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    }
    const again = await receive(target.queueUrl);
    expect(again.map((message) => message.Body)).toEqual(['m1', 'm2', 'm3']);
    expect(again.map((message) => message.Attributes?.ApproximateReceiveCount)).toEqual(['2', '2', '2']);
  });

  it('deduplicates by MessageDeduplicationId within the window and returns the original MessageId', async () => {
    const target = await queue();
    const original = await send(target.queueUrl, 'g', 'first', 'same-id');
    const duplicate = await send(target.queueUrl, 'g', 'second', 'same-id');
    expect(duplicate).toBe(original);
    expect((await receive(target.queueUrl)).map((message) => message.Body)).toEqual(['first']);
  });

  it('deduplicates on the body with ContentBasedDeduplication', async () => {
    const target = await queue({ contentBasedDeduplication: true });
    const { sqs } = standInClients();
    await sqs.send(
      new SendMessageCommand({ QueueUrl: target.queueUrl, MessageBody: 'same', MessageGroupId: 'g' }),
    );
    await sqs.send(
      new SendMessageCommand({ QueueUrl: target.queueUrl, MessageBody: 'same', MessageGroupId: 'g' }),
    );
    expect(await receive(target.queueUrl)).toHaveLength(1);
  });

  it('makes an unacknowledged message visible again after its visibility timeout, counting receives', async () => {
    const target = await queue({ visibilityTimeout: 1 });
    await send(target.queueUrl, 'g', 'm');
    const [first] = await receive(target.queueUrl);
    expect(first?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect(await receive(target.queueUrl)).toEqual([]);
    let again: Message[] = [];
    await waitFor(
      async () => {
        again = await receive(target.queueUrl);
        return again.length > 0;
      },
      { what: 'the message to become visible again' },
    );
    expect(again[0]?.MessageId).toBe(first?.MessageId);
    expect(again[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
  });

  it('moves a message to the DLQ on the receive that would exceed maxReceiveCount', async () => {
    const target = await queue({ maxReceiveCount: 2, visibilityTimeout: 30 });
    const { sqs } = standInClients();
    await send(target.queueUrl, 'g', 'poison');
    for (const expectedCount of ['1', '2']) {
      const [message] = await receive(target.queueUrl);
      expect(message?.Attributes?.ApproximateReceiveCount).toBe(expectedCount);
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: target.queueUrl,
          ReceiptHandle: message?.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    }
    expect(await receive(target.queueUrl)).toEqual([]);
    expect((await receive(target.dlqUrl)).map((message) => message.Body)).toEqual(['poison']);
  });

  it('shows the documented divergence: DeduplicationScope messageGroup still deduplicates across groups', async () => {
    const { sqs } = standInClients();
    const name = `scope-${uniqueSuffix()}.fifo`;
    const { QueueUrl = '' } = await sqs.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: { FifoQueue: 'true', DeduplicationScope: 'messageGroup' },
      }),
    );
    await send(QueueUrl, 'g1', 'one', 'shared-id');
    await send(QueueUrl, 'g2', 'two', 'shared-id');
    // SQS would deliver both (the scope is the group); fauxqs 1.9.2 keeps one.
    expect(await receive(QueueUrl)).toHaveLength(1);
  });
});
