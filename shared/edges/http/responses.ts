import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { wwwAuthenticate } from '../../auth/verifier';
import {
  AppError,
  AuthenticationError,
  OverloadedError,
  TooManyRequestsError,
  TransientError,
  ValidationError,
} from '../../domain/errors';

export type HttpResponse = APIGatewayProxyStructuredResultV2 & {
  statusCode: number;
  headers: Record<string, string>;
};

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...SECURITY_HEADERS, ...headers },
    body: JSON.stringify(body),
  };
}

export function textResponse(
  statusCode: number,
  body: string,
  contentType: string,
  headers: Record<string, string> = {},
): HttpResponse {
  return { statusCode, headers: { 'content-type': contentType, ...SECURITY_HEADERS, ...headers }, body };
}

/**
 * The one place errors become HTTP responses. Exposed AppErrors answer with their status,
 * code, message and field issues; anything else is a generic 500 (or 503 for transient
 * failures, which the partner may retry) with no internals, only a request id to quote.
 */
export function errorResponse(error: unknown, requestId: string): HttpResponse {
  if (error instanceof AppError && error.expose) {
    const headers: Record<string, string> =
      error instanceof AuthenticationError
        ? { 'www-authenticate': wwwAuthenticate(error.code) }
        : error instanceof TooManyRequestsError
          ? { 'retry-after': '1' }
          : error instanceof OverloadedError
            ? { 'retry-after': String(error.retryAfterSeconds) }
            : {};
    return jsonResponse(
      error.httpStatus,
      {
        error: {
          status: error.httpStatus,
          code: error.code,
          message: error.message,
          ...(error instanceof ValidationError ? { issues: error.issues } : {}),
          requestId,
        },
      },
      headers,
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
