import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import type { MessageVisibility, VisibilityChange } from '../../domain/ports';
import { retryVisibilitySeconds, type RetryVisibilityPolicy } from '../../domain/retry-visibility';
import { parseSettlementMessage } from '../../domain/settlement-message';
import { logger } from '../../observability/powertools';

/**
 * The settle consumer's retry backoff: the records reported as batch item failures get a short
 * visibility (shared/domain/retry-visibility.ts), so they and the rest of their group come back
 * within the SLA instead of after the queue's visibility timeout.
 */
export interface RetryVisibility {
  readonly visibility: MessageVisibility;
  readonly policy: RetryVisibilityPolicy;
  readonly commitMarginMs: number;
  readonly random: () => number;
  readonly nowMs: () => number;
}

/** Best effort: a failure is logged; the records then return after the queue's visibility timeout. */
export async function shortenRetryVisibility(
  retry: RetryVisibility,
  records: readonly SQSRecord[],
  response: SQSBatchResponse,
  remainingMs: () => number,
): Promise<void> {
  if (response.batchItemFailures.length === 0) return;
  const changes = visibilityChanges(retry, records, response);
  try {
    // Never past the invocation: a Lambda time-out would fail the whole batch.
    const refused = await retry.visibility.change(changes, remainingMs() - 100);
    if (refused > 0) {
      logger.warn(
        'ChangeMessageVisibility refused some failed records: they return after the queue timeout',
        {
          refused,
        },
      );
    }
  } catch (error) {
    logger.warn('ChangeMessageVisibility failed: the failed records return after the queue timeout', {
      records: changes.length,
      error,
    });
  }
}

/**
 * The failed records of each message group (the failed one and the later ones skipped behind it)
 * get one visibility: the shortest any of them needs (the group is blocked until all are back).
 */
function visibilityChanges(
  retry: RetryVisibility,
  records: readonly SQSRecord[],
  response: SQSBatchResponse,
): VisibilityChange[] {
  const nowMs = retry.nowMs();
  const changes: VisibilityChange[] = [];
  for (const group of failedByGroup(records, response)) {
    const receiveCount = Number(group[0]?.attributes.ApproximateReceiveCount ?? '1') || 1;
    const seconds = Math.min(
      ...group.map((record) =>
        retryVisibilitySeconds(
          {
            receiveCount,
            nowMs,
            commitMarginMs: retry.commitMarginMs,
            random: retry.random,
            ...deadlineOf(record),
          },
          retry.policy,
        ),
      ),
    );
    for (const record of group)
      changes.push({ receiptHandle: record.receiptHandle, visibilityTimeoutSeconds: seconds });
  }
  return changes;
}

/** The batch's failed records, by message group, in batch order. */
function failedByGroup(records: readonly SQSRecord[], response: SQSBatchResponse): SQSRecord[][] {
  const failed = new Set(response.batchItemFailures.map((item) => item.itemIdentifier));
  const byGroup = new Map<string, SQSRecord[]>();
  for (const record of records) {
    if (!failed.has(record.messageId)) continue;
    const group = record.attributes.MessageGroupId ?? record.messageId;
    byGroup.set(group, [...(byGroup.get(group) ?? []), record]);
  }
  return [...byGroup.values()];
}

function deadlineOf(record: SQSRecord): { deadlineMs?: number } {
  try {
    return { deadlineMs: Date.parse(parseSettlementMessage(record.body).deadline) };
  } catch {
    return {}; // unreadable: poison, no deadline to honour
  }
}
