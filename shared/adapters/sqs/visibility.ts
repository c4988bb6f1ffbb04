import { ChangeMessageVisibilityBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { MessageVisibility } from '../../domain/ports';

export type { MessageVisibility, VisibilityChange } from '../../domain/ports';

/** The MessageVisibility port (shared/domain/ports.ts) on SQS: ChangeMessageVisibilityBatch, 10 a call. */
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
