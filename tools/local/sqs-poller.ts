/**
 * The local equivalent of Lambda's SQS event source mapping (ESM), written for FIFO queues (it also works
 * on standard queues). Nothing on npm does this faithfully (serverless-offline-sqs deletes every message
 * after a successful batch and ignores batchItemFailures), so the project owns it.
 *
 * Like the ESM:
 *  - `concurrency` pollers each long-poll ReceiveMessage (MaxNumberOfMessages = min(10, batchSize), all
 *    system and message attributes) and gather up to `batchSize` records within the batching window
 *    (0 = invoke as soon as anything arrives; the window starts at the first message; capped at 6 MB of
 *    bodies like Lambda's payload limit). As on AWS, FIFO queues take batchSize 1-10 and no batching
 *    window; standard queues need a window of at least 1 s for a batchSize over 10;
 *  - a batch may hold several messages of one message group, in order (AWS, "Using Lambda with Amazon SQS",
 *    FIFO queues: the ESM may put several messages of a group in a batch, in order, and processes each
 *    group in order); the queue hands a receive as many messages of a group as it can (SQS does; our fauxqs
 *    does too, see emulators/sqs-fifo-receive.ts) and never a group's later message while an earlier one
 *    is in flight; records are in order within each group; the event is Lambda's `SQSEvent`
 *    (see sqs-event.ts);
 *  - each batch is one invocation with a fresh context and the function timeout (see lambda-context.ts);
 *  - outcome handling is sqs-batch-outcome.ts: delete on success, only the non-failed records with
 *    ReportBatchItemFailures, nothing on an error, a timeout or an invalid response;
 *  - failed messages are never made visible by the poller: they come back when their visibility timeout
 *    expires, or sooner if the function itself changed it (ChangeMessageVisibility, honoured as SQS does:
 *    the poller never touches the visibility of a record it handed to the function); once a receive would
 *    exceed the queue's maxReceiveCount the queue itself (fauxqs, like SQS) moves them to the dead-letter
 *    queue. With several records of a group per batch, the records behind a failure are received again too,
 *    so their receive counts grow with the failing one's (as on AWS);
 *  - nothing is deleted before the function's outcome is known, so a crash of this process loses nothing;
 *  - a queue whose visibility timeout is shorter than the function timeout is refused (Lambda rejects
 *    such a mapping); a message received twice within one batching window appears once in the batch;
 *  - two pollers never hold records of the same message group at once: the queue does not hand out a
 *    group's messages while one of them is in flight (SQS FIFO semantics, which fauxqs implements).
 *
 * Where it differs from the ESM:
 *  - fixed `concurrency` (the ESM scales with the number of active message groups, up to 1,000, and
 *    backs off after function errors); no event filtering; no maximumConcurrency;
 *  - the function runs in this process (lambda-context.ts); a timed-out handler keeps running;
 *  - a receive takes a group's messages greedily (up to the batch size) before other groups, as SQS says
 *    it tries to; how the real ESM mixes groups within a batch is not documented;
 *  - stop() lets a pending long poll finish (so keep waitTimeSeconds short where stops matter) and
 *    hands the messages it brought back to the queue at once (ChangeMessageVisibility 0) instead of
 *    processing them: aborting the request would leave them invisible for the visibility timeout.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { createLambdaContext, invokeWithTimeout, LambdaTimeoutError } from './lambda-context';
import { quietLogger, type Logger } from './logger';
import { decideBatchOutcome, type BatchDecision, type InvocationOutcome } from './sqs-batch-outcome';
import { orderByMessageGroup, toSqsRecord } from './sqs-event';

/** `void` as in @types/aws-lambda's SQSHandler: a handler without ReportBatchItemFailures returns nothing. */
export type SqsBatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export interface SqsPollerInvocation {
  readonly functionName: string;
  readonly awsRequestId: string;
  /** Index of the poller (0 .. concurrency-1) that made the invocation. */
  readonly poller: number;
  readonly records: readonly SQSRecord[];
}

