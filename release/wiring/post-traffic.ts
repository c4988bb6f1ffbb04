import { logger } from '../../shared/observability/powertools';
import { runLifecycleHook } from '../app/lifecycle-hook';
import { checkLiveMetrics } from '../app/post-traffic';
import { CloudWatchMetricsReader } from '../aws/cloudwatch-metrics';
import { CodeDeployAdapter } from '../aws/codedeploy';
import { runtimeSdk } from '../aws/runtime-sdk';
import type { HookResult } from '../domain/lifecycle-event';
import { getReleaseConfig } from './config';

function wire() {
  const release = getReleaseConfig();
  return {
    release,
    codedeploy: new CodeDeployAdapter(runtimeSdk.codedeploy(release.region)),
    metrics: new CloudWatchMetricsReader(runtimeSdk.cloudwatch(release.region)),
  };
}

const log = (message: string, detail: Record<string, unknown>) =>
  detail.status === 'Failed' ? logger.error(message, detail) : logger.info(message, detail);

/**
 * The CodeDeploy AfterAllowTraffic hook (functions/post-traffic-hook/handler.ts) and its logger.
 * The AWS adapters are built on the first invocation.
 */
export function postTrafficHook() {
  let wired: ReturnType<typeof wire> | undefined;
  const run = async (event: unknown): Promise<HookResult> => {
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
  };
  return { run, logger };
}
