import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { createAwsClients } from '../../shared/adapters/aws-clients';
import { getConfig } from '../../shared/config/config';
import { logger } from '../../shared/observability/powertools';
import { CodeDeployAdapter } from '../../release/aws/codedeploy';
import { LambdaFunctionInvoker } from '../../release/aws/lambda-invoker';
import { runtimeSdk } from '../../release/aws/runtime-sdk';
import { getReleaseConfig } from '../../release/config';
import { DynamoProbeStore } from '../../release/dynamo-probe-store';
import { runLifecycleHook } from '../../release/hook';
import { checkSteadyState } from '../../release/steady-state';

/**
 * CodeDeploy BeforeAllowTraffic hook of every function's deployment group: proves the new
 * version is in a steady state before any traffic moves to it (release/steady-state.ts),
 * then reports Succeeded or Failed to CodeDeploy. This file only wires the AWS adapters; they are
 * built on the first invocation (the local stack imports every handler module at start-up).
 */
function wire() {
  const config = getConfig();
  const release = getReleaseConfig();
  const { documents } = createAwsClients(config);
  const store = new DynamoProbeStore({
    documents,
    tables: {
      payments: config.tables.payments,
      ledger: config.tables.ledger,
      partners: config.tables.partners,
    },
    slaSeconds: config.slaSeconds,
  });
  return {
    release,
    store,
    liveSettleTimeoutMs: (config.slaSeconds + 10) * 1000,
    codedeploy: new CodeDeployAdapter(runtimeSdk.codedeploy(release.region)),
    invoker: new LambdaFunctionInvoker(runtimeSdk.lambda(release.region), release.functionPrefix),
  };
}

let wired: ReturnType<typeof wire> | undefined;
const log = (message: string, detail: Record<string, unknown>) =>
  detail.ok === false || detail.status === 'Failed'
    ? logger.error(message, detail)
    : logger.info(message, detail);

export const handler = middy(async (event: unknown) => {
  const w = (wired ??= wire());
  return runLifecycleHook(
    event,
    { codedeploy: w.codedeploy, functionPrefix: w.release.functionPrefix, log },
    async ({ fn, target }) => {
      const report = await checkSteadyState(
        {
          invoker: w.invoker,
          fixtures: w.store,
          ledger: w.store,
          recorder: w.store,
          liveSettleTimeoutMs: w.liveSettleTimeoutMs,
          log,
        },
        [{ fn, version: target.targetVersion }],
      );
      return { ok: report.ok, report };
    },
  );
}).use(injectLambdaContext(logger, { clearState: true }));
