import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logger } from '../../shared/observability/powertools';
import { CloudWatchMetricsReader } from '../../release/aws/cloudwatch-metrics';
import { CodeDeployAdapter } from '../../release/aws/codedeploy';
import { runtimeSdk } from '../../release/aws/runtime-sdk';
import { getReleaseConfig } from '../../release/config';
import { runLifecycleHook } from '../../release/hook';
import { checkLiveMetrics } from '../../release/post-traffic';

/**
 * CodeDeploy AfterAllowTraffic hook of every function's deployment group: once all traffic is on
 * the new version, judges its live metrics (release/post-traffic.ts) and reports Succeeded
 * or Failed (CodeDeploy then rolls the alias back). This file only wires the AWS adapters.
 */
function wire() {
  const release = getReleaseConfig();
  return {
    release,
    codedeploy: new CodeDeployAdapter(runtimeSdk.codedeploy(release.region)),
    metrics: new CloudWatchMetricsReader(runtimeSdk.cloudwatch(release.region)),
  };
}

let wired: ReturnType<typeof wire> | undefined;
const log = (message: string, detail: Record<string, unknown>) =>
  detail.status === 'Failed' ? logger.error(message, detail) : logger.info(message, detail);

export const handler = middy(async (event: unknown) => {
  const w = (wired ??= wire());
  const { release } = w;
  return runLifecycleHook(
    event,
    { codedeploy: w.codedeploy, functionPrefix: release.functionPrefix, log },
    async ({ deploymentId, target }) => {
      const deploymentStartMs = await w.codedeploy.startedAt(deploymentId);
      const report = await checkLiveMetrics(
        { metrics: w.metrics },
        {
          functionName: target.functionName,
          alias: target.alias ?? release.alias,
          targetVersion: target.targetVersion,
          ...(deploymentStartMs !== undefined ? { deploymentStartMs } : {}),
          soakSeconds: release.soakSeconds,
          service: release.service,
          stage: release.stage,
          namespace: release.metricsNamespace,
        },
      );
      return { ok: report.ok, report };
    },
  );
}).use(injectLambdaContext(logger, { clearState: true }));
