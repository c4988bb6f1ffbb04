import * as z from 'zod/mini';
import { isProbedFunction, type DeploymentTarget, type HookStatus, type ProbedFunction } from './ports';

/** What CodeDeploy sends a BeforeAllowTraffic / AfterAllowTraffic hook function. */
const LifecycleHookEventSchema = z.object({
  DeploymentId: z.string().check(z.minLength(1)),
  LifecycleEventHookExecutionId: z.string().check(z.minLength(1)),
});
export type LifecycleHookEvent = z.infer<typeof LifecycleHookEventSchema>;

export class InvalidHookEventError extends Error {
  override readonly name = 'InvalidHookEventError';
}

/** The hook event's deployment and execution ids; throws InvalidHookEventError on anything else. */
export function parseHookEvent(event: unknown): { deploymentId: string; executionId: string } {
  const parsed = LifecycleHookEventSchema.safeParse(event);
  if (!parsed.success)
    throw new InvalidHookEventError(
      'not a CodeDeploy lifecycle hook event (DeploymentId, LifecycleEventHookExecutionId)',
    );
  return {
    deploymentId: parsed.data.DeploymentId,
    executionId: parsed.data.LifecycleEventHookExecutionId,
  };
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

/** `rtp-pipeline-prod-settlePayment` (or its ARN, qualified or not) -> `settlePayment`. */
export function functionKey(functionNameOrArn: string, prefix: string): ProbedFunction | undefined {
  const name = functionNameOrArn.includes(':function:')
    ? (functionNameOrArn.split(':function:')[1]?.split(':')[0] ?? '')
    : functionNameOrArn;
  if (!name.startsWith(prefix)) return undefined;
  const key = name.slice(prefix.length);
  return isProbedFunction(key) ? key : undefined;
}
