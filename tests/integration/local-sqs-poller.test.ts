/**
 * The local SQS event source mapping (tools/local/sqs-poller.ts) against the real SQS emulator: FIFO order,
 * group exclusivity across concurrent pollers, partial batch failures, whole-batch failures and timeouts,
 * redrive to the DLQ, the batching window, the event's shape and drain on stop. Each test has its own
 * queue pair with a short visibility timeout.
 */
import { SqsFifoPartialProcessorAsync, processPartialResponse } from '@aws-lambda-powertools/batch';
import {
  ChangeMessageVisibilityBatchCommand,
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { startSqsPoller, type SqsPoller, type SqsPollerOptions } from '../../tools/local/sqs-poller';
import {
  createIsolatedFifoQueue,
  destroyStandInClients,
  standInClients,
  uniqueSuffix,
  waitFor,
  type IsolatedFifoQueue,
} from '../support/stand-ins';

jest.setTimeout(30_000);

const pollers: SqsPoller[] = [];
/** What the pollers logged (expected failures are asserted on, not printed). */
const logged: Array<{ level: 'info' | 'warn' | 'error'; message: string }> = [];
const logger = {
  info: (message: string) => logged.push({ level: 'info', message }),
  warn: (message: string) => logged.push({ level: 'warn', message }),
  error: (message: string) => logged.push({ level: 'error', message }),
};
const queues: IsolatedFifoQueue[] = [];

afterEach(async () => {
  await Promise.all(pollers.splice(0).map((poller) => poller.stop()));
  await Promise.all(queues.splice(0).map((queue) => queue.remove()));
  logged.length = 0;
});
afterAll(() => destroyStandInClients());

async function queue(
  prefix: string,
  opts: Parameters<typeof createIsolatedFifoQueue>[1] = {},
): Promise<IsolatedFifoQueue> {
  const created = await createIsolatedFifoQueue(prefix, opts);
  queues.push(created);
  return created;
}

function poll(
  target: IsolatedFifoQueue,
  opts: Partial<SqsPollerOptions> & Pick<SqsPollerOptions, 'handler'>,
): SqsPoller {
  const poller = startSqsPoller({
    sqs: standInClients().sqs,
    queueUrl: target.queueUrl,
    queueArn: target.queueArn,
    region: 'us-east-1',
    functionName: 'test-consumer',
    batchSize: 10,
    maximumBatchingWindowSeconds: 0,
    functionResponseType: 'ReportBatchItemFailures',
    timeoutSeconds: 1,
    concurrency: 2,
    waitTimeSeconds: 1,
    logger,
    ...opts,
  });
  pollers.push(poller);
  return poller;
}

/** Send messages in order with SendMessageBatch (10 per call); dedup id = body. */
async function send(
  target: IsolatedFifoQueue,
  messages: Array<{ group: string; body: string }>,
): Promise<void> {
  for (let start = 0; start < messages.length; start += 10) {
    const chunk = messages.slice(start, start + 10);
    const response = await standInClients().sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: target.queueUrl,
        Entries: chunk.map((message, index) => ({
          Id: `m${index}`,
          MessageBody: message.body,
          MessageGroupId: message.group,
          MessageDeduplicationId: message.body,
        })),
      }),
    );
    expect(response.Failed ?? []).toEqual([]);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const groupOf = (record: SQSRecord): string => record.attributes.MessageGroupId ?? '';

