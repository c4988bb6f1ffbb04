import type { SQSRecord } from 'aws-lambda';
import fc from 'fast-check';
import { orderByMessageGroup, toSqsRecord } from './sqs-event';

const ARN = 'arn:aws:sqs:us-east-1:000000000000:q.fifo';

function message(id: string, group: string, sequence: string) {
  return {
    MessageId: id,
    ReceiptHandle: `rh-${id}`,
    Body: id,
    MD5OfBody: 'd41d8cd98f00b204e9800998ecf8427e',
    Attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1700000000000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1700000000001',
      MessageGroupId: group,
      MessageDeduplicationId: `d-${id}`,
      SequenceNumber: sequence,
    },
  };
}

describe('toSqsRecord', () => {
  it('builds a record in the shape Lambda delivers', () => {
    const record = toSqsRecord(
      {
        ...message('m1', 'g', '18888'),
        MD5OfMessageAttributes: 'abc',
        MessageAttributes: {
          s: { DataType: 'String', StringValue: 'x' },
          b: { DataType: 'Binary', BinaryValue: Uint8Array.from([1, 2]) },
        },
      },
      ARN,
      'us-east-1',
    );
    expect(record).toEqual({
      messageId: 'm1',
      receiptHandle: 'rh-m1',
      body: 'm1',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '1700000000000',
        SenderId: 'AIDAEXAMPLE',
        ApproximateFirstReceiveTimestamp: '1700000000001',
        MessageGroupId: 'g',
        MessageDeduplicationId: 'd-m1',
        SequenceNumber: '18888',
      },
      messageAttributes: {
        s: { stringValue: 'x', stringListValues: [], binaryListValues: [], dataType: 'String' },
        b: { binaryValue: 'AQI=', stringListValues: [], binaryListValues: [], dataType: 'Binary' },
      },
      md5OfBody: 'd41d8cd98f00b204e9800998ecf8427e',
      md5OfMessageAttributes: 'abc',
      eventSource: 'aws:sqs',
      eventSourceARN: ARN,
      awsRegion: 'us-east-1',
    });
  });

  it('rejects an incomplete message', () => {
    expect(() => toSqsRecord({ MessageId: 'x' }, ARN, 'us-east-1')).toThrow('incomplete message');
  });
});

describe('orderByMessageGroup', () => {
  const record = (id: string, group: string, sequence: string): SQSRecord =>
    toSqsRecord(message(id, group, sequence), ARN, 'us-east-1');

  it('sorts each group by SequenceNumber (as integers) and keeps the slots of the groups', () => {
    const ordered = orderByMessageGroup([
      record('a3', 'a', '100000000000000000003'),
      record('b1', 'b', '5'),
      record('a1', 'a', '99999999999999999999'),
      record('a2', 'a', '100000000000000000000'),
    ]);
    expect(ordered.map((item) => item.messageId)).toEqual(['a1', 'b1', 'a2', 'a3']);
  });

  it('property: a permutation where every group is ascending and each slot keeps its group', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.bigInt({ min: 0n, max: 10n ** 30n })), {
          maxLength: 30,
        }),
        (entries) => {
          const records = entries.map(([group, sequence], index) =>
            record(`m${index}`, group, sequence.toString()),
          );
          const ordered = orderByMessageGroup(records);
          expect(ordered.map((item) => item.messageId).sort()).toEqual(
            records.map((item) => item.messageId).sort(),
          );
          expect(ordered.map((item) => item.attributes.MessageGroupId)).toEqual(
            records.map((item) => item.attributes.MessageGroupId),
          );
          for (const group of ['a', 'b', 'c']) {
            const sequences = ordered
              .filter((item) => item.attributes.MessageGroupId === group)
              .map((item) => BigInt(item.attributes.SequenceNumber ?? '0'));
            expect(sequences).toEqual([...sequences].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
          }
        },
      ),
    );
  });
});
