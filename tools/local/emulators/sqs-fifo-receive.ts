/**
 * Makes fauxqs 1.9 FIFO queues return several messages of one message group per ReceiveMessage, as SQS
 * does. fauxqs's `dequeueFifo` takes one message per group and stops (`break`), so a Lambda-like consumer
 * never saw two records of a group in one batch; SQS instead "first attempts to return as many messages
 * with the same message group ID as possible" (Amazon SQS Developer Guide, "Using the message group ID
 * with Amazon SQS FIFO queues" / ReceiveMessage for FIFO queues), and Lambda's event source mapping hands
 * them to the function in order in one batch (Lambda Developer Guide, "Using Lambda with Amazon SQS",
 * FIFO queues: "the ESM ... may include multiple messages from the same message group in a batch, in
 * order").
 *
 * What stays as fauxqs does it: a group is locked while any of its messages is in flight (a lock count per
 * group, one per in-flight message), receive counts, first-receive timestamps, redrive to the DLQ on the
 * receive that would exceed maxReceiveCount, the spy.
 *
 * One more fix that several in-flight messages per group need: fauxqs puts a message that becomes visible
 * again (visibility timeout expired, ChangeMessageVisibility 0) back at the FRONT of its group, one at a
 * time, so three messages of a group returning together would come back reversed. Before serving a group
 * we sort its returned prefix (the messages already received once, always at the front) by sequence
 * number; messages never received are behind them and already in order.
 */
import type { FauxqsSqsStore } from './fauxqs-loader';

type FauxqsQueue = ReturnType<FauxqsSqsStore['createQueue']>;
type FauxqsMessage = FauxqsQueue['messages'][number];
type Received = ReturnType<FauxqsQueue['dequeue']>[number];
type DlqResolver = (arn: string) => FauxqsQueue | undefined;

/** Patch every FIFO queue the store creates from now on. */
export function receiveWholeGroups(store: FauxqsSqsStore): void {
  const createQueue = store.createQueue.bind(store);
  store.createQueue = (...args) => {
    const queue = createQueue(...args);
    if (queue.isFifo()) patchQueue(queue);
    return queue;
  };
}

function patchQueue(queue: FauxqsQueue): void {
  // `dequeueFifo` is private in fauxqs's typings; `dequeue` calls it for FIFO queues.
  Object.defineProperty(queue, 'dequeueFifo', {
    value: (maxCount: number, visibilityOverride?: number, dlqResolver?: DlqResolver) =>
      dequeueFifo(queue, maxCount, visibilityOverride, dlqResolver),
    writable: true,
    configurable: true,
  });
}

function dequeueFifo(
  queue: FauxqsQueue,
  maxCount: number,
  visibilityOverride: number | undefined,
  dlqResolver: DlqResolver | undefined,
): Received[] {
  queue.processTimers();
  const visibilityTimeout = visibilityOverride ?? parseInt(queue.attributes.VisibilityTimeout ?? '30', 10);
  const { maxReceiveCount, dlqArn } = redrivePolicy(queue.attributes.RedrivePolicy);
  const result: Received[] = [];
  const count = Math.min(maxCount, 10);
  for (const [groupId, messages] of queue.fifoMessages) {
    if (result.length >= count) break;
    if (queue.fifoLockedGroups.has(groupId) || messages.length === 0) continue;
    sortReturnedPrefix(messages);
    while (result.length < count) {
      const message = messages.shift();
      if (message === undefined) break;
      message.approximateReceiveCount++;
      message.approximateFirstReceiveTimestamp ??= Date.now();
      const dlq = dlqArn !== undefined && dlqResolver ? dlqResolver(dlqArn) : undefined;
      if (dlq && message.approximateReceiveCount > maxReceiveCount) {
        queue.spy?.addMessage({
          service: 'sqs',
          queueName: queue.name,
          messageId: message.messageId,
          body: message.body,
          messageAttributes: message.messageAttributes,
          status: 'dlq',
          timestamp: Date.now(),
        });
        dlq.enqueue(message);
        continue;
      }
      result.push(takeInFlight(queue, groupId, message, visibilityTimeout));
    }
    if (messages.length === 0) queue.fifoMessages.delete(groupId);
  }
  return result;
}

function takeInFlight(
  queue: FauxqsQueue,
  groupId: string,
  message: FauxqsMessage,
  visibilityTimeout: number,
): Received {
  const receiptHandle = crypto.randomUUID();
  queue.inflightMessages.set(receiptHandle, {
    message,
    receiptHandle,
    visibilityDeadline: Date.now() + visibilityTimeout * 1000,
  });
  queue.fifoLockedGroups.set(groupId, (queue.fifoLockedGroups.get(groupId) ?? 0) + 1);
  const received: Received = {
    MessageId: message.messageId,
    ReceiptHandle: receiptHandle,
    MD5OfBody: message.md5OfBody,
    Body: message.body,
  };
  if (message.md5OfMessageAttributes) received.MD5OfMessageAttributes = message.md5OfMessageAttributes;
  if (Object.keys(message.messageAttributes).length > 0)
    received.MessageAttributes = message.messageAttributes;
  return received;
}

function redrivePolicy(raw: string | undefined): { maxReceiveCount: number; dlqArn?: string } {
  if (raw === undefined) return { maxReceiveCount: Number.POSITIVE_INFINITY };
  try {
    const policy: unknown = JSON.parse(raw);
    if (typeof policy !== 'object' || policy === null) return { maxReceiveCount: Number.POSITIVE_INFINITY };
    const max = 'maxReceiveCount' in policy ? Number(policy.maxReceiveCount) : Number.NaN;
    const arn = 'deadLetterTargetArn' in policy ? policy.deadLetterTargetArn : undefined;
    return {
      maxReceiveCount: Number.isFinite(max) ? max : Number.POSITIVE_INFINITY,
      ...(typeof arn === 'string' ? { dlqArn: arn } : {}),
    };
  } catch {
    return { maxReceiveCount: Number.POSITIVE_INFINITY }; // as fauxqs: an invalid policy is ignored
  }
}

/** Messages received before (returned to the group) come first; put them back in sequence order. */
function sortReturnedPrefix(messages: FauxqsMessage[]): void {
  let end = 0;
  while (end < messages.length && (messages[end]?.approximateReceiveCount ?? 0) > 0) end++;
  if (end < 2) return;
  const prefix = messages.slice(0, end).sort(bySequenceNumber);
  messages.splice(0, end, ...prefix);
}

function bySequenceNumber(a: FauxqsMessage, b: FauxqsMessage): number {
  const left = BigInt(a.sequenceNumber ?? '0');
  const right = BigInt(b.sequenceNumber ?? '0');
  return left < right ? -1 : left > right ? 1 : 0;
}
