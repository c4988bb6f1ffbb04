import type { SQSClient } from '@aws-sdk/client-sqs';
import { SqsQueueBacklog } from './queue-backlog';

/** A stand-in SQS client: only GetQueueAttributes, counting calls (the cache is what is tested). */
function fakeSqs(answer: () => Promise<unknown>) {
  const calls: unknown[] = [];
  const client = {
    send: (command: { input: unknown }) => {
      calls.push(command.input);
      return answer();
    },
  } as unknown as SQSClient;
  return { client, calls };
}

describe('SqsQueueBacklog', () => {
  it('reads waiting + in flight, at most once per maxAge, concurrent callers sharing the call', async () => {
    let now = 0;
    const { client, calls } = fakeSqs(async () => ({
      Attributes: { ApproximateNumberOfMessages: '12', ApproximateNumberOfMessagesNotVisible: '3' },
    }));
    const probe = new SqsQueueBacklog(client, 'https://sqs/q.fifo', { maxAgeMs: 1_000, now: () => now });
    const [a, b] = await Promise.all([probe.backlog(), probe.backlog()]);
    expect(a).toEqual({ waiting: 12, inFlight: 3, sampledAtMs: 0 });
    expect(b).toEqual(a);
    now = 999;
    await probe.backlog();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toEqual({
      QueueUrl: 'https://sqs/q.fifo',
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    });
    now = 1_000;
    await expect(probe.backlog()).resolves.toMatchObject({ sampledAtMs: 1_000 });
    expect(calls).toHaveLength(2);
  });

  it('answers undefined on a failure (reported, cached for maxAge too: no retry storm)', async () => {
    let now = 0;
    const onError = jest.fn();
    const { client, calls } = fakeSqs(async () => {
      throw Object.assign(new Error('denied'), { name: 'AccessDenied' });
    });
    const probe = new SqsQueueBacklog(client, 'q', { now: () => now, onError });
    await expect(probe.backlog()).resolves.toBeUndefined();
    now = 500;
    await expect(probe.backlog()).resolves.toBeUndefined();
    expect(calls).toHaveLength(1);
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it('treats an answer without the counts as a failure', async () => {
    const { client } = fakeSqs(async () => ({ Attributes: {} }));
    const onError = jest.fn();
    await expect(new SqsQueueBacklog(client, 'q', { onError }).backlog()).resolves.toBeUndefined();
    expect(onError).toHaveBeenCalledTimes(1);
  });
});
