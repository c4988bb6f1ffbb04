import { functionKey, parseHookEvent, type HookContext, type HookResult } from '../domain/lifecycle-event';
import type { CodeDeployPort } from '../domain/ports';

export interface LifecycleHookDeps {
  readonly codedeploy: CodeDeployPort;
  /** `<service>-<stage>-`: deployed function name = prefix + key. */
  readonly functionPrefix: string;
  readonly log?: (message: string, detail: Record<string, unknown>) => void;
}

/**
 * Runs one CodeDeploy lifecycle hook: finds the function and version being deployed, runs the
 * check, and ALWAYS reports Succeeded or Failed to CodeDeploy (a hook that never reports leaves
 * the deployment waiting for an hour). Anything unexpected (an unknown function, an SDK error, a
 * bug in the check) reports Failed: when in doubt, the deployment does not proceed.
 * Only a failure to report is thrown (Lambda logs it; CodeDeploy then fails the hook on time-out).
 */
export async function runLifecycleHook(
  event: unknown,
  deps: LifecycleHookDeps,
  check: (context: HookContext) => Promise<{ ok: boolean; report: unknown }>,
): Promise<HookResult> {
  const { deploymentId, executionId } = parseHookEvent(event);
  const log = deps.log ?? (() => undefined);
  const result = await judge(deploymentId, deps, check);
  log(result.status === 'Succeeded' ? 'hook succeeded' : 'hook FAILED: the deployment stops and rolls back', {
    ...result,
  });
  await deps.codedeploy.report(deploymentId, executionId, result.status);
  return result;
}

/** The hook's verdict on one deployment: the check's, or Failed on anything unexpected. */
async function judge(
  deploymentId: string,
  deps: LifecycleHookDeps,
  check: (context: HookContext) => Promise<{ ok: boolean; report: unknown }>,
): Promise<HookResult> {
  try {
    const target = await deps.codedeploy.describeTarget(deploymentId);
    const key = functionKey(target.functionName, deps.functionPrefix);
    if (key === undefined)
      throw new Error(
        `deployment ${deploymentId} shifts ${target.functionName}, which this hook does not know`,
      );
    const outcome = await check({ deploymentId, target, fn: key });
    return {
      deploymentId,
      status: outcome.ok ? 'Succeeded' : 'Failed',
      fn: key,
      targetVersion: target.targetVersion,
      report: outcome.report,
    };
  } catch (error) {
    return {
      deploymentId,
      status: 'Failed',
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
  }
}
