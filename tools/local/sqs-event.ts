/**
 * Builds the `SQSEvent` Lambda hands a function for an SQS event source mapping, from ReceiveMessage
 * results, in Lambda's shape: camel-cased record fields, system attributes under `attributes` (string
 * values), message attributes as `{ stringValue, binaryValue (base64), stringListValues: [],
 * binaryListValues: [], dataType }`, `eventSource: 'aws:sqs'`, the queue ARN and region.
 *
 * Record order for FIFO queues: records of one message group are in SequenceNumber order; the relative
 * order of different groups is kept as received (Lambda gives no stronger promise).
 */
import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSMessageAttribute, SQSMessageAttributes, SQSRecord, SQSRecordAttributes } from 'aws-lambda';

export class MalformedSqsMessageError extends Error {
  override readonly name = 'MalformedSqsMessageError';
}

export function toSqsRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const { MessageId, ReceiptHandle, Body, MD5OfBody } = message;
  if (
    MessageId === undefined ||
    ReceiptHandle === undefined ||
    Body === undefined ||
    MD5OfBody === undefined
  ) {
    throw new MalformedSqsMessageError(
      `ReceiveMessage returned an incomplete message ${JSON.stringify(message)}`,
    );
  }
  const system = message.Attributes ?? {};
  const attributes: SQSRecordAttributes = {
    ApproximateReceiveCount: system.ApproximateReceiveCount ?? '1',
    SentTimestamp: system.SentTimestamp ?? String(Date.now()),
    SenderId: system.SenderId ?? '000000000000',
    ApproximateFirstReceiveTimestamp: system.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
  };
  if (system.AWSTraceHeader !== undefined) attributes.AWSTraceHeader = system.AWSTraceHeader;
  if (system.SequenceNumber !== undefined) attributes.SequenceNumber = system.SequenceNumber;
  if (system.MessageGroupId !== undefined) attributes.MessageGroupId = system.MessageGroupId;
  if (system.MessageDeduplicationId !== undefined)
    attributes.MessageDeduplicationId = system.MessageDeduplicationId;
  if (system.DeadLetterQueueSourceArn !== undefined)
    attributes.DeadLetterQueueSourceArn = system.DeadLetterQueueSourceArn;

  const record: SQSRecord = {
    messageId: MessageId,
    receiptHandle: ReceiptHandle,
    body: Body,
    attributes,
    messageAttributes: toLambdaMessageAttributes(message.MessageAttributes),
    md5OfBody: MD5OfBody,
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
  if (message.MD5OfMessageAttributes !== undefined)
    record.md5OfMessageAttributes = message.MD5OfMessageAttributes;
  return record;
}

function toLambdaMessageAttributes(
  attributes: Record<string, MessageAttributeValue> | undefined,
): SQSMessageAttributes {
  const result: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    const attribute: SQSMessageAttribute = {
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map(toBase64),
      dataType: value.DataType ?? 'String',
    };
    if (value.StringValue !== undefined) attribute.stringValue = value.StringValue;
    if (value.BinaryValue !== undefined) attribute.binaryValue = toBase64(value.BinaryValue);
    result[name] = attribute;
  }
  return result;
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

/**
 * Order records so each message group is in SequenceNumber order, without moving groups relative to each
 * other: the slots a group occupied (in receive order) are refilled with its records sorted.
 */
export function orderByMessageGroup(records: readonly SQSRecord[]): SQSRecord[] {
  const byGroup = new Map<string, SQSRecord[]>();
  for (const record of records) {
    const group = record.attributes.MessageGroupId;
    if (group === undefined) continue;
    const list = byGroup.get(group) ?? [];
    list.push(record);
    byGroup.set(group, list);
  }
  for (const list of byGroup.values()) list.sort(compareSequenceNumbers);
  const next = new Map<string, number>();
  return records.map((record) => {
    const group = record.attributes.MessageGroupId;
    const list = group === undefined ? undefined : byGroup.get(group);
    if (group === undefined || list === undefined) return record;
    const index = next.get(group) ?? 0;
    next.set(group, index + 1);
    return list[index] ?? record;
  });
}

/** SequenceNumbers are decimal strings of up to 128 bits: compare them as big integers. */
function compareSequenceNumbers(a: SQSRecord, b: SQSRecord): number {
  const left = BigInt(a.attributes.SequenceNumber ?? '0');
  const right = BigInt(b.attributes.SequenceNumber ?? '0');
  return left < right ? -1 : left > right ? 1 : 0;
}
