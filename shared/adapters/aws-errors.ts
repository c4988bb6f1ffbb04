import { TransientError } from '../domain/errors';

/*
 * AWS SDK error classification shared by every adapter (DynamoDB, SQS, ...): a neutral module, so
 * one adapter never imports another's.
 */

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
  // A PutItem / UpdateItem / DeleteItem on an item an ongoing transaction holds (DynamoDB developer
  // guide, "Transaction conflict handling"): the SDK does not retry it; a later attempt may succeed.
  'TransactionConflictException',
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

export function isTransientAwsError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (TRANSIENT_NAMES.has(error.name)) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && TRANSIENT_SYSTEM_CODES.has(code)) return true;
  const meta = (error as { $retryable?: unknown; $metadata?: { httpStatusCode?: number } }).$metadata;
  // 5xx, or 429 Too Many Requests whatever the exception name.
  return (
    typeof meta?.httpStatusCode === 'number' && (meta.httpStatusCode >= 500 || meta.httpStatusCode === 429)
  );
}

/** Wraps transient SDK errors in TransientError; rethrows the rest untouched. */
export function rethrowAws(error: unknown, what: string): never {
  if (isTransientAwsError(error)) {
    throw new TransientError(`${what}: ${(error as Error).name}`, { cause: error });
  }
  throw error;
}

/**
 * A refusal no retry can cure: a 4xx client error from the service (InvalidMessageContents,
 * InvalidParameterValue, QueueDoesNotExist, AccessDenied, ...) that is not throttling. Errors with
 * no HTTP status (network, credentials) are not classified as permanent.
 */
export function isPermanentAwsClientError(error: unknown): boolean {
  if (!(error instanceof Error) || isTransientAwsError(error)) return false;
  const status = (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 400 && status < 500 && status !== 429;
}

/**
 * Refusals of one request's CONTENT that no retry cures (the settle consumer dead-letters such a
 * message at once, shared/edges/queue/failure-class.ts). Deliberately a short list: a refusal of
 * the caller or the environment (AccessDenied, an expired token, a missing table or queue, a KMS key
 * disabled) is the same for every message and is cured by a fix or a rollback, so it stays
 * transient and the messages wait in the queue (then its redrive) instead of all being dead-lettered.
 */
const PERMANENT_REQUEST_NAMES = new Set([
  // DynamoDB: a key or item over the service's limits, or an invalid expression value.
  'ValidationException',
  'SerializationException',
]);

export function isPermanentRequestError(error: unknown): boolean {
  return isPermanentAwsClientError(error) && PERMANENT_REQUEST_NAMES.has((error as Error).name);
}
