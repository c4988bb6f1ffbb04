import * as z from 'zod/mini';
import {
  isProbedFunction,
  type CodeDeployPort,
  type DeploymentTarget,
  type HookStatus,
  type ProbedFunction,
} from './ports';

/** What CodeDeploy sends a BeforeAllowTraffic / AfterAllowTraffic hook function. */
const LifecycleHookEventSchema = z.object({
  DeploymentId: z.string().check(z.minLength(1)),
  LifecycleEventHookExecutionId: z.string().check(z.minLength(1)),
});
export type LifecycleHookEvent = z.infer<typeof LifecycleHookEventSchema>;

export class InvalidHookEventError extends Error {
  override readonly name = 'InvalidHookEventError';
}

export interface HookContext {
  readonly deploymentId: string;
  readonly target: DeploymentTarget;
  /** The function's key in serverless.yml (e.g. `settlePayment`). */
  readonly fn: ProbedFunction;
}

export interface HookResult {
  readonly deploymentId: string;
  readonly status: HookStatus;
  readonly fn?: ProbedFunction;
  readonly targetVersion?: string;
  readonly report?: unknown;
  readonly error?: string;
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
  deps: {
    readonly codedeploy: CodeDeployPort;
    /** `<service>-<stage>-`: deployed function name = prefix + key. */
    readonly functionPrefix: string;
    readonly log?: (message: string, detail: Record<string, unknown>) => void;
  },
  check: (context: HookContext) => Promise<{ ok: boolean; report: unknown }>,
): Promise<HookResult> {
  const parsed = LifecycleHookEventSchema.safeParse(event);
  if (!parsed.success)
    throw new InvalidHookEventError(
      'not a CodeDeploy lifecycle hook event (DeploymentId, LifecycleEventHookExecutionId)',
    );
  const { DeploymentId: deploymentId, LifecycleEventHookExecutionId: executionId } = parsed.data;
  const log = deps.log ?? (() => undefined);

  let result: HookResult;
  try {
    const target = await deps.codedeploy.describeTarget(deploymentId);
    const key = functionKey(target.functionName, deps.functionPrefix);
    if (key === undefined)
      throw new Error(
        `deployment ${deploymentId} shifts ${target.functionName}, which this hook does not know`,
      );
    const outcome = await check({ deploymentId, target, fn: key });
    result = {
      deploymentId,
      status: outcome.ok ? 'Succeeded' : 'Failed',
      fn: key,
      targetVersion: target.targetVersion,
      report: outcome.report,
    };
  } catch (error) {
    result = {
      deploymentId,
      status: 'Failed',
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
  }
  log(result.status === 'Succeeded' ? 'hook succeeded' : 'hook FAILED: the deployment stops and rolls back', {
    ...result,
  });
  await deps.codedeploy.report(deploymentId, executionId, result.status);
  return result;
}

/** `rtp-pipeline-prod-settlePayment` (or its ARN, qualified or not) -> `settlePayment`. */
export function functionKey(functionNameOrArn: string, prefix: string): ProbedFunction | undefined {
  const name = functionNameOrArn.includes(':function:')
    ? (functionNameOrArn.split(':function:')[1]?.split(':')[0] ?? '')
    : functionNameOrArn;
  if (!name.startsWith(prefix)) return undefined;
  const key = name.slice(prefix.length);
  return isProbedFunction(key) ? key : undefined;
}
