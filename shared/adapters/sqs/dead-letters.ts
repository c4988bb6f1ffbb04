import { createHash } from 'node:crypto';
import { SendMessageCommand, type MessageAttributeValue, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetter, DeadLetterQueue } from '../../domain/ports';

export type { DeadLetter, DeadLetterQueue } from '../../domain/ports';

/** The attributes the settle consumer adds to a dead letter (docs/runbook.md, "DLQ has messages"). */
export const DEAD_LETTER_ATTRIBUTES = {
  reason: 'deadLetterReason',
  detail: 'deadLetterDetail',
  receiveCount: 'deadLetterReceiveCount',
  sourceMessageId: 'deadLetterSourceMessageId',
} as const;

/** SQS takes at most 10 message attributes: ours, then as many of the original ones as fit. */
const MAX_ATTRIBUTES = 10;

/**
 * The MessageDeduplicationId of a dead letter: derived from the original message id, so sending
 * the same poison message again (a redelivery after a lost delete) is dropped by the FIFO DLQ
 * within its 5-minute deduplication window. Distinct from the redrive tool's ids (`redrive|...`).
 */
export function deadLetterDeduplicationId(sourceMessageId: string): string {
  return createHash('sha256').update(`dead-letter|${sourceMessageId}`).digest('hex');
}

/** The DeadLetterQueue port (shared/domain/ports.ts) on SQS: one SendMessage to the FIFO DLQ. */
export function sqsDeadLetterQueue(sqs: SQSClient, dlqUrl: string): DeadLetterQueue {
  return {
    async send(letter, timeoutMs) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: dlqUrl,
          MessageBody: letter.body,
          MessageGroupId: letter.messageGroupId,
          MessageDeduplicationId: deadLetterDeduplicationId(letter.sourceMessageId),
          MessageAttributes: deadLetterAttributes(letter),
        }),
        { abortSignal: AbortSignal.timeout(Math.max(1, timeoutMs)) },
      );
    },
  };
}

function deadLetterAttributes(letter: DeadLetter): Record<string, MessageAttributeValue> {
  const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });
  const ours: Record<string, MessageAttributeValue> = {
    [DEAD_LETTER_ATTRIBUTES.reason]: text(letter.reason),
    [DEAD_LETTER_ATTRIBUTES.detail]: text(letter.detail || '-'),
    [DEAD_LETTER_ATTRIBUTES.receiveCount]: { DataType: 'Number', StringValue: String(letter.receiveCount) },
    [DEAD_LETTER_ATTRIBUTES.sourceMessageId]: text(letter.sourceMessageId),
  };
  const ourNames = new Set<string>(Object.values(DEAD_LETTER_ATTRIBUTES));
  const original = Object.entries(letter.attributes)
    .filter(([name, value]) => !ourNames.has(name) && value !== '')
    .slice(0, MAX_ATTRIBUTES - ourNames.size);
  return { ...Object.fromEntries(original.map(([name, value]) => [name, text(value)])), ...ours };
}
