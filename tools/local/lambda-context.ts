/**
 * The Lambda `Context` object and the function timeout, for handlers invoked in-process by the local
 * stand-ins (HTTP gateway, SQS poller).
 *
 * Like Lambda: a fresh awsRequestId per invocation; invokedFunctionArn, logGroupName `/aws/lambda/<name>`
 * and a logStreamName in Lambda's format; getRemainingTimeInMillis() counting down to the deadline; the
 * invocation fails with `Task timed out after N.NN seconds` when the deadline passes.
 *
 * Where it differs: every function runs in this one Node process (no sandbox per function, shared module
 * state and event loop, no memory limit, no freeze between invocations, no cold starts). At the deadline
 * Lambda freezes and then discards the sandbox; here the handler's promise simply keeps running in the
 * background and its outcome is ignored (a late failure is reported to the logger). So side effects a
 * timed-out handler performs after its deadline still happen locally. The deprecated `done` / `succeed` /
 * `fail` callbacks are not supported (handlers return promises).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { quietLogger, type Logger } from './logger';

export interface LambdaContextOptions {
  functionName: string;
  timeoutSeconds: number;
  memorySize?: number;
  region?: string;
  accountId?: string;
  functionVersion?: string;
}

/** A Lambda Context plus the absolute deadline (epoch ms) the timeout is measured against. */
export interface LocalLambdaContext extends Context {
  readonly deadlineMs: number;
  readonly timeoutSeconds: number;
}

export function createLambdaContext(opts: LambdaContextOptions): LocalLambdaContext {
  if (!(opts.timeoutSeconds > 0))
    throw new RangeError(`timeoutSeconds must be positive, got ${opts.timeoutSeconds}`);
  const region = opts.region ?? 'us-east-1';
  const accountId = opts.accountId ?? '000000000000';
  const functionVersion = opts.functionVersion ?? '$LATEST';
  const deadlineMs = Date.now() + opts.timeoutSeconds * 1000;
  const unsupported = (name: string) => (): never => {
    throw new Error(
      `context.${name}() is not supported by the local runtime: return (or throw from) a promise`,
    );
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: opts.functionName,
    functionVersion,
    invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${opts.functionName}`,
    memoryLimitInMB: String(opts.memorySize ?? 1024),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${opts.functionName}`,
    logStreamName: logStreamName(functionVersion),
    deadlineMs,
    timeoutSeconds: opts.timeoutSeconds,
    getRemainingTimeInMillis: () => Math.max(0, deadlineMs - Date.now()),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
}

/** `2024/05/01/[$LATEST]0123456789abcdef0123456789abcdef`, as Lambda names log streams. */
function logStreamName(functionVersion: string): string {
  const now = new Date();
  const date = `${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}/${String(now.getUTCDate()).padStart(2, '0')}`;
  return `${date}/[${functionVersion}]${randomBytes(16).toString('hex')}`;
}

/** What Lambda reports when an invocation runs past the function timeout. */
export class LambdaTimeoutError extends Error {
  override readonly name = 'LambdaTimeoutError';
  /** Lambda's errorType for this failure. */
  readonly errorType = 'Sandbox.Timedout';

  constructor(
    readonly awsRequestId: string,
    readonly timeoutSeconds: number,
  ) {
    super(`Task timed out after ${timeoutSeconds.toFixed(2)} seconds`);
  }
}

export type LambdaHandler<TEvent, TResult> = (event: TEvent, context: Context) => Promise<TResult> | TResult;

/**
 * Invoke a handler and settle with its result, its error, or a LambdaTimeoutError at the context's
 * deadline, whichever comes first. After a timeout the handler keeps running in the background (see the
 * header); if it later fails, that is reported to `logger` (never left as an unhandled rejection).
 */
export function invokeWithTimeout<TEvent, TResult>(
  handler: LambdaHandler<TEvent, TResult>,
  event: TEvent,
  context: LocalLambdaContext,
  logger: Logger = quietLogger,
): Promise<TResult> {
  return new Promise<TResult>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      reject(new LambdaTimeoutError(context.awsRequestId, context.timeoutSeconds));
    }, context.getRemainingTimeInMillis());

    Promise.resolve()
      .then(() => handler(event, context))
      .then(
        (result) => {
          clearTimeout(timer);
          if (settled) return;
          settled = true;
          resolve(result);
        },
        (error: unknown) => {
          clearTimeout(timer);
          if (!settled) {
            settled = true;
            reject(
              error instanceof Error
                ? error
                : new Error(`Handler rejected with ${String(error)}`, { cause: error }),
            );
            return;
          }
          logger.error('handler failed after its invocation had already timed out', {
            functionName: context.functionName,
            awsRequestId: context.awsRequestId,
            error,
          });
        },
      );
  });
}
