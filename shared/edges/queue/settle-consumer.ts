import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { SqsFifoPartialProcessorAsync, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parseSettlementMessage } from '../../domain/settlement-message';
import type { MessageVisibility, VisibilityChange } from '../../adapters/sqs/visibility';
import type { Clock, Ledger, PaymentStore } from '../../domain/ports';
import { realRetryEnv, type RetryPolicy, type RetryEnv } from '../../domain/retry';
import {
  defaultRetryVisibilityPolicy,
  retryVisibilitySeconds,
  type RetryVisibilityPolicy,
} from '../../domain/retry-visibility';
import { DEFAULT_COMMIT_MARGIN_MS, settlePayment } from '../../app/settle';
import type { SettlementMessage } from '../../domain/payment';
import {
  appendCorrelation,
  clearCorrelation,
  correlationOf,
  correlationOfRecord,
} from '../../observability/correlation';
import { pipelineMetrics } from '../../observability/metrics';
import { logger } from '../../observability/powertools';

export interface SettleHandlerDeps {
  readonly store: PaymentStore;
  readonly ledger: Ledger;
  readonly clock: Clock;
  readonly retry: RetryPolicy;
  readonly retryEnv?: RetryEnv;
  /** The queue's maxReceiveCount: a record failing on its last receive is going to the DLQ. */
  readonly maxReceiveCount: number;
  /**
   * Sets the visibility of the records reported as batch item failures to a short backoff
   * (retry-visibility.ts), so they and the rest of their group come back within the SLA instead of
   * after the queue's visibility timeout. Best effort; without it the queue's timeout applies.
   */
  readonly visibility?: MessageVisibility;
  readonly retryVisibility?: RetryVisibilityPolicy;
  /** settle.ts's commit margin (default DEFAULT_COMMIT_MARGIN_MS). */
  readonly commitMarginMs?: number;
  /**
   * No ledger attempt starts with less than this left of the invocation (default 800 ms). In
   * production: the worst case of one SDK call (the commit margin) + 300 ms for
   * ChangeMessageVisibility, so a slow call ends in a batch item failure that comes back in
   * seconds, not in a Lambda time-out that comes back after the queue's visibility timeout.
   */
  readonly invocationMarginMs?: number;
  /** Client and table of the Powertools idempotency records. */
  readonly idempotency: {
    readonly client: DynamoDBClient;
    readonly tableName: string;
    readonly expiresAfterSeconds?: number;
  };
}

export type SettleBatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * The settle consumer, built from its dependencies (handler.ts wires the real ones; the chaos
 * tests wire clients with injected faults). Each record is settled at most once: Powertools
 * idempotency keyed on the payment id (Lambda context registered, so an in-progress record
 * expires with a dead invocation), and the ledger transaction's conditions as the final guard.
 * A failed record and the later records of its message group are reported as batch item
 * failures; other groups carry on (skipGroupOnError).
 */
/** Extra (non-key) argument of the idempotent settle: what this one call did and its time budget. */
interface SettleRun {
  executed: boolean;
  readonly remainingMs: () => number;
}

/** Time kept at the end of an invocation: 500 ms as before, plus 300 ms for ChangeMessageVisibility. */
const DEFAULT_INVOCATION_MARGIN_MS = 800;

