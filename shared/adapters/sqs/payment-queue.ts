import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { messageGroupId, type SettlementMessage } from '../../domain/settlement-message';
import type { PaymentQueue } from '../../domain/ports';
import { PermanentEnqueueError } from '../../domain/errors';
import { isPermanentAwsClientError, rethrowAws } from '../aws-errors';

/**
 * JSON with every character outside printable ASCII written as a `\uXXXX` escape (UTF-16 code
 * units: an astral character becomes its escaped surrogate pair, a lone surrogate its own escape).
 * JSON.parse gives back the identical string, and the text is pure ASCII (0x20-0x7E; JSON.stringify
 * already escapes control characters), so no content can ever hit SQS's character restriction
 * (#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF), nor the stricter emulator's.
 */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[^\x20-\x7e]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export class SqsPaymentQueue implements PaymentQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(message: SettlementMessage): Promise<void> {
    try {
      await this.sqs.send(
        new SendMessageCommand({
          QueueUrl: this.queueUrl,
          MessageBody: asciiJson(message),
          MessageGroupId: messageGroupId(message.debtorAccount),
          // SQS FIFO drops a second send with the same id within 5 minutes: a retried submit
          // cannot enqueue the payment twice. Settlement stays idempotent beyond that window.
          MessageDeduplicationId: message.paymentId,
          MessageAttributes: {
            paymentId: { DataType: 'String', StringValue: message.paymentId },
            partnerId: { DataType: 'String', StringValue: message.partnerId },
          },
        }),
      );
    } catch (error) {
      if (isPermanentAwsClientError(error)) {
        const name = (error as Error).name;
        throw new PermanentEnqueueError(`enqueue payment refused: ${name}`, name, { cause: error });
      }
      rethrowAws(error, 'enqueue payment');
    }
  }
}