export interface SqsPollerResult extends SqsPollerInvocation {
  readonly decision: BatchDecision;
  readonly error?: Error;
  readonly durationMs: number;
}

export interface SqsPollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  functionName: string;
  handler: SqsBatchHandler;
  /** 1-10 for FIFO queues (as on AWS). */
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  functionResponseType?: 'ReportBatchItemFailures';
  timeoutSeconds: number;
  memorySize?: number;
  /** Parallel pollers, i.e. concurrent invocations (default 2). */
  concurrency?: number;
  /** Long-poll duration of an idle receive, 0-20 s (default 20, like the ESM). */
  waitTimeSeconds?: number;
  /** FIFO: keep records after a failed one of the same group even if the response did not list them. */
  retainRestOfFailedGroup?: boolean;
  onInvoke?: (info: SqsPollerInvocation) => void;
  onResult?: (info: SqsPollerResult) => void;
  /**
   * Fault injection for tests (default: delete what the outcome says). Called once the function's outcome
   * is known, just before DeleteMessageBatch, with the records about to be deleted; returns the records to
   * actually delete. Leaving records out reproduces the event source mapping dying (or its delete call
   * being lost) after the function succeeded: those messages come back after their visibility timeout and
   * the function sees them again, as on AWS. Counted in `deletesSkipped`.
   */
  beforeDelete?: (records: readonly SQSRecord[], invocation: SqsPollerInvocation) => readonly SQSRecord[];
  logger?: Logger;
}

export interface SqsPollerStats {
  receives: number;
  messagesReceived: number;
  invocations: number;
  invocationsInFlight: number;
  /** Batches fully deleted. */
  succeeded: number;
  /** Batches with batchItemFailures. */
  partiallyFailed: number;
  /** Handler threw (timeouts included). */
  failed: number;
  timedOut: number;
  invalidResponses: number;
  messagesDeleted: number;
  /** Messages left to reappear after their visibility timeout. */
  messagesRetried: number;
  fifoOrderViolations: number;
  receiveErrors: number;
  deleteErrors: number;
  /** Records the `beforeDelete` hook kept from being deleted (fault injection). */
  deletesSkipped: number;
  /** Set when the mapping is invalid (e.g. visibility timeout < function timeout) and nothing is polled. */
  configurationError?: string;
}

export interface SqsPoller {
  /**
   * Stop receiving and wait for the invocations in flight and their deletes. A long poll already under way
   * is let finish (up to waitTimeSeconds); what it brings back is handed back to the queue, not processed.
   * Idempotent.
   */
  stop(): Promise<void>;
  stats(): SqsPollerStats;
}

/** Lambda's invocation payload limit for synchronous invokes, which the ESM respects when batching. */
const MAX_BATCH_PAYLOAD_BYTES = 6 * 1024 * 1024;
const MAX_ERROR_BACKOFF_MS = 5_000;

