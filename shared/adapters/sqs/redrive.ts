import { createHash } from 'node:crypto';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';

export interface RedriveOptions {
  readonly dlqUrl: string;
  readonly queueUrl: string;
  /** Stop after this many messages (default: all). */
  readonly max?: number;
  /** Only count what would move (from the queue attributes: receiving would hide the messages). */
  readonly dryRun?: boolean;
}

export interface RedriveResult {
  readonly moved: number;
  readonly seen: number;
  readonly paymentIds: string[];
}

/**
 * Moves messages from the payments dead-letter queue back to the payments queue, once the
 * cause is fixed (see docs/runbook.md). Each message keeps its message group (per-debtor order)
 * and gets a deduplication id derived from its DLQ message id, so re-running the command after a
 * crash cannot send one message twice within the FIFO 5-minute window. A message is deleted
 * from the DLQ only after it was sent. Settlement is idempotent, so even a duplicate is harmless.
 */
export async function redriveDeadLetters(sqs: SQSClient, options: RedriveOptions): Promise<RedriveResult> {
  if (options.dryRun) {
    const out = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: options.dlqUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    const count = (name: 'ApproximateNumberOfMessages' | 'ApproximateNumberOfMessagesNotVisible') =>
      Number(out.Attributes?.[name] ?? 0);
    return {
      moved: 0,
      seen: count('ApproximateNumberOfMessages') + count('ApproximateNumberOfMessagesNotVisible'),
      paymentIds: [],
    };
  }
  const max = options.max ?? Number.POSITIVE_INFINITY;
  let moved = 0;
  let seen = 0;
  const paymentIds: string[] = [];
  while (seen < max) {
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.dlqUrl,
        MaxNumberOfMessages: Math.min(10, max - seen),
        WaitTimeSeconds: 1,
        VisibilityTimeout: 60,
        MessageSystemAttributeNames: ['MessageGroupId'],
        MessageAttributeNames: ['All'],
      }),
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) break;
    seen += messages.length;
    for (const m of messages) {
      const id = m.MessageAttributes?.paymentId?.StringValue;
      if (id) paymentIds.push(id);
    }
    await sendBack(sqs, options.queueUrl, messages);
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: options.dlqUrl,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
    moved += messages.length;
  }
  return { moved, seen, paymentIds };
}

async function sendBack(sqs: SQSClient, queueUrl: string, messages: readonly Message[]): Promise<void> {
  const out = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: messages.map((m, i) => ({
        Id: String(i),
        MessageBody: m.Body ?? '',
        MessageGroupId: m.Attributes?.MessageGroupId ?? 'redrive',
        MessageDeduplicationId: createHash('sha256')
          .update(`redrive|${m.MessageId ?? i}`)
          .digest('hex')
          .slice(0, 64),
        ...(m.MessageAttributes ? { MessageAttributes: m.MessageAttributes } : {}),
      })),
    }),
  );
  if (out.Failed && out.Failed.length > 0) {
    throw new Error(
      `redrive: ${out.Failed.length} message(s) could not be sent back; nothing was deleted for them`,
    );
  }
}
