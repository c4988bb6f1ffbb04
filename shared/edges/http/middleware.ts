import type middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { AppError } from '../../domain/errors';
import { lambdaHandler } from '../../observability/middleware';
import { logger } from '../../observability/powertools';
import { errorResponse, httpStatusOf } from './errors';
import type { HttpResponse } from './responses';

/** Turns any error into a well-formed HTTP response (shared/edges/http/errors.ts) and logs it. */
export function httpErrors(): middy.MiddlewareObj<APIGatewayProxyEventV2, HttpResponse> {
  return {
    onError: (request) => {
      const error = request.error;
      const requestId = request.event.requestContext?.requestId ?? request.context.awsRequestId;
      if (error instanceof AppError && error.expose) {
        logger.info('request refused', {
          error: { name: error.name, code: error.code, status: httpStatusOf(error) },
        });
      } else {
        logger.error('request failed', { error: error ?? undefined });
      }
      request.response = errorResponse(error, requestId);
    },
  };
}

/**
 * Every HTTP handler's middleware chain: every function's (lambdaHandler: tracing, Lambda context
 * in logs, metrics flushed per invocation), then the error mapper. Handlers only wire.
 */
export function httpHandler(
  fn: (event: APIGatewayProxyEventV2, context: Context) => Promise<HttpResponse>,
): middy.MiddyfiedHandler<APIGatewayProxyEventV2, HttpResponse, Error, Context> {
  return lambdaHandler<APIGatewayProxyEventV2, HttpResponse>(fn).use(httpErrors());
}

/** The observability middlewares routes add to the chain (shared/observability/middleware.ts). */
export { intakeRefusals, runtimeLogLevel } from '../../observability/middleware';