export function startSqsPoller(opts: SqsPollerOptions): SqsPoller {
  validate(opts);
  const logger = opts.logger ?? quietLogger;
  const concurrency = opts.concurrency ?? 2;
  const waitTimeSeconds = opts.waitTimeSeconds ?? 20;
  const stats: SqsPollerStats = {
    receives: 0,
    messagesReceived: 0,
    invocations: 0,
    invocationsInFlight: 0,
    succeeded: 0,
    partiallyFailed: 0,
    failed: 0,
    timedOut: 0,
    invalidResponses: 0,
    messagesDeleted: 0,
    messagesRetried: 0,
    fifoOrderViolations: 0,
    receiveErrors: 0,
    deleteErrors: 0,
    deletesSkipped: 0,
  };
  const stopController = new AbortController();
  const stopping = (): boolean => stopController.signal.aborted;

  /** Never aborted: fauxqs would still dequeue for an abandoned long poll (see stop() in the header). */
  async function receive(maxMessages: number, waitSeconds: number): Promise<Message[]> {
    stats.receives++;
    const response = await opts.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: opts.queueUrl,
        MaxNumberOfMessages: maxMessages,
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    const messages = response.Messages ?? [];
    stats.messagesReceived += messages.length;
    return messages;
  }

  /** One batch: a long poll, then more receives until batchSize, the window or the payload cap. */
  async function gatherBatch(): Promise<Message[]> {
    const batch = await receive(Math.min(10, opts.batchSize), waitTimeSeconds);
    if (batch.length === 0 || opts.maximumBatchingWindowSeconds === 0) return batch;
    return gatherMore(batch);
  }

  async function gatherMore(batch: Message[]): Promise<Message[]> {
    const windowEnd = Date.now() + opts.maximumBatchingWindowSeconds * 1000;
    let bytes = payloadBytes(batch);
    while (batch.length < opts.batchSize && bytes < MAX_BATCH_PAYLOAD_BYTES) {
      const remainingMs = windowEnd - Date.now();
      if (remainingMs <= 0) break;
      // Whole seconds only, never past the window.
      const waitSeconds = Math.min(20, Math.floor(remainingMs / 1000));
      const more = await receive(Math.min(10, opts.batchSize - batch.length), waitSeconds);
      for (const message of more) {
        // Received again within the window (visibility timeout shorter than the window): keep one record,
        // with the newest receipt handle (the older one is no longer valid).
        const previous = batch.findIndex((candidate) => candidate.MessageId === message.MessageId);
        if (previous === -1) batch.push(message);
        else batch[previous] = message;
      }
      bytes += payloadBytes(more);
      if (more.length === 0 && waitSeconds === 0) await sleep(Math.min(remainingMs, 50));
    }
    return batch;
  }

  async function invoke(poller: number, messages: Message[]): Promise<void> {
    const records = orderByMessageGroup(
      messages.map((message) => toSqsRecord(message, opts.queueArn, opts.region)),
    );
    const context = createLambdaContext({
      functionName: opts.functionName,
      timeoutSeconds: opts.timeoutSeconds,
      memorySize: opts.memorySize,
      region: opts.region,
    });
    const invocation: SqsPollerInvocation = {
      functionName: opts.functionName,
      awsRequestId: context.awsRequestId,
      poller,
      records,
    };
    opts.onInvoke?.(invocation);
    stats.invocations++;
    stats.invocationsInFlight++;
    const startedAt = Date.now();
    const outcome: InvocationOutcome = await invokeWithTimeout(
      opts.handler,
      { Records: records },
      context,
      logger,
    ).then(
      (response): InvocationOutcome => ({ kind: 'returned', response }),
      (error: unknown): InvocationOutcome => ({
        kind: 'failed',
        error: error instanceof Error ? error : new Error(String(error)),
      }),
    );
    stats.invocationsInFlight--;
    const durationMs = Date.now() - startedAt;

    const decision = decideBatchOutcome(records, outcome, {
      reportBatchItemFailures: opts.functionResponseType === 'ReportBatchItemFailures',
      retainRestOfFailedGroup: opts.retainRestOfFailedGroup ?? false,
    });
    record(decision, outcome, invocation);
    await deleteRecords(opts.beforeDelete ? filterDeletes(decision.toDelete, invocation) : decision.toDelete);
    opts.onResult?.({
      ...invocation,
      decision,
      durationMs,
      ...(outcome.kind === 'failed' ? { error: outcome.error } : {}),
    });
  }

  function record(
    decision: BatchDecision,
    outcome: InvocationOutcome,
    invocation: SqsPollerInvocation,
  ): void {
    const base = {
      functionName: opts.functionName,
      awsRequestId: invocation.awsRequestId,
      records: invocation.records.length,
    };
    stats.messagesRetried += decision.toRetry.length;
    stats.fifoOrderViolations += decision.fifoOrderViolations.length;
    switch (decision.verdict) {
      case 'success':
        stats.succeeded++;
        break;
      case 'partial-failure':
        stats.partiallyFailed++;
        logger.warn(
          'batch item failures: those messages return after their visibility timeout (or the one the function set)',
          {
            ...base,
            failed: decision.toRetry.map((item) => item.messageId),
          },
        );
        break;
      case 'function-error':
        stats.failed++;
        if (outcome.kind === 'failed' && outcome.error instanceof LambdaTimeoutError) stats.timedOut++;
        logger.error('invocation failed: the whole batch returns after its visibility timeout', {
          ...base,
          error: outcome.kind === 'failed' ? outcome.error : undefined,
        });
        break;
      case 'invalid-response':
        stats.invalidResponses++;
        logger.error(
          'invalid ReportBatchItemFailures response: Lambda treats it as a failure of the whole batch',
          {
            ...base,
            reason: decision.invalidReason,
          },
        );
        break;
    }
    if (decision.fifoOrderViolations.length > 0) {
      logger.warn(
        'FIFO: the response lists a failed record but not the later records of its message group; Lambda deletes ' +
          'those, breaking the group order (report every record after the first failure, e.g. with SqsFifoPartialProcessor)',
        { ...base, records: decision.fifoOrderViolations.map((item) => item.messageId) },
      );
    }
  }

  /** The `beforeDelete` hook's choice, limited to the records that were to be deleted anyway. */
  function filterDeletes(
    records: readonly SQSRecord[],
    invocation: SqsPollerInvocation,
  ): readonly SQSRecord[] {
    const kept = new Set(opts.beforeDelete?.(records, invocation) ?? records);
    const toDelete = records.filter((item) => kept.has(item));
    stats.deletesSkipped += records.length - toDelete.length;
    return toDelete;
  }

  async function deleteRecords(records: readonly SQSRecord[]): Promise<void> {
    for (let start = 0; start < records.length; start += 10) {
      const chunk = records.slice(start, start + 10);
      try {
        const response = await opts.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: opts.queueUrl,
            Entries: chunk.map((item, index) => ({
              Id: `r${start + index}`,
              ReceiptHandle: item.receiptHandle,
            })),
          }),
        );
        const failed = response.Failed ?? [];
        stats.messagesDeleted += chunk.length - failed.length;
        if (failed.length > 0) {
          stats.deleteErrors += failed.length;
          logger.error('DeleteMessageBatch rejected entries: those messages will be delivered again', {
            failed,
          });
        }
      } catch (error) {
        // Not rethrown: the poller must keep going. The messages were processed; they will be delivered
        // again after their visibility timeout (at-least-once, as on AWS when a delete fails).
        stats.deleteErrors += chunk.length;
        logger.error('DeleteMessageBatch failed: those messages will be delivered again', { error });
      }
    }
  }

  /** Makes received messages visible again at once (stopping: they were not given to the function). */
  async function release(messages: readonly Message[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 10) {
      const chunk = messages.slice(i, i + 10);
      try {
        await opts.sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: opts.queueUrl,
            Entries: chunk.map((m, index) => ({
              Id: String(index),
              ReceiptHandle: m.ReceiptHandle,
              VisibilityTimeout: 0,
            })),
          }),
        );
      } catch (error) {
        logger.warn(
          'could not release received messages on stop: they return after their visibility timeout',
          { error },
        );
      }
    }
  }

  async function runPoller(poller: number): Promise<void> {
    if (!(await compatibleQueue)) return;
    let backoffMs = 0;
    while (!stopping()) {
      let messages: Message[];
      try {
        messages = await gatherBatch();
        backoffMs = 0;
      } catch (error) {
        if (stopping()) break;
        stats.receiveErrors++;
        backoffMs = Math.min(MAX_ERROR_BACKOFF_MS, Math.max(100, backoffMs * 2));
        logger.error('ReceiveMessage failed; retrying', { queueUrl: opts.queueUrl, backoffMs, error });
        await sleep(backoffMs, stopController.signal);
        continue;
      }
      if (messages.length === 0) continue;
      if (stopping()) {
        await release(messages);
        break;
      }
      try {
        await invoke(poller, messages);
      } catch (error) {
        // E.g. a message the event could not be built from: nothing was deleted, it will come back.
        logger.error(
          'could not invoke the function for a batch; its messages return after their visibility timeout',
          {
            functionName: opts.functionName,
            error,
          },
        );
      }
    }
  }

  /**
   * Lambda refuses to create an SQS event source mapping when the queue's visibility timeout is shorter
   * than the function timeout (InvalidParameterValueException); we refuse to poll and say why.
   */
  const compatibleQueue = (async (): Promise<boolean> => {
    try {
      const response = await opts.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: opts.queueUrl, AttributeNames: ['VisibilityTimeout'] }),
        { abortSignal: stopController.signal },
      );
      const visibilityTimeout = Number(response.Attributes?.VisibilityTimeout);
      if (Number.isFinite(visibilityTimeout) && visibilityTimeout < opts.timeoutSeconds) {
        stats.configurationError =
          `Queue visibility timeout: ${visibilityTimeout} seconds is less than Function timeout: ` +
          `${opts.timeoutSeconds} seconds (Lambda rejects this event source mapping)`;
        logger.error(`not polling ${opts.queueUrl}: ${stats.configurationError}`, {
          functionName: opts.functionName,
        });
        return false;
      }
      return true;
    } catch (error) {
      if (stopping()) return false;
      // Could not check (e.g. the queue is not there yet): poll anyway, receive errors will be reported.
      logger.warn('could not read the queue visibility timeout', { queueUrl: opts.queueUrl, error });
      return true;
    }
  })();

  const pollers = Array.from({ length: concurrency }, (_, index) =>
    runPoller(index).catch((error: unknown) => {
      // A bug in the poller itself: report it loudly; the messages it held reappear after the timeout.
      logger.error('SQS poller crashed', { poller: index, error });
    }),
  );
  let stopped: Promise<void> | undefined;

  return {
    stop: () => {
      stopped ??= (async () => {
        stopController.abort();
        await Promise.all(pollers);
      })();
      return stopped;
    },
    stats: () => ({ ...stats }),
  };
}

