import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { FunctionInvoker, InvocationResult, ProbedFunction } from '../domain/ports';

export type AnyHandler = (event: never, context: Context) => Promise<unknown>;

export interface InProcessFunction {
  readonly handler: AnyHandler;
  /** What getRemainingTimeInMillis() counts down from (the function's timeout). */
  readonly timeoutSeconds: number;
}

/**
 * A FunctionInvoker that runs handlers in this process, for the integration tests: the
 * "published version" is whatever handler is registered for the function. Like Lambda, the
 * payload goes through JSON both ways and a thrown error becomes a function error.
 */
export class InProcessInvoker implements FunctionInvoker {
  constructor(private readonly functions: Readonly<Partial<Record<ProbedFunction, InProcessFunction>>>) {}

  async invoke(fn: ProbedFunction, version: string, event: unknown): Promise<InvocationResult> {
    const target = this.functions[fn];
    if (target === undefined) return { ok: false, error: `ResourceNotFound: no handler for ${fn}` };
    const deadline = Date.now() + target.timeoutSeconds * 1000;
    const context: Context = {
      callbackWaitsForEmptyEventLoop: true,
      functionName: fn,
      functionVersion: version,
      invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${fn}:${version}`,
      memoryLimitInMB: '512',
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${fn}`,
      logStreamName: `local/[${version}]${randomUUID().replace(/-/g, '')}`,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
    try {
      const payload = await target.handler(JSON.parse(JSON.stringify(event)) as never, context);
      return {
        ok: true,
        payload: payload === undefined ? null : (JSON.parse(JSON.stringify(payload)) as unknown),
      };
    } catch (error) {
      return { ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    }
  }
}