describe('local SQS event source mapping (FIFO)', () => {
  it('keeps per-group order across many messages and groups with 3 concurrent pollers, never overlapping a group', async () => {
    const target = await queue('order', { visibilityTimeout: 5 });
    const groups = ['g1', 'g2', 'g3', 'g4', 'g5'];
    const perGroup = 12;
    const sent = groups.flatMap((group) =>
      Array.from({ length: perGroup }, (_, n) => ({ group, body: `${group}-${n}` })),
    );
    // Interleave the groups the way independent producers would.
    sent.sort((a, b) => Number(a.body.split('-')[1]) - Number(b.body.split('-')[1]));

    const processed = new Map<string, string[]>();
    const activeGroups = new Set<string>();
    let overlaps = 0;
    let concurrent = 0;
    let maxConcurrent = 0;
    poll(target, {
      concurrency: 3,
      batchSize: 2,
      handler: async (event) => {
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        const groupsInBatch = new Set(event.Records.map(groupOf));
        for (const group of groupsInBatch) {
          if (activeGroups.has(group)) overlaps++;
          activeGroups.add(group);
        }
        await sleep(15);
        for (const record of event.Records) {
          const list = processed.get(groupOf(record)) ?? [];
          list.push(record.body);
          processed.set(groupOf(record), list);
        }
        for (const group of groupsInBatch) activeGroups.delete(group);
        concurrent--;
      },
    });
    await send(target, sent);

    await waitFor(
      () => [...processed.values()].reduce((total, list) => total + list.length, 0) === sent.length,
      {
        timeoutMs: 20_000,
        what: 'every message to be processed',
      },
    );
    for (const group of groups) {
      expect(processed.get(group)).toEqual(Array.from({ length: perGroup }, (_, n) => `${group}-${n}`));
    }
    expect(overlaps).toBe(0);
    expect(maxConcurrent).toBeGreaterThanOrEqual(2);
  });

  it('returns a reported batch item failure (and its group stays blocked) while the other groups proceed', async () => {
    const target = await queue('partial', { visibilityTimeout: 1 });
    const log: Array<{ body: string; receiveCount: string; at: number }> = [];
    let failedOnce = false;
    const poller = poll(target, {
      handler: async (event) => {
        const failures: SQSBatchResponse['batchItemFailures'] = [];
        let groupFailed = false;
        for (const record of event.Records) {
          if (groupFailed && groupOf(record) === 'a') {
            failures.push({ itemIdentifier: record.messageId });
            continue;
          }
          if (record.body === 'a1' && !failedOnce) {
            failedOnce = true;
            groupFailed = true;
            failures.push({ itemIdentifier: record.messageId });
            log.push({
              body: 'a1 (failed)',
              receiveCount: record.attributes.ApproximateReceiveCount,
              at: Date.now(),
            });
            continue;
          }
          log.push({
            body: record.body,
            receiveCount: record.attributes.ApproximateReceiveCount,
            at: Date.now(),
          });
        }
        return { batchItemFailures: failures };
      },
    });
    await send(target, [
      { group: 'a', body: 'a1' },
      { group: 'b', body: 'b1' },
      { group: 'a', body: 'a2' },
      { group: 'b', body: 'b2' },
      { group: 'a', body: 'a3' },
      { group: 'b', body: 'b3' },
    ]);
    await waitFor(() => log.filter((entry) => !entry.body.includes('failed')).length === 6, {
      what: 'all six messages',
    });

    const bodies = log.map((entry) => entry.body);
    const groupA = bodies.filter((body) => body.startsWith('a'));
    expect(groupA).toEqual(['a1 (failed)', 'a1', 'a2', 'a3']);
    expect(bodies.filter((body) => body.startsWith('b'))).toEqual(['b1', 'b2', 'b3']);
    // Group b finished while a1 was still waiting for its visibility timeout.
    const retry = log.find((entry) => entry.body === 'a1');
    const lastB = log.find((entry) => entry.body === 'b3');
    expect(retry?.receiveCount).toBe('2');
    expect(lastB?.at).toBeLessThan(retry?.at ?? 0);
    expect(poller.stats().partiallyFailed).toBe(1);
    // a1, a2 and a3 came in one batch (several records of a group, as on AWS): all three went back.
    expect(poller.stats().messagesRetried).toBe(3);
  });

  it('puts several messages of a group in one batch, in order; with skipGroupOnError a failure sends the rest of its group back, and it returns in order', async () => {
    const target = await queue('whole-group', { visibilityTimeout: 2 });
    const batches: Array<Array<[string, string]>> = [];
    let failedOnce = false;
    const poller = poll(target, {
      concurrency: 1,
      handler: async (event, context) => {
        batches.push(event.Records.map((record) => [record.body, record.attributes.ApproximateReceiveCount]));
        const processor = new SqsFifoPartialProcessorAsync();
        return processPartialResponse(
          event,
          async (record: SQSRecord) => {
            if (record.body === 'a2' && !failedOnce) {
              failedOnce = true;
              throw new Error('a2 fails once');
            }
          },
          processor,
          { context, skipGroupOnError: true },
        );
      },
    });
    await send(target, [
      { group: 'a', body: 'a1' },
      { group: 'b', body: 'b1' },
      { group: 'a', body: 'a2' },
      { group: 'a', body: 'a3' },
      { group: 'b', body: 'b2' },
      { group: 'a', body: 'a4' },
    ]);
    await waitFor(() => batches.length >= 2, { what: 'the retry of group a' });

    const [first, second] = batches;
    const bodies = (batch: Array<[string, string]> | undefined, group: string): string[] =>
      (batch ?? []).map(([body]) => body).filter((body) => body.startsWith(group));
    expect(bodies(first, 'a')).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(bodies(first, 'b')).toEqual(['b1', 'b2']);
    // a2 failed: a3 and a4 were reported too (skipGroupOnError) and come back behind it, in order.
    expect(second).toEqual([
      ['a2', '2'],
      ['a3', '2'],
      ['a4', '2'],
    ]);
    await waitFor(() => poller.stats().messagesDeleted === 6, { what: 'every message deleted' });
    expect(poller.stats().fifoOrderViolations).toBe(0);
  });

  it('honours a ChangeMessageVisibility made by the function: a failed group returns after it, not the queue timeout', async () => {
    const target = await queue('change-visibility', { visibilityTimeout: 20 });
    const deliveries: Array<{ body: string; at: number }> = [];
    let failedOnce = false;
    poll(target, {
      concurrency: 1,
      handler: async (event) => {
        const now = Date.now();
        deliveries.push(...event.Records.map((record) => ({ body: record.body, at: now })));
        if (failedOnce) return { batchItemFailures: [] };
        failedOnce = true;
        await standInClients().sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: target.queueUrl,
            Entries: event.Records.map((record, index) => ({
              Id: String(index),
              ReceiptHandle: record.receiptHandle,
              VisibilityTimeout: 1,
            })),
          }),
        );
        return { batchItemFailures: event.Records.map((record) => ({ itemIdentifier: record.messageId })) };
      },
    });
    const sentAt = Date.now();
    await send(target, [
      { group: 'g', body: 'm1' },
      { group: 'g', body: 'm2' },
    ]);
    await waitFor(() => deliveries.length === 4, { what: 'the group delivered twice', timeoutMs: 10_000 });
    expect(deliveries.map((delivery) => delivery.body)).toEqual(['m1', 'm2', 'm1', 'm2']);
    const retryDelay = (deliveries[2]?.at ?? 0) - sentAt;
    expect(retryDelay).toBeGreaterThanOrEqual(900);
    expect(retryDelay).toBeLessThan(5_000); // the queue's 20 s visibility timeout did not apply
  });

  it('redelivers the whole batch after the visibility timeout when the handler throws', async () => {
    const target = await queue('throws', { visibilityTimeout: 1 });
    const invocations: Array<{ at: number; records: Array<[string, string]> }> = [];
    const poller = poll(target, {
      batchSize: 2,
      handler: async (event) => {
        invocations.push({
          at: Date.now(),
          records: event.Records.map((record) => [record.body, record.attributes.ApproximateReceiveCount]),
        });
        if (invocations.length === 1) throw new Error('downstream unavailable');
      },
    });
    await send(target, [
      { group: 'x', body: 'x1' },
      { group: 'y', body: 'y1' },
    ]);
    await waitFor(() => invocations.length >= 2, { what: 'the redelivery' });

    const [first, second] = invocations;
    expect(first?.records.sort()).toEqual([
      ['x1', '1'],
      ['y1', '1'],
    ]);
    expect(second?.records.sort()).toEqual([
      ['x1', '2'],
      ['y1', '2'],
    ]);
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(900);
    await waitFor(() => poller.stats().messagesDeleted === 2, { what: 'the deletes' });
    expect(poller.stats()).toMatchObject({ failed: 1, succeeded: 1, messagesRetried: 2, messagesDeleted: 2 });
    expect(logged).toContainEqual({
      level: 'error',
      message: 'invocation failed: the whole batch returns after its visibility timeout',
    });
  });

  it('treats a handler timeout like a throw: nothing deleted, redelivered after the visibility timeout', async () => {
    const target = await queue('timeout', { visibilityTimeout: 2 });
    const deliveries: string[] = [];
    const poller = poll(target, {
      timeoutSeconds: 1,
      handler: async (event, context: Context) => {
        deliveries.push(event.Records.map((record) => record.attributes.ApproximateReceiveCount).join(','));
        if (deliveries.length === 1) {
          expect(context.getRemainingTimeInMillis()).toBeLessThanOrEqual(1000);
          await sleep(1_500); // runs past the 1 s function timeout
        }
      },
    });
    await send(target, [{ group: 't', body: 't1' }]);
    await waitFor(() => deliveries.length === 2 && poller.stats().messagesDeleted === 1, {
      what: 'the redelivery after the timeout',
    });
    expect(deliveries).toEqual(['1', '2']);
    expect(poller.stats()).toMatchObject({ timedOut: 1, failed: 1, succeeded: 1 });
  });

  it('moves a message to the DLQ once a receive would exceed maxReceiveCount; its group then moves on', async () => {
    const target = await queue('redrive', { visibilityTimeout: 1, maxReceiveCount: 2 });
    const attempts: string[] = [];
    poll(target, {
      // One record per batch: with several, after-poison would ride along and (reported behind the failure,
      // as FIFO requires) collect receives of its own.
      batchSize: 1,
      handler: async (event) => ({
        batchItemFailures: event.Records.filter((record) => {
          attempts.push(`${record.body}#${record.attributes.ApproximateReceiveCount}`);
          return record.body === 'poison';
        }).map((record) => ({ itemIdentifier: record.messageId })),
      }),
    });
    await send(target, [
      { group: 'p', body: 'poison' },
      { group: 'p', body: 'after-poison' },
    ]);
    await waitFor(() => attempts.includes('after-poison#1'), {
      timeoutMs: 15_000,
      what: 'the next message of the group',
    });
    expect(attempts).toEqual(['poison#1', 'poison#2', 'after-poison#1']);

    const { Messages = [] } = await standInClients().sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: target.dlqUrl,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    expect(Messages.map((message) => message.Body)).toEqual(['poison']);
    expect(Messages[0]?.Attributes?.MessageGroupId).toBe('p');
  });

  it('treats a response naming a message that is not in the batch as a failure of the whole batch', async () => {
    const target = await queue('invalid', { visibilityTimeout: 1 });
    let calls = 0;
    const poller = poll(target, {
      handler: async () => {
        calls++;
        return calls === 1 ? { batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] } : undefined;
      },
    });
    await send(target, [{ group: 'i', body: 'i1' }]);
    await waitFor(() => poller.stats().messagesDeleted === 1, {
      what: 'the message to be deleted on the retry',
    });
    expect(calls).toBe(2);
    expect(poller.stats()).toMatchObject({ invalidResponses: 1, succeeded: 1 });
  });

  it('builds the SQSEvent and the context as Lambda does', async () => {
    const target = await queue('shape', { visibilityTimeout: 5 });
    const events: Array<{ event: SQSEvent; context: Context }> = [];
    poll(target, {
      memorySize: 256,
      handler: async (event, context) => {
        events.push({ event, context });
      },
    });
    const sentAt = Date.now();
    await standInClients().sqs.send(
      new SendMessageCommand({
        QueueUrl: target.queueUrl,
        MessageBody: '{"n":0}',
        MessageGroupId: 's1',
        MessageDeduplicationId: 'dedup-0',
        MessageAttributes: {
          kind: { DataType: 'String', StringValue: 'payment' },
          amount: { DataType: 'Number', StringValue: '42' },
          blob: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 254, 255]) },
        },
      }),
    );
    await waitFor(() => events.length === 1, { what: 'the invocation' });
    const { event, context } = events[0] ?? { event: { Records: [] }, context: undefined };
    expect(event.Records).toHaveLength(1);
    const [record] = event.Records;
    expect(record).toEqual({
      messageId: expect.any(String),
      receiptHandle: expect.any(String),
      body: '{"n":0}',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: expect.stringMatching(/^\d{13}$/),
        SenderId: expect.any(String),
        ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
        SequenceNumber: expect.stringMatching(/^\d+$/),
        MessageGroupId: 's1',
        MessageDeduplicationId: 'dedup-0',
      },
      messageAttributes: {
        kind: { stringValue: 'payment', stringListValues: [], binaryListValues: [], dataType: 'String' },
        amount: { stringValue: '42', stringListValues: [], binaryListValues: [], dataType: 'Number' },
        blob: {
          binaryValue: Buffer.from([0, 1, 254, 255]).toString('base64'),
          stringListValues: [],
          binaryListValues: [],
          dataType: 'Binary',
        },
      },
      md5OfBody: expect.stringMatching(/^[0-9a-f]{32}$/),
      md5OfMessageAttributes: expect.stringMatching(/^[0-9a-f]{32}$/),
      eventSource: 'aws:sqs',
      eventSourceARN: target.queueArn,
      awsRegion: 'us-east-1',
    });
    expect(Number(record?.attributes.SentTimestamp)).toBeGreaterThanOrEqual(sentAt - 1000);
    expect(context).toMatchObject({
      functionName: 'test-consumer',
      memoryLimitInMB: '256',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:test-consumer',
      logGroupName: '/aws/lambda/test-consumer',
    });
    expect(context?.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a batching window on a FIFO queue, and gathers within the window on a standard queue', async () => {
    const fifo = await queue('window', { visibilityTimeout: 5 });
    expect(() => poll(fifo, { maximumBatchingWindowSeconds: 1, handler: async () => undefined })).toThrow(
      'Batching window is not supported for FIFO queues',
    );

    const { sqs } = standInClients();
    const { QueueUrl: standardUrl = '' } = await sqs.send(
      new CreateQueueCommand({
        QueueName: `window-standard-${uniqueSuffix()}`,
        Attributes: { VisibilityTimeout: '5' },
      }),
    );
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: standardUrl, AttributeNames: ['QueueArn'] }),
    );
    const batches: string[][] = [];
    poll(
      { ...fifo, queueUrl: standardUrl, queueArn: Attributes?.QueueArn ?? '' },
      {
        concurrency: 1,
        batchSize: 3,
        maximumBatchingWindowSeconds: 2,
        handler: async (event) => {
          batches.push(event.Records.map((record) => record.body));
        },
      },
    );
    for (const body of ['w1', 'w2', 'w3']) {
      await sqs.send(new SendMessageCommand({ QueueUrl: standardUrl, MessageBody: body }));
      await sleep(150);
    }
    await waitFor(() => batches.length === 1, { what: 'one invocation with the whole window' });
    expect(batches[0]?.sort()).toEqual(['w1', 'w2', 'w3']);
    await pollers.splice(0).reduce(async (previous, poller) => {
      await previous;
      await poller.stop();
    }, Promise.resolve());
    await sqs.send(new DeleteQueueCommand({ QueueUrl: standardUrl }));
  });

  it('refuses a queue whose visibility timeout is shorter than the function timeout, as Lambda does', async () => {
    const target = await queue('visibility', { visibilityTimeout: 1 });
    let invoked = false;
    const poller = poll(target, {
      timeoutSeconds: 3,
      handler: async () => {
        invoked = true;
      },
    });
    await send(target, [{ group: 'v', body: 'v1' }]);
    await waitFor(() => poller.stats().configurationError !== undefined, { what: 'the configuration error' });
    expect(poller.stats().configurationError).toBe(
      'Queue visibility timeout: 1 seconds is less than Function timeout: 3 seconds (Lambda rejects this event source mapping)',
    );
    expect(poller.stats().receives).toBe(0);
    expect(invoked).toBe(false);
  });

  it('drains on stop: the invocation in flight completes and its messages are deleted', async () => {
    const target = await queue('drain', { visibilityTimeout: 5 });
    let started = false;
    let finished = false;
    const poller = poll(target, {
      handler: async () => {
        started = true;
        await sleep(300);
        finished = true;
      },
    });
    await send(target, [{ group: 'd', body: 'd1' }]);
    await waitFor(() => started, { what: 'the invocation to start' });
    await poller.stop();
    expect(finished).toBe(true);
    expect(poller.stats()).toMatchObject({ messagesDeleted: 1, invocationsInFlight: 0 });
    const { Messages = [] } = await standInClients().sqs.send(
      new ReceiveMessageCommand({ QueueUrl: target.queueUrl, WaitTimeSeconds: 0 }),
    );
    expect(Messages).toEqual([]);
  });
});
