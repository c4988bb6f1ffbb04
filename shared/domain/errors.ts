import type { ReasonCode } from './reasons';

/**
 * The one error hierarchy of the service. Every error a handler can meet is (or is wrapped in)
 * an AppError. Errors carry a code and data, never a transport status: the one mapping to an
 * HTTP status is the edge's (shared/edges/http/errors.ts, a table by error class), the queue
 * outcome is the settle consumer's (shared/edges/queue/settle-consumer.ts).
 *
 * `expose` says whether `message` may be shown to a partner. Unexposed errors become a generic
 * 500 (503 for a TransientError) with no internals. Messages never contain secrets or full
 * account numbers.
 */
export abstract class AppError extends Error {
  abstract readonly expose: boolean;
  /** Machine-readable code: an ISO 20022 reason code, or a stable internal code. */
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export interface FieldIssue {
  /** Path of the offending field, e.g. `amount` or `FIToFICstmrCdtTrf.CdtTrfTxInf.IntrBkSttlmAmt`. */
  readonly field: string;
  readonly code: ReasonCode;
  readonly message: string;
}

/** The request is well-formed enough to read but a field is missing or wrong. 400. */
export class ValidationError extends AppError {
  readonly expose = true;
  readonly code: ReasonCode;
  readonly issues: readonly FieldIssue[];

  constructor(issues: readonly FieldIssue[], options?: { cause?: unknown }) {
    const first = issues[0];
    super(first ? `${first.field}: ${first.message}` : 'invalid request', options);
    this.issues = issues;
    this.code = first?.code ?? 'FF01';
  }

  static field(field: string, code: ReasonCode, message: string): ValidationError {
    return new ValidationError([{ field, code, message }]);
  }
}

/**
 * Well-formed, but it instructs what the calling partner may not: a debtor account (or debtor /
 * instructing agent) that is not one of its own institutions. 403, with the field. The same
 * refusal whatever the state of the account it names, so it tells nothing about that account.
 */
export class NotPermittedError extends ValidationError {}

/** The body is not parseable at all (not JSON / not XML / not the expected message). 400. */
export class MalformedRequestError extends AppError {
  readonly expose = true;
  readonly code = 'FF01';
}

/** The payload is larger than the service accepts. 413. */
export class PayloadTooLargeError extends AppError {
  readonly expose = true;
  readonly code = 'FF01';
}

/** The media type is not one the route accepts. 415. */
export class UnsupportedMediaTypeError extends AppError {
  readonly expose = true;
  readonly code = 'FF01';
}

/** The request could not be authenticated (signature missing / bad / stale / replayed). 401. */
export class AuthenticationError extends AppError {
  readonly expose = true;
  readonly code: string;
  constructor(reason: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = reason;
  }
}

/** Authenticated, but not allowed (disabled partner, foreign agent). 403. */
export class ForbiddenError extends AppError {
  readonly expose = true;
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Not found, or not visible to this partner (the two are indistinguishable on purpose). 404. */
export class NotFoundError extends AppError {
  readonly expose = true;
  readonly code = 'NOT_FOUND';
}

/** The partner sends faster than its configured rate. 429, retry after a second. */
export class TooManyRequestsError extends AppError {
  readonly expose = true;
  readonly code = 'THROTTLED';
}

/** Same business key re-used with different content. 409 / DUPL. */
export class DuplicateError extends AppError {
  readonly expose = true;
  readonly code = 'DUPL';
}

/** A business outcome that rejects a payment (terminal, recorded, never retried). */
export class BusinessRejection extends AppError {
  readonly expose = true;
  readonly code: ReasonCode;
  constructor(code: ReasonCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** An infrastructure failure worth retrying (throttling, transaction conflict, network). */
export class TransientError extends AppError {
  readonly expose = false;
  readonly code = 'TRANSIENT';
}

/** A broken invariant or unexpected state: a bug or corrupted data, never the client's fault. */
export class InternalError extends AppError {
  readonly expose = false;
  readonly code = 'INTERNAL';
}

/** Configuration missing or invalid: fails at cold start, never per request. */
export class ConfigError extends AppError {
  readonly expose = false;
  readonly code = 'CONFIG';
}

/**
 * The queue refused a message for good (e.g. SQS InvalidMessageContents, or another non-transient
 * 4xx client error): resending the same message can never succeed, unlike a TransientError.
 * `awsErrorName` is the refusing service's exception name. A caller (submit) decides the outcome;
 * left unhandled it is an unexposed 500.
 */
export class PermanentEnqueueError extends AppError {
  readonly expose = false;
  readonly code = 'ENQUEUE_REFUSED';
  readonly awsErrorName: string;
  constructor(message: string, awsErrorName: string, options?: { cause?: unknown }) {
    super(message, options);
    this.awsErrorName = awsErrorName;
  }
}

/**
 * Admission control refused a submission before anything was recorded (shared/domain/admission.ts):
 * the settlement backlog is past what settles within the SLO (503 OVERLOADED), or, under pressure,
 * this partner has used its fair share (429 PARTNER_SHARE_EXCEEDED). Retry after the given seconds.
 */
export class OverloadedError extends AppError {
  readonly expose = true;
  readonly code: 'OVERLOADED' | 'PARTNER_SHARE_EXCEEDED';
  readonly reason: 'overloaded' | 'partner_share';
  readonly retryAfterSeconds: number;
  constructor(reason: 'overloaded' | 'partner_share', retryAfterSeconds: number) {
    super(
      reason === 'overloaded'
        ? `the settlement backlog is past what settles within the SLA: nothing was recorded, retry after ${retryAfterSeconds} s`
        : `under load this partner's share of the settlement capacity is used up: nothing was recorded, retry after ${retryAfterSeconds} s`,
    );
    this.reason = reason;
    this.retryAfterSeconds = retryAfterSeconds;
    this.code = reason === 'overloaded' ? 'OVERLOADED' : 'PARTNER_SHARE_EXCEEDED';
  }
}
