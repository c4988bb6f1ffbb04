import { ChangeMessageVisibilityBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

export interface VisibilityChange {
  readonly receiptHandle: string;
  readonly visibilityTimeoutSeconds: number;
}

/** Changes the visibility of received messages (the settle consumer's retry backoff). */
export interface MessageVisibility {
  /** Resolves with the number of entries SQS refused; throws when a call fails. */
  change(changes: readonly VisibilityChange[]): Promise<number>;
}

export function sqsMessageVisibility(sqs: SQSClient, queueUrl: string): MessageVisibility {
  return {
    async change(changes) {
      let refused = 0;
      for (let start = 0; start < changes.length; start += 10) {
        const chunk = changes.slice(start, start + 10);
        const response = await sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queueUrl,
            Entries: chunk.map((change, index) => ({
              Id: `v${start + index}`,
              ReceiptHandle: change.receiptHandle,
              VisibilityTimeout: change.visibilityTimeoutSeconds,
            })),
          }),
        );
        refused += response.Failed?.length ?? 0;
      }
      return refused;
    },
  };
}
