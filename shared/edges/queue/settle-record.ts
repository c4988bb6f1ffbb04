import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import type { SettleResult } from '../../app/settle';
import type { Clock, DeadLetterQueue, PaymentStore } from '../../domain/ports';
import { parseSettlementMessage } from '../../domain/settlement-message';
import {
  appendCorrelation,
  clearCorrelation,
  correlationOf,
  correlationOfRecord,
} from '../../observability/correlation';
import { pipelineMetrics } from '../../observability/metrics';
import { logger } from '../../observability/powertools';
import type { SettlementMessage } from '../../domain/settlement-message';
import { deadLetter, type DeadLettered } from './dead-letter';
import { classifyFailure } from './failure-class';

/**
 * The settle consumer's work on ONE record (settle-consumer.ts holds the batch plumbing): its
 * correlation, the queue-wait and outcome metrics, the outcome log, a poison record sent to the
 * dead-letter queue at once (failure-class.ts, dead-letter.ts), and flagging a payment whose
 * message is about to go to the dead-letter queue by SQS's redrive.
 */

/** Extra (non-key) argument of the idempotent settle: what this one call did and its time budget. */
export interface SettleRun {
  executed: boolean;
  readonly remainingMs: () => number;
}

export interface RecordDeps {
  readonly store: PaymentStore;
  readonly clock: Clock;
  /** The queue's maxReceiveCount: a record failing on its last receive is going to the DLQ. */
  readonly maxReceiveCount: number;
  /** The settle use case behind Powertools idempotency (settle-consumer.ts). */
  readonly settleOnce: (message: SettlementMessage, run: SettleRun) => Promise<SettleResult>;
  /** Where poison records go at once; without it they wait for SQS's redrive, as before. */
  readonly deadLetters?: DeadLetterQueue;
  /** A refusal of the request itself that no retry cures (failure-class.ts); default: none. */
  readonly isPermanentClientError?: (error: unknown) => boolean;
}

export type RecordOutcome = SettleResult | DeadLettered;

/**
 * Settles one record. A poison record (a permanent failure) is sent to the dead-letter queue and
 * answered as processed; any other failure, or a dead-letter send that fails, propagates (the batch
 * reports it) after onLastFailure.
 */
export async function settleRecord(
  deps: RecordDeps,
  record: SQSRecord,
  remainingMs: () => number,
): Promise<RecordOutcome> {
  appendCorrelation(correlationOfRecord(record));
  pipelineMetrics.queueWait(deps.clock.now() - Number(record.attributes.SentTimestamp));
  try {
    return await settleParsed(deps, record, remainingMs);
  } catch (error) {
    const deadLettered = await deadLetterIfPoison(deps, record, error, remainingMs);
    if (deadLettered) return deadLettered;
    await onLastFailure(deps, record, error);
    throw error;
  } finally {
    clearCorrelation();
  }
}

async function deadLetterIfPoison(
  deps: RecordDeps,
  record: SQSRecord,
  error: unknown,
  remainingMs: () => number,
): Promise<DeadLettered | undefined> {
  if (!deps.deadLetters) return undefined;
  const failure = classifyFailure(error, record.body, deps.isPermanentClientError);
  if (failure.kind !== 'permanent') return undefined;
  const paymentId = paymentIdOf(record);
  const sent = await deadLetter(
    { deadLetters: deps.deadLetters, store: deps.store, clock: deps.clock },
    record,
    { reason: failure.reason, detail: failure.detail, ...(paymentId !== undefined ? { paymentId } : {}) },
    remainingMs,
  );
  return sent ? { deadLettered: true, reason: failure.reason } : undefined;
}

function paymentIdOf(record: SQSRecord): string | undefined {
  try {
    return parseSettlementMessage(record.body).paymentId;
  } catch {
    return undefined; // unparseable: nothing to flag, the DLQ message is the evidence
  }
}

async function settleParsed(
  deps: RecordDeps,
  record: SQSRecord,
  remainingMs: () => number,
): Promise<SettleResult> {
  const message = parseSettlementMessage(record.body);
  appendCorrelation(correlationOf(message));
  const run: SettleRun = { executed: false, remainingMs };
  const result = await deps.settleOnce(message, run);
  pipelineMetrics.settlementOutcome({
    status: result.status,
    ...(result.reasonCode !== undefined ? { reasonCode: result.reasonCode } : {}),
    // Not executed: Powertools idempotency replayed an earlier answer; each payment counts once.
    replay: result.replay || !run.executed,
    acceptedAt: message.acceptedAt,
    deadline: message.deadline,
    terminalAtMs: deps.clock.now(),
  });
  logger.info('payment settled', {
    status: result.status,
    reasonCode: result.reasonCode,
    ...(result.rule !== undefined ? { ledgerRule: result.rule } : {}),
    replay: result.replay,
  });
  return result;
}

type FailureDeps = Pick<RecordDeps, 'store' | 'clock' | 'maxReceiveCount'>;

/**
 * A record failing on its last allowed receive is about to be moved to the dead-letter queue:
 * flag its payment for investigation (the deadline sweeper will make it terminal) and emit
 * the DlqArrivals metric the alarm watches. The failure itself still propagates.
 */
async function onLastFailure(deps: FailureDeps, record: SQSRecord, error: unknown): Promise<void> {
  const receiveCount = Number(record.attributes.ApproximateReceiveCount);
  if (!(receiveCount >= deps.maxReceiveCount)) return;
  pipelineMetrics.dlqArrival();
  const reason =
    error instanceof Error ? `${error.name}: settlement failed ${receiveCount} times` : 'settlement failed';
  const paymentId = paymentIdOf(record);
  logger.error('settlement message going to the dead-letter queue', {
    messageId: record.messageId,
    paymentId,
    error,
  });
  if (paymentId !== undefined) {
    await deps.store
      .flagForInvestigation(paymentId, reason, new Date(deps.clock.now()).toISOString())
      .catch((flagError: unknown) =>
        logger.error('could not flag payment for investigation', { paymentId, error: flagError }),
      );
  }
}

/**
 * Records skipped behind a failed record of their group (skipGroupOnError) were received too, so
 * their receive counts grow with the failing one's: on the last allowed receive they go to the
 * dead-letter queue with it. Flag them as well, as onLastFailure does for a failed record.
 */
export async function flagSkippedOnLastReceive(
  deps: FailureDeps,
  records: readonly SQSRecord[],
  response: SQSBatchResponse,
  attempted: ReadonlySet<string>,
): Promise<void> {
  const failed = new Set(response.batchItemFailures.map((item) => item.itemIdentifier));
  for (const record of records) {
    if (!failed.has(record.messageId) || attempted.has(record.messageId)) continue;
    await onLastFailure(deps, record, new SkippedBehindFailureError(record.messageId));
  }
}

/** A record not attempted because an earlier record of its message group failed in the batch. */
export class SkippedBehindFailureError extends Error {
  override readonly name = 'SkippedBehindFailureError';
  constructor(messageId: string) {
    super(`message ${messageId} was skipped behind a failed record of its message group`);
  }
}
