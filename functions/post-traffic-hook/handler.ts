import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { postTrafficHook } from '../../release/wiring/post-traffic';

/**
 * CodeDeploy AfterAllowTraffic hook of every function's deployment group: once all traffic is on
 * the new version, judges its live metrics (release/app/post-traffic.ts) and reports Succeeded
 * or Failed (CodeDeploy then rolls the alias back). The wiring: release/wiring/post-traffic.ts.
 */
const hook = postTrafficHook();

export const handler = middy(hook.run).use(injectLambdaContext(hook.logger, { clearState: true }));
