import { createHash } from 'node:crypto';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SettlementMessage } from '../../domain/payment';
import type { PaymentQueue } from '../../domain/ports';
import { rethrowAws } from '../dynamodb/errors';

/**
 * Message group of a payment on the FIFO queue: the debtor account, hashed so the account
 * number never shows in SQS metadata. One group per debtor gives per-debtor ordering and
 * means no two consumers ever debit the same account at once.
 */
export function messageGroupId(debtorAccount: string): string {
  return createHash('sha256').update(debtorAccount).digest('hex').slice(0, 32);
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
          MessageBody: JSON.stringify(message),
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
      rethrowAws(error, 'enqueue payment');
    }
  }
}