export function createSettleHandler(deps: SettleHandlerDeps): SettleBatchHandler {
  const baseRetryEnv = deps.retryEnv ?? realRetryEnv;
  const commitMarginMs = deps.commitMarginMs ?? DEFAULT_COMMIT_MARGIN_MS;
  const invocationMarginMs = deps.invocationMarginMs ?? DEFAULT_INVOCATION_MARGIN_MS;
  const visibilityPolicy = deps.retryVisibility ?? defaultRetryVisibilityPolicy;
  /**
   * Per-invocation state travels with each call, never in this closure: Lambda runs one
   * invocation per sandbox at a time, but the local stack (and any in-process host) may run
   * several concurrently on one handler instance.
   */
  const settleDepsFor = (remainingMs: () => number) => ({
    ledger: deps.ledger,
    store: deps.store,
    clock: deps.clock,
    retry: deps.retry,
    commitMarginMs,
    // Keep a margin so a retry never runs into the Lambda time-out, with time left to set the
    // failed records' visibility.
    retryEnv: { ...baseRetryEnv, remainingMs: () => remainingMs() - invocationMarginMs },
  });

  const idempotencyConfig = new IdempotencyConfig({
    eventKeyJmesPath: 'paymentId',
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: deps.idempotency.expiresAfterSeconds ?? 3600,
  });
  // `run` (not part of the idempotency key) tells a real settlement from an answer replayed by
  // Powertools idempotency, so the metrics count each payment once.
  const settleOnce = makeIdempotent(
    (message: SettlementMessage, run?: SettleRun) => {
      if (run) run.executed = true;
      return settlePayment(message, settleDepsFor(run?.remainingMs ?? (() => Number.POSITIVE_INFINITY)));
    },
    {
      persistenceStore: new DynamoDBPersistenceLayer({
        tableName: deps.idempotency.tableName,
        awsSdkV3Client: deps.idempotency.client,
      }),
      config: idempotencyConfig,
    },
  );

  /**
   * A record failing on its last allowed receive is about to be moved to the dead-letter queue:
   * flag its payment for investigation (the deadline sweeper will make it terminal) and emit
   * the DlqArrivals metric the alarm watches. The failure itself still propagates.
   */
  async function onLastFailure(record: SQSRecord, error: unknown): Promise<void> {
    const receiveCount = Number(record.attributes.ApproximateReceiveCount);
    if (!(receiveCount >= deps.maxReceiveCount)) return;
    pipelineMetrics.dlqArrival();
    const reason =
      error instanceof Error ? `${error.name}: settlement failed ${receiveCount} times` : 'settlement failed';
    let paymentId: string | undefined;
    try {
      paymentId = parseSettlementMessage(record.body).paymentId;
    } catch {
      paymentId = undefined; // unparseable: nothing to flag, the DLQ message is the evidence
    }
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

  async function settleRecord(record: SQSRecord, remainingMs: () => number) {
    appendCorrelation(correlationOfRecord(record));
    pipelineMetrics.queueWait(deps.clock.now() - Number(record.attributes.SentTimestamp));
    try {
      return await settleParsed(record, remainingMs);
    } catch (error) {
      await onLastFailure(record, error);
      throw error;
    } finally {
      clearCorrelation();
    }
  }

  async function settleParsed(record: SQSRecord, remainingMs: () => number) {
    const message = parseSettlementMessage(record.body);
    appendCorrelation(correlationOf(message));
    const run: SettleRun = { executed: false, remainingMs };
    const result = await settleOnce(message, run);
    pipelineMetrics.settlementOutcome({
      status: result.status,
      ...(result.reasonCode !== undefined ? { reasonCode: result.reasonCode } : {}),
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

  /**
   * The failed records of each message group (the failed one and the later ones skipped behind it)
   * get one visibility: the shortest any of them needs (the group is blocked until all are back).
   */
  function visibilityChanges(records: readonly SQSRecord[], response: SQSBatchResponse): VisibilityChange[] {
    const failed = new Set(response.batchItemFailures.map((item) => item.itemIdentifier));
    const byGroup = new Map<string, SQSRecord[]>();
    for (const record of records) {
      if (!failed.has(record.messageId)) continue;
      const group = record.attributes.MessageGroupId ?? record.messageId;
      byGroup.set(group, [...(byGroup.get(group) ?? []), record]);
    }
    const nowMs = deps.clock.now();
    const changes: VisibilityChange[] = [];
    for (const group of byGroup.values()) {
      const receiveCount = Number(group[0]?.attributes.ApproximateReceiveCount ?? '1') || 1;
      const seconds = Math.min(
        ...group.map((record) =>
          retryVisibilitySeconds(
            {
              receiveCount,
              nowMs,
              commitMarginMs,
              random: baseRetryEnv.random,
              ...deadlineOf(record),
            },
            visibilityPolicy,
          ),
        ),
      );
      for (const record of group)
        changes.push({ receiptHandle: record.receiptHandle, visibilityTimeoutSeconds: seconds });
    }
    return changes;
  }

  /**
   * Records skipped behind a failed record of their group (skipGroupOnError) were received too, so
   * their receive counts grow with the failing one's: on the last allowed receive they go to the
   * dead-letter queue with it. Flag them as well, as onLastFailure does for a failed record.
   */
  async function flagSkippedOnLastReceive(
    records: readonly SQSRecord[],
    response: SQSBatchResponse,
    attempted: ReadonlySet<string>,
  ) {
    const failed = new Set(response.batchItemFailures.map((item) => item.itemIdentifier));
    for (const record of records) {
      if (!failed.has(record.messageId) || attempted.has(record.messageId)) continue;
      await onLastFailure(record, new SkippedBehindFailureError(record.messageId));
    }
  }

  /** Best effort: a failure is logged; the records then return after the queue's visibility timeout. */
  async function shortenRetryVisibility(
    records: readonly SQSRecord[],
    response: SQSBatchResponse,
    remainingMs: () => number,
  ) {
    if (!deps.visibility || response.batchItemFailures.length === 0) return;
    const changes = visibilityChanges(records, response);
    try {
      // Never past the invocation: a Lambda time-out would fail the whole batch.
      const refused = await deps.visibility.change(changes, remainingMs() - 100);
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

  return async (event, context) => {
    idempotencyConfig.registerLambdaContext(context);
    const remainingMs = () => context.getRemainingTimeInMillis();
    // A processor per invocation: it holds the batch's failures.
    const processor = new SqsFifoPartialProcessorAsync();
    const attempted = new Set<string>();
    const response = await processPartialResponse(
      event,
      (record: SQSRecord) => {
        attempted.add(record.messageId);
        return settleRecord(record, remainingMs);
      },
      processor,
      {
        context,
        skipGroupOnError: true,
        // A batch whose records all failed is answered like a partial failure (every record
        // listed), not thrown: the same for the queue, and the visibility below still applies.
        throwOnFullBatchFailure: false,
      },
    );
    await flagSkippedOnLastReceive(event.Records, response, attempted);
    await shortenRetryVisibility(event.Records, response, remainingMs);
    return response;
  };
}

function deadlineOf(record: SQSRecord): { deadlineMs?: number } {
  try {
    return { deadlineMs: Date.parse(parseSettlementMessage(record.body).deadline) };
  } catch {
    return {}; // unreadable: poison, no deadline to honour
  }
}

/** A record not attempted because an earlier record of its message group failed in the batch. */
export class SkippedBehindFailureError extends Error {
  override readonly name = 'SkippedBehindFailureError';
  constructor(messageId: string) {
    super(`message ${messageId} was skipped behind a failed record of its message group`);
  }
}
