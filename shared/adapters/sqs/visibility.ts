import { ChangeMessageVisibilityBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

export interface VisibilityChange {
  readonly receiptHandle: string;
  readonly visibilityTimeoutSeconds: number;
}

/** Changes the visibility of received messages (the settle consumer's retry backoff). */
export interface MessageVisibility {
  /**
   * Resolves with the number of entries SQS refused; throws when a call fails or takes longer
   * than `timeoutMs` (the caller's remaining time: the call must never outlive the invocation).
   */
  change(changes: readonly VisibilityChange[], timeoutMs?: number): Promise<number>;
}

export function sqsMessageVisibility(sqs: SQSClient, queueUrl: string): MessageVisibility {
  return {
    async change(changes, timeoutMs) {
      const abortSignal = timeoutMs === undefined ? undefined : AbortSignal.timeout(Math.max(1, timeoutMs));
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
          abortSignal ? { abortSignal } : {},
        );
        refused += response.Failed?.length ?? 0;
      }
      return refused;
    },
  };
}
