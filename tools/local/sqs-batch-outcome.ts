/**
 * What Lambda's SQS event source mapping does with a batch once the function has returned, as AWS
 * documents it ("Handling errors for an SQS event source in Lambda", services-sqs-errorhandling):
 *
 *  - the function threw or timed out: the whole batch failed; nothing is deleted, every message becomes
 *    visible again when its visibility timeout expires;
 *  - without `ReportBatchItemFailures`: success deletes every message (the response is ignored);
 *  - with `ReportBatchItemFailures`, a complete success is a null/undefined response, an empty object, or
 *    a null or empty `batchItemFailures` list: every message is deleted;
 *  - with `ReportBatchItemFailures` and a list: the listed messages stay, the others are deleted;
 *  - a complete failure (nothing deleted) is an invalid response: not an object, `batchItemFailures` not a
 *    list, an entry without a string `itemIdentifier` (null, empty, wrong key name), or an identifier that
 *    is not the messageId of a record in the batch.
 *
 * FIFO queues: AWS asks the *function* to stop at the first failure and report that record and every
 * later record (Powertools' SqsFifoPartialProcessor does this); Lambda itself deletes whatever is not
 * listed. A response that lists a failed record but not a later record of the same message group would
 * therefore break the group's order on AWS. We detect it (`fifoOrderViolations`, logged by the poller)
 * and by default do what AWS does; `retainRestOfFailedGroup` keeps those records instead (stricter than
 * AWS, for callers who prefer the order over fidelity).
 */
import type { SQSRecord } from 'aws-lambda';

export type InvocationOutcome =
  | { readonly kind: 'returned'; readonly response: unknown }
  | { readonly kind: 'failed'; readonly error: Error };

export type BatchVerdict = 'success' | 'partial-failure' | 'function-error' | 'invalid-response';

export interface BatchDecision {
  readonly verdict: BatchVerdict;
  /** Records to delete from the queue. */
  readonly toDelete: readonly SQSRecord[];
  /** Records left in flight: they reappear when their visibility timeout expires. */
  readonly toRetry: readonly SQSRecord[];
  /** Why the response was rejected (verdict `invalid-response`). */
  readonly invalidReason?: string;
  /** FIFO records reported as processed although an earlier record of their group failed. */
  readonly fifoOrderViolations: readonly SQSRecord[];
}

export interface BatchOutcomeOptions {
  readonly reportBatchItemFailures: boolean;
  /** FIFO only: keep the records after a failed one in the same group even if not reported (default false). */
  readonly retainRestOfFailedGroup?: boolean;
}

export function decideBatchOutcome(
  records: readonly SQSRecord[],
  outcome: InvocationOutcome,
  opts: BatchOutcomeOptions,
): BatchDecision {
  if (outcome.kind === 'failed') return retryAll(records, 'function-error');
  if (!opts.reportBatchItemFailures) return deleteAll(records);

  const failures = parseBatchItemFailures(outcome.response, records);
  if (typeof failures === 'string')
    return { ...retryAll(records, 'invalid-response'), invalidReason: failures };
  if (failures.size === 0) return deleteAll(records);

  const violations = fifoOrderViolations(records, failures);
  const retained = new Set(failures);
  if (opts.retainRestOfFailedGroup === true) for (const record of violations) retained.add(record.messageId);
  return {
    verdict: 'partial-failure',
    toDelete: records.filter((record) => !retained.has(record.messageId)),
    toRetry: records.filter((record) => retained.has(record.messageId)),
    fifoOrderViolations: violations,
  };
}

/** The set of failed messageIds, or a string saying why the response is invalid. */
function parseBatchItemFailures(response: unknown, records: readonly SQSRecord[]): Set<string> | string {
  if (response === undefined || response === null) return new Set();
  if (typeof response !== 'object' || Array.isArray(response)) {
    return `the response is ${Array.isArray(response) ? 'an array' : `a ${typeof response}`}, not an object`;
  }
  const list: unknown = 'batchItemFailures' in response ? response.batchItemFailures : undefined;
  if (list === undefined || list === null) return new Set();
  if (!Array.isArray(list)) return 'batchItemFailures is not a list';
  const inBatch = new Set(records.map((record) => record.messageId));
  const failed = new Set<string>();
  for (const [index, item] of list.entries()) {
    const identifier: unknown =
      typeof item === 'object' && item !== null && 'itemIdentifier' in item ? item.itemIdentifier : undefined;
    if (typeof identifier !== 'string' || identifier === '') {
      return `batchItemFailures[${index}] has no itemIdentifier string (${JSON.stringify(item)})`;
    }
    if (!inBatch.has(identifier))
      return `batchItemFailures[${index}].itemIdentifier ${identifier} is not in the batch`;
    failed.add(identifier);
  }
  return failed;
}

function fifoOrderViolations(records: readonly SQSRecord[], failed: ReadonlySet<string>): SQSRecord[] {
  const brokenGroups = new Set<string>();
  const violations: SQSRecord[] = [];
  for (const record of records) {
    const group = record.attributes.MessageGroupId;
    if (group === undefined) continue;
    if (failed.has(record.messageId)) brokenGroups.add(group);
    else if (brokenGroups.has(group)) violations.push(record);
  }
  return violations;
}

function deleteAll(records: readonly SQSRecord[]): BatchDecision {
  return { verdict: 'success', toDelete: records, toRetry: [], fifoOrderViolations: [] };
}

function retryAll(
  records: readonly SQSRecord[],
  verdict: 'function-error' | 'invalid-response',
): BatchDecision {
  return { verdict, toDelete: [], toRetry: records, fifoOrderViolations: [] };
}
