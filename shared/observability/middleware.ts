import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import {
  AppError,
  DuplicateError,
  MalformedRequestError,
  OverloadedError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../domain/errors';
import { pipelineMetrics } from './metrics';
import { logger, metrics, tracer } from './powertools';
import { RuntimeLogLevel, type ParameterFetcher } from './runtime-log-level';
import { observabilitySettings } from './settings';

/**
 * Every function's middy chain starts here: tracing, the Lambda context in logs (state cleared
 * per invocation), metrics flushed per invocation. HTTP handlers add the error mapper
 * (shared/edges/http/middleware.ts httpHandler); every handler then adds runtimeLogLevel().
 */
export function lambdaHandler<TEvent, TResult>(
  fn: (event: TEvent, context: Context) => Promise<TResult>,
): middy.MiddyfiedHandler<TEvent, TResult, Error, Context> {
  return middy<TEvent, TResult, Error, Context>(fn)
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { clearState: true }))
    .use(logMetrics(metrics));
}

/**
 * Errors of an intake refusal: the submission was read and refused, nothing recorded (answered
 * 400 / 403 / 409 / 413 / 415 by shared/edges/http/errors.ts). All exposed.
 */
const REFUSALS = [
  ValidationError, // incl. NotPermittedError (403) and the ISO schema's SchemaValidationError
  MalformedRequestError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  DuplicateError,
] as const;

function isIntakeRefusal(error: unknown): error is AppError {
  return REFUSALS.some((type) => error instanceof type);
}

/**
 * Counts submissions refused at intake (PaymentsRefusedAtIntake by reason code) whatever throws
 * them: body parsing, validation, DUPL; and submissions shed by admission control
 * (PaymentsShedAtIntake by reason). Authentication failures are counted by partnerAuth
 * (SignatureFailures). Runs before the error mapper and the metrics flush (middy runs onError
 * handlers in reverse order of use()).
 */
export function intakeRefusals(): middy.MiddlewareObj {
  return {
    onError: (request) => {
      const error = request.error;
      if (error instanceof OverloadedError) {
        pipelineMetrics.paymentShed(error.reason);
        return;
      }
      if (isIntakeRefusal(error)) pipelineMetrics.intakeRefusal(error.code);
    },
  };
}

let runtimeLevel: RuntimeLogLevel | undefined;

function ssmFetcher(): ParameterFetcher {
  let provider: SSMProvider | undefined;
  return async (name, maxAgeSeconds) => {
    provider ??= new SSMProvider({
      // Short timeouts: a slow SSM must not eat an invocation's time (the settle SLA is 15 s).
      awsSdkV3Client: tracer.captureAWSv3Client(
        new SSMClient({ maxAttempts: 2, requestHandler: { connectionTimeout: 300, requestTimeout: 1_000 } }),
      ),
    });
    return provider.get(name, { maxAge: maxAgeSeconds, transform: 'json' });
  };
}

/** The process-wide runtime log level (one SSM read per cache age per container). */
export function sharedRuntimeLogLevel(): RuntimeLogLevel {
  if (runtimeLevel === undefined) {
    const settings = observabilitySettings();
    runtimeLevel = new RuntimeLogLevel({
      logger,
      ...(settings.opsParameter !== undefined ? { parameterName: settings.opsParameter } : {}),
      maxAgeSeconds: settings.opsParameterMaxAgeSeconds,
      fetch: ssmFetcher(),
    });
  }
  return runtimeLevel;
}

/** Applies the runtime log settings (SSM) before the handler runs. */
export function runtimeLogLevel(): middy.MiddlewareObj {
  return {
    before: async () => {
      await sharedRuntimeLogLevel().refresh();
    },
  };
}
