import type { SQSRecord } from 'aws-lambda';
import type { Clock, DeadLetterQueue, PaymentStore } from '../../domain/ports';
import { pipelineMetrics } from '../../observability/metrics';
import { logger } from '../../observability/powertools';
import type { PoisonReason } from './failure-class';

/**
 * The settle consumer's answer to a poison record (failure-class.ts: it can never succeed): it
 * sends the message to the dead-letter queue itself, so the record can be reported processed and
 * the later records of its message group settle in the same batch instead of failing behind it
 * until SQS's redrive (maxReceiveCount receives, each a visibility backoff later).
 */
export interface DeadLetterDeps {
  readonly deadLetters: DeadLetterQueue;
  readonly store: PaymentStore;
  readonly clock: Clock;
}

/** What a dead-lettered record answers to the batch (it is deleted from the queue). */
export interface DeadLettered {
  readonly deadLettered: true;
  readonly reason: PoisonReason;
}

/** Kept for the rest of the invocation: ChangeMessageVisibility of the failed records, and a margin. */
const KEEP_MS = 400;
/** At most this long for the send (SendMessage takes milliseconds; a stuck call must not eat the batch). */
const SEND_TIMEOUT_MS = 2_000;

/**
 * Sends the record to the DLQ; true once SQS has it. False when there is no time left for the call
 * or it failed: the caller then reports the record as a failure, as before (SQS's redrive moves it
 * after maxReceiveCount receives; a later receive tries this again, deduplicated by the DLQ).
 */
export async function deadLetter(
  deps: DeadLetterDeps,
  record: SQSRecord,
  poison: { readonly reason: PoisonReason; readonly detail: string; readonly paymentId?: string },
  remainingMs: () => number,
): Promise<boolean> {
  const timeoutMs = Math.min(SEND_TIMEOUT_MS, remainingMs() - KEEP_MS);
  const receiveCount = Number(record.attributes.ApproximateReceiveCount) || 1;
  const context = { messageId: record.messageId, paymentId: poison.paymentId, reason: poison.reason };
  if (timeoutMs < 100) {
    logger.warn('poison message: no time left to dead-letter it, reported as a failure', context);
    return false;
  }
  try {
    await deps.deadLetters.send(
      {
        body: record.body,
        messageGroupId: record.attributes.MessageGroupId ?? record.messageId,
        sourceMessageId: record.messageId,
        receiveCount,
        reason: poison.reason,
        detail: poison.detail,
        attributes: stringAttributes(record),
      },
      timeoutMs,
    );
  } catch (error) {
    logger.warn('poison message: the dead-letter send failed, reported as a failure', { ...context, error });
    return false;
  }
  pipelineMetrics.poisonDeadLettered(poison.reason);
  logger.error('poison settlement message sent to the dead-letter queue', {
    ...context,
    detail: poison.detail,
    receiveCount,
  });
  if (poison.paymentId !== undefined) await flag(deps, poison.paymentId, poison);
  return true;
}

/**
 * A payment of that id, if any and still open, is flagged; its status does not change: the deadline
 * sweeper rejects it (AB05) once past its deadline. Not rejected here: the message contradicts the
 * payment, so it is no authority on it (a good message for it may still be on its way).
 */
async function flag(deps: DeadLetterDeps, paymentId: string, poison: { reason: string; detail: string }) {
  const reason = `poison message dead-lettered (${poison.reason}): ${poison.detail}`;
  await deps.store
    .flagForInvestigation(paymentId, reason, new Date(deps.clock.now()).toISOString())
    .catch((error: unknown) =>
      logger.error('could not flag payment for investigation', { paymentId, error }),
    );
}

/** The record's String / Number message attributes (paymentId, partnerId as submit sets them). */
function stringAttributes(record: SQSRecord): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(record.messageAttributes ?? {})) {
    if (value.stringValue !== undefined && /^(String|Number)/.test(value.dataType))
      out[name] = value.stringValue;
  }
  return out;
}