function validate(opts: SqsPollerOptions): void {
  const fifo = opts.queueArn.endsWith('.fifo');
  const maxBatch = fifo ? 10 : 10_000;
  if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1 || opts.batchSize > maxBatch) {
    throw new RangeError(
      `batchSize must be 1-${maxBatch} for ${fifo ? 'a FIFO' : 'a standard'} queue, got ${opts.batchSize}`,
    );
  }
  if (opts.maximumBatchingWindowSeconds < 0 || opts.maximumBatchingWindowSeconds > 300) {
    throw new RangeError(
      `maximumBatchingWindowSeconds must be 0-300, got ${opts.maximumBatchingWindowSeconds}`,
    );
  }
  // The same parameter checks as CreateEventSourceMapping.
  if (fifo && opts.maximumBatchingWindowSeconds > 0) {
    throw new RangeError(
      'Batching window is not supported for FIFO queues (maximumBatchingWindowSeconds must be 0)',
    );
  }
  if (!fifo && opts.batchSize > 10 && opts.maximumBatchingWindowSeconds < 1) {
    throw new RangeError('A batchSize over 10 needs a maximumBatchingWindowSeconds of at least 1');
  }
  const concurrency = opts.concurrency ?? 2;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError(`concurrency must be >= 1, got ${concurrency}`);
  const wait = opts.waitTimeSeconds ?? 20;
  if (!Number.isInteger(wait) || wait < 0 || wait > 20)
    throw new RangeError(`waitTimeSeconds must be 0-20, got ${wait}`);
}

function payloadBytes(messages: readonly Message[]): number {
  return messages.reduce((total, message) => total + Buffer.byteLength(message.Body ?? '', 'utf8'), 0);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
