import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { AppError } from '../../domain/errors';
import { logger, metrics, tracer } from '../../observability/powertools';
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
 * Every HTTP handler's middleware chain: tracing, Lambda context in logs (state cleared per
 * invocation), metrics flushed per invocation, and the error mapper. Handlers only wire.
 */
export function httpHandler(
  fn: (event: APIGatewayProxyEventV2, context: Context) => Promise<HttpResponse>,
): middy.MiddyfiedHandler<APIGatewayProxyEventV2, HttpResponse, Error, Context> {
  return middy<APIGatewayProxyEventV2, HttpResponse, Error, Context>(fn)
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { clearState: true }))
    .use(logMetrics(metrics))
    .use(httpErrors());
}

/** The observability middlewares routes add to the chain (shared/observability/middleware.ts). */
export { intakeRefusals, runtimeLogLevel } from '../../observability/middleware';
