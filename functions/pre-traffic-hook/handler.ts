import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { preTrafficHook } from '../../release/wiring/pre-traffic';

/**
 * CodeDeploy BeforeAllowTraffic hook of every function's deployment group: proves the new
 * version is in a steady state before any traffic moves to it (release/app/pre-traffic/), then
 * reports Succeeded or Failed to CodeDeploy. The wiring: release/wiring/pre-traffic.ts.
 */
const hook = preTrafficHook();

export const handler = middy(hook.run).use(injectLambdaContext(hook.logger, { clearState: true }));
