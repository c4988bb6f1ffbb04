import { TransientError } from '../../domain/errors';
import { rethrowAws } from '../aws-errors';

/*
 * DynamoDB transaction cancellations. The classification of AWS SDK errors shared by every
 * adapter is in shared/adapters/aws-errors.ts.
 */

/** Cancellation reason codes of TransactWriteItems that a retry may cure. */
export const TRANSIENT_CANCELLATION_CODES = new Set([
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
  'RequestLimitExceeded',
]);

export interface CancellationReason {
  readonly Code?: string;
  readonly Item?: Record<string, unknown>;
}

/**
 * For a failed TransactWriteItems: the per-item cancellation reasons when the transaction was
 * cancelled by its own conditions. Transient failures (a conflict or throttling on any item,
 * network, 5xx) are thrown as TransientError; any other error is rethrown as is.
 */
export function conditionFailures(error: unknown, what: string): readonly CancellationReason[] {
  const reasons = cancellationReasons(error);
  if (!reasons) return rethrowAws(error, what);
  if (reasons.some((r) => r.Code !== undefined && TRANSIENT_CANCELLATION_CODES.has(r.Code))) {
    throw new TransientError(`${what}: transaction conflict or throttling`, { cause: error });
  }
  return reasons;
}

/** The per-item reasons of a cancelled transaction, or undefined if it is another error. */
export function cancellationReasons(error: unknown): readonly CancellationReason[] | undefined {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return undefined;
  const reasons = (error as { CancellationReasons?: unknown }).CancellationReasons;
  return Array.isArray(reasons) ? (reasons as CancellationReason[]) : [];
}
