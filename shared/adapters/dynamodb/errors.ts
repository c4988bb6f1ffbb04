import { TransientError } from '../../domain/errors';

/**
 * Classifies AWS SDK errors by their `name` (the exception class), never by message text.
 * Transient: throttling, capacity, internal server errors, timeouts and network failures; the
 * caller may retry them. Everything else is returned as-is.
 */
const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestThrottled', // SQS
  'KmsThrottled', // SQS with a customer-managed key
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionInProgressException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'NetworkingError',
]);

const TRANSIENT_SYSTEM_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/** Cancellation reason codes of TransactWriteItems that a retry may cure. */
export const TRANSIENT_CANCELLATION_CODES = new Set([
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
  'RequestLimitExceeded',
]);

export function isTransientAwsError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (TRANSIENT_NAMES.has(error.name)) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && TRANSIENT_SYSTEM_CODES.has(code)) return true;
  const meta = (error as { $retryable?: unknown; $metadata?: { httpStatusCode?: number } }).$metadata;
  return typeof meta?.httpStatusCode === 'number' && meta.httpStatusCode >= 500;
}

/** Wraps transient SDK errors in TransientError; rethrows the rest untouched. */
export function rethrowAws(error: unknown, what: string): never {
  if (isTransientAwsError(error)) {
    throw new TransientError(`${what}: ${(error as Error).name}`, { cause: error });
  }
  throw error;
}

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
