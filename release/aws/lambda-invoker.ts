import type { FunctionInvoker, InvocationResult, ProbedFunction } from '../domain/ports';
import type { LambdaApi } from './runtime-sdk';

/**
 * Invokes a published version of a function (`Qualifier` = the version number CodeDeploy is
 * about to shift to), synchronously, never through the alias that carries live traffic.
 */
export class LambdaFunctionInvoker implements FunctionInvoker {
  constructor(
    private readonly lambda: LambdaApi,
    /** `<service>-<stage>-`: deployed function name = prefix + key. */
    private readonly functionPrefix: string,
  ) {}

  async invoke(fn: ProbedFunction, version: string, event: unknown): Promise<InvocationResult> {
    const out = await this.lambda.invoke({
      FunctionName: `${this.functionPrefix}${fn}`,
      Qualifier: version,
      InvocationType: 'RequestResponse',
      Payload: Buffer.from(JSON.stringify(event), 'utf8'),
    });
    const text = out.Payload === undefined ? '' : Buffer.from(out.Payload).toString('utf8');
    if (out.FunctionError !== undefined)
      return { ok: false, error: `${out.FunctionError}: ${text.slice(0, 1000)}` };
    if (out.ExecutedVersion !== undefined && out.ExecutedVersion !== version) {
      return { ok: false, error: `invoked version ${version} but ${out.ExecutedVersion} ran` };
    }
    try {
      return { ok: true, payload: text === '' ? null : (JSON.parse(text) as unknown) };
    } catch {
      return { ok: false, error: `the function answered a payload that is not JSON: ${text.slice(0, 200)}` };
    }
  }
}
