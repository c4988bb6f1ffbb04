import type { SQSRecord } from 'aws-lambda';
import { decideBatchOutcome, type InvocationOutcome } from './sqs-batch-outcome';

function record(messageId: string, group?: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body: messageId,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: '000000000000',
      ApproximateFirstReceiveTimestamp: '0',
      ...(group === undefined ? {} : { MessageGroupId: group }),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q.fifo',
    awsRegion: 'us-east-1',
  };
}

const batch = [record('a1', 'a'), record('b1', 'b'), record('a2', 'a'), record('a3', 'a'), record('b2', 'b')];
const returned = (response: unknown): InvocationOutcome => ({ kind: 'returned', response });
const ids = (records: readonly SQSRecord[]): string[] => records.map((item) => item.messageId);
const withReporting = { reportBatchItemFailures: true };

describe('decideBatchOutcome (Lambda SQS event source mapping rules)', () => {
  it('deletes nothing when the function failed (threw or timed out)', () => {
    const decision = decideBatchOutcome(batch, { kind: 'failed', error: new Error('boom') }, withReporting);
    expect(decision.verdict).toBe('function-error');
    expect(decision.toDelete).toEqual([]);
    expect(ids(decision.toRetry)).toEqual(ids(batch));
  });

  it.each([undefined, null, {}, { batchItemFailures: null }, { batchItemFailures: [] }])(
    'treats %p as a complete success',
    (response) => {
      const decision = decideBatchOutcome(batch, returned(response), withReporting);
      expect(decision.verdict).toBe('success');
      expect(ids(decision.toDelete)).toEqual(ids(batch));
    },
  );

  it('ignores the response without ReportBatchItemFailures', () => {
    const response = { batchItemFailures: [{ itemIdentifier: 'a1' }] };
    const decision = decideBatchOutcome(batch, returned(response), { reportBatchItemFailures: false });
    expect(ids(decision.toDelete)).toEqual(ids(batch));
  });

  it('keeps exactly the listed records and deletes the others', () => {
    const response = {
      batchItemFailures: [{ itemIdentifier: 'a1' }, { itemIdentifier: 'a2' }, { itemIdentifier: 'a3' }],
    };
    const decision = decideBatchOutcome(batch, returned(response), withReporting);
    expect(decision.verdict).toBe('partial-failure');
    expect(ids(decision.toRetry)).toEqual(['a1', 'a2', 'a3']);
    expect(ids(decision.toDelete)).toEqual(['b1', 'b2']);
    expect(decision.fifoOrderViolations).toEqual([]);
  });

  it.each([
    ['a string', 'oops'],
    ['an array', [{ itemIdentifier: 'a1' }]],
    ['a non-list batchItemFailures', { batchItemFailures: { itemIdentifier: 'a1' } }],
    ['a null itemIdentifier', { batchItemFailures: [{ itemIdentifier: null }] }],
    ['an empty itemIdentifier', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['a bad key name', { batchItemFailures: [{ messageId: 'a1' }] }],
    ['an id that is not in the batch', { batchItemFailures: [{ itemIdentifier: 'zz' }] }],
  ])('treats %s as a failure of the whole batch', (_label, response) => {
    const decision = decideBatchOutcome(batch, returned(response), withReporting);
    expect(decision.verdict).toBe('invalid-response');
    expect(decision.toDelete).toEqual([]);
    expect(decision.invalidReason).toEqual(expect.any(String));
  });

  it('FIFO: flags later records of a failed group that were reported as processed, and deletes them as AWS does', () => {
    const response = { batchItemFailures: [{ itemIdentifier: 'a1' }] };
    const decision = decideBatchOutcome(batch, returned(response), withReporting);
    expect(ids(decision.fifoOrderViolations)).toEqual(['a2', 'a3']);
    expect(ids(decision.toDelete)).toEqual(['b1', 'a2', 'a3', 'b2']);
  });

  it('FIFO: with retainRestOfFailedGroup keeps the rest of the failed group', () => {
    const response = { batchItemFailures: [{ itemIdentifier: 'a2' }] };
    const decision = decideBatchOutcome(batch, returned(response), {
      ...withReporting,
      retainRestOfFailedGroup: true,
    });
    expect(ids(decision.toRetry)).toEqual(['a2', 'a3']);
    expect(ids(decision.toDelete)).toEqual(['a1', 'b1', 'b2']);
  });
});
