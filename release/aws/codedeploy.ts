import type { CodeDeployPort, DeploymentTarget, HookStatus } from '../domain/ports';
import type { CodeDeployApi } from './runtime-sdk';

/**
 * CodeDeploy for the lifecycle hooks: which function and version a Lambda deployment shifts
 * (ListDeploymentTargets + GetDeploymentTarget: CodeDeploy's hook event names only the
 * deployment), when it started, and the hook's verdict (PutLifecycleEventHookExecutionStatus).
 */
export class CodeDeployAdapter implements CodeDeployPort {
  constructor(private readonly codedeploy: CodeDeployApi) {}

  async describeTarget(deploymentId: string): Promise<DeploymentTarget> {
    const targetIds: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.codedeploy.listDeploymentTargets({
        deploymentId,
        ...(nextToken ? { nextToken } : {}),
      });
      targetIds.push(...(page.targetIds ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    if (targetIds.length !== 1)
      throw new Error(
        `deployment ${deploymentId} has ${targetIds.length} targets, expected one Lambda function`,
      );
    const [targetId] = targetIds as [string];
    const { deploymentTarget } = await this.codedeploy.getDeploymentTarget({ deploymentId, targetId });
    const info = deploymentTarget?.lambdaTarget?.lambdaFunctionInfo;
    if (info?.functionName === undefined || info.targetVersion === undefined) {
      throw new Error(`deployment ${deploymentId} is not a Lambda deployment with a target version`);
    }
    return {
      functionName: info.functionName,
      targetVersion: info.targetVersion,
      ...(info.functionAlias !== undefined ? { alias: info.functionAlias } : {}),
      ...(info.currentVersion !== undefined ? { currentVersion: info.currentVersion } : {}),
    };
  }

  async startedAt(deploymentId: string): Promise<number | undefined> {
    const { deploymentInfo } = await this.codedeploy.getDeployment({ deploymentId });
    return deploymentInfo?.createTime?.getTime();
  }

  async report(
    deploymentId: string,
    lifecycleEventHookExecutionId: string,
    status: HookStatus,
  ): Promise<void> {
    await this.codedeploy.putLifecycleEventHookExecutionStatus({
      deploymentId,
      lifecycleEventHookExecutionId,
      status,
    });
  }
}
