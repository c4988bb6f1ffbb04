import type { SQSRecord } from 'aws-lambda';
import { logger, tracer } from './powertools';

/**
 * Correlation ids carried from submit to settle: the payment id, the partner, and the
 * partner's own references (EndToEndId, MsgId). Submit appends them once the payment exists;
 * the settlement message carries them (body, and paymentId / partnerId as SQS message
 * attributes, which survive a body that no longer parses); settle appends them per record.
 * Every log line written meanwhile carries them (Powertools persistent keys).
 */
export interface CorrelationIds {
  readonly paymentId?: string;
  readonly partnerId?: string;
  readonly endToEndId?: string;
  readonly msgId?: string;
  /** The SQS message id of the settlement message (settle only). */
  readonly sqsMessageId?: string;
}

export const CORRELATION_KEYS: readonly (keyof CorrelationIds)[] = [
  'paymentId',
  'partnerId',
  'endToEndId',
  'msgId',
  'sqsMessageId',
];

/** Ids of a payment or of a settlement message (both shapes carry them). */
export function correlationOf(source: {
  readonly paymentId: string;
  readonly partnerId: string;
  readonly endToEndId?: string;
  readonly msgId?: string;
  readonly references?: { readonly endToEndId: string; readonly msgId?: string };
}): CorrelationIds {
  const endToEndId = source.endToEndId ?? source.references?.endToEndId;
  const msgId = source.msgId ?? source.references?.msgId;
  return {
    paymentId: source.paymentId,
    partnerId: source.partnerId,
    ...(endToEndId !== undefined ? { endToEndId } : {}),
    ...(msgId !== undefined ? { msgId } : {}),
  };
}

/** What an SQS record says about itself without parsing its body. */
export function correlationOfRecord(
  record: Pick<SQSRecord, 'messageId' | 'messageAttributes'>,
): CorrelationIds {
  const attribute = (name: string) => record.messageAttributes?.[name]?.stringValue;
  const paymentId = attribute('paymentId');
  const partnerId = attribute('partnerId');
  return {
    sqsMessageId: record.messageId,
    ...(paymentId !== undefined ? { paymentId } : {}),
    ...(partnerId !== undefined ? { partnerId } : {}),
  };
}

/** Adds the ids to every following log line of this invocation. */
export function appendCorrelation(ids: CorrelationIds): void {
  const keys: Record<string, string> = {};
  for (const key of CORRELATION_KEYS) {
    const value = ids[key];
    if (value !== undefined && value !== '') keys[key] = value;
  }
  logger.appendKeys(keys);
}

/** Removes them again (settle: between the records of a batch). */
export function clearCorrelation(): void {
  logger.removeKeys([...CORRELATION_KEYS]);
}

/** X-Ray annotations (searchable in the console: `annotation.paymentId = "..."`); one payment per trace only. */
export function annotateTrace(ids: CorrelationIds): void {
  if (!tracer.isTracingEnabled()) return;
  if (ids.paymentId !== undefined) tracer.putAnnotation('paymentId', ids.paymentId);
  if (ids.partnerId !== undefined) tracer.putAnnotation('partnerId', ids.partnerId);
}
