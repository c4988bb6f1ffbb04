import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { SqsFifoPartialProcessorAsync, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DEFAULT_COMMIT_MARGIN_MS, settlePayment } from '../../app/settle';
import type { Clock, DeadLetterQueue, Ledger, MessageVisibility, PaymentStore } from '../../domain/ports';
import { realRetryEnv, type RetryEnv, type RetryPolicy } from '../../domain/retry';
import { defaultRetryVisibilityPolicy, type RetryVisibilityPolicy } from '../../domain/retry-visibility';
import { shortenRetryVisibility, type RetryVisibility } from './visibility-backoff';
import {
  flagSkippedOnLastReceive,
  settleRecord,
  type RecordDeps,
  type RecordOutcome,
  type SettleRun,
} from './settle-record';
import type { SettlementMessage } from '../../domain/settlement-message';

export { SkippedBehindFailureError } from './settle-record';

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
   * (shared/domain/retry-visibility.ts, applied by visibility-backoff.ts), so they and the rest of their group come back within the SLA instead of
   * after the queue's visibility timeout. Best effort; without it the queue's timeout applies.
   */
  readonly visibility?: MessageVisibility;
  readonly retryVisibility?: RetryVisibilityPolicy;
  /**
   * The payments DLQ: a record that can never succeed (failure-class.ts) is sent there at once and
   * deleted, so the rest of its group settles in the same batch (dead-letter.ts). Without it, or
   * when the send fails, such a record fails like any other and SQS's redrive moves it.
   */
  readonly deadLetters?: DeadLetterQueue;
  /** Tells a refusal of the request itself that no retry cures (wiring: aws-errors.ts). */
  readonly isPermanentClientError?: (error: unknown) => boolean;
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

/** Time kept at the end of an invocation: 500 ms as before, plus 300 ms for ChangeMessageVisibility. */
const DEFAULT_INVOCATION_MARGIN_MS = 800;

/**
 * The settle consumer (the queue edge), built from its dependencies (shared/wiring/settle.ts wires
 * the real ones; the chaos tests wire clients with injected faults). Each record is settled at
 * most once: Powertools idempotency keyed on the payment id (Lambda context registered, so an
 * in-progress record expires with a dead invocation), and the ledger transaction's conditions as
 * the final guard. A failed record and the later records of its message group are reported as
 * batch item failures; other groups carry on (skipGroupOnError). A poison record (one that can
 * never succeed) is not a failure: it is sent to the DLQ and deleted, and its group goes on. The
 * work on one record is in settle-record.ts, the visibility backoff of the failed ones in
 * visibility-backoff.ts.
 */
export function createSettleHandler(deps: SettleHandlerDeps): SettleBatchHandler {
  const commitMarginMs = deps.commitMarginMs ?? DEFAULT_COMMIT_MARGIN_MS;
  const { settleOnce, idempotencyConfig } = idempotentSettle(deps, commitMarginMs);
  const recordDeps: RecordDeps = { ...deps, settleOnce };
  const retry = retryVisibilityOf(deps, commitMarginMs);
  return async (event, context) => {
    idempotencyConfig.registerLambdaContext(context);
    const remainingMs = () => context.getRemainingTimeInMillis();
    const attempted = new Set<string>();
    const response = await processBatch(event, context, (record) => {
      attempted.add(record.messageId);
      return settleRecord(recordDeps, record, remainingMs);
    });
    await flagSkippedOnLastReceive(recordDeps, event.Records, response, attempted);
    if (retry) await shortenRetryVisibility(retry, event.Records, response, remainingMs);
    return response;
  };
}

/** Powertools' FIFO partial batch: a failed record skips the rest of its group, the batch goes on. */
function processBatch(
  event: SQSEvent,
  context: Context,
  settle: (record: SQSRecord) => Promise<RecordOutcome>,
): Promise<SQSBatchResponse> {
  // A processor per invocation: it holds the batch's failures.
  const processor = new SqsFifoPartialProcessorAsync();
  return processPartialResponse(event, settle, processor, {
    context,
    skipGroupOnError: true,
    // A batch whose records all failed is answered like a partial failure (every record
    // listed), not thrown: the same for the queue, and the visibility below still applies.
    throwOnFullBatchFailure: false,
  });
}

/**
 * settlePayment behind Powertools idempotency keyed on the payment id. `run` (not part of the
 * idempotency key) tells a real settlement from an answer replayed by Powertools idempotency, and
 * carries the invocation's time budget.
 */
function idempotentSettle(deps: SettleHandlerDeps, commitMarginMs: number) {
  const baseRetryEnv = deps.retryEnv ?? realRetryEnv;
  const invocationMarginMs = deps.invocationMarginMs ?? DEFAULT_INVOCATION_MARGIN_MS;
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
  return { settleOnce, idempotencyConfig };
}

function retryVisibilityOf(deps: SettleHandlerDeps, commitMarginMs: number): RetryVisibility | undefined {
  if (!deps.visibility) return undefined;
  return {
    visibility: deps.visibility,
    policy: deps.retryVisibility ?? defaultRetryVisibilityPolicy,
    commitMarginMs,
    random: (deps.retryEnv ?? realRetryEnv).random,
    nowMs: () => deps.clock.now(),
  };
}
