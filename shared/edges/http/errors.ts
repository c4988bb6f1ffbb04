import { wwwAuthenticate } from '../../auth/verifier';
import {
  AppError,
  AuthenticationError,
  BusinessRejection,
  DuplicateError,
  ForbiddenError,
  MalformedRequestError,
  NotFoundError,
  NotPermittedError,
  OverloadedError,
  PayloadTooLargeError,
  TooManyRequestsError,
  TransientError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../domain/errors';
import { jsonResponse, type HttpResponse } from './responses';

/**
 * The one error -> HTTP mapping (as middy's http-error-handler: a status per error, and only an
 * exposed error's message is shown). Errors carry a code and data (shared/domain/errors.ts); the
 * status is decided here, by class, most specific first. An error of no listed class answers 500.
 */
const STATUS_BY_CLASS: ReadonlyArray<readonly [abstract new (...args: never[]) => AppError, number]> = [
  [NotPermittedError, 403],
  [ValidationError, 400],
  [MalformedRequestError, 400],
  [PayloadTooLargeError, 413],
  [UnsupportedMediaTypeError, 415],
  [AuthenticationError, 401],
  [ForbiddenError, 403],
  [NotFoundError, 404],
  [TooManyRequestsError, 429],
  [DuplicateError, 409],
  [BusinessRejection, 422],
  [TransientError, 503],
];

/** The HTTP status an error answers with (its class's; 503 / 429 for an admission refusal). */
export function httpStatusOf(error: AppError): number {
  if (error instanceof OverloadedError) return error.reason === 'overloaded' ? 503 : 429;
  for (const [type, status] of STATUS_BY_CLASS) if (error instanceof type) return status;
  return 500;
}

/** Extra headers an exposed error answers with: the auth challenge, or when to retry. */
function errorHeaders(error: AppError): Record<string, string> {
  if (error instanceof AuthenticationError) return { 'www-authenticate': wwwAuthenticate(error.code) };
  if (error instanceof TooManyRequestsError) return { 'retry-after': '1' };
  if (error instanceof OverloadedError) return { 'retry-after': String(error.retryAfterSeconds) };
  return {};
}

/**
 * Any thrown value as a well-formed HTTP response. Exposed AppErrors answer with their status,
 * code, message and field issues; anything else is a generic 500 (or 503 for transient
 * failures, which the partner may retry) with no internals, only a request id to quote.
 */
export function errorResponse(error: unknown, requestId: string): HttpResponse {
  if (error instanceof AppError && error.expose) {
    const status = httpStatusOf(error);
    return jsonResponse(
      status,
      {
        error: {
          status,
          code: error.code,
          message: error.message,
          ...(error instanceof ValidationError ? { issues: error.issues } : {}),
          requestId,
        },
      },
      errorHeaders(error),
    );
  }
  if (error instanceof TransientError) {
    return jsonResponse(
      503,
      {
        error: {
          status: 503,
          code: 'TEMPORARILY_UNAVAILABLE',
          message: 'temporarily unavailable, retry',
          requestId,
        },
      },
      { 'retry-after': '1' },
    );
  }
  return jsonResponse(500, {
    error: { status: 500, code: 'INTERNAL', message: 'internal error', requestId },
  });
}
