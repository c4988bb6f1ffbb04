/**
 * jest `globalSetup` of the integration project: starts DynamoDB Local and the SQS emulator once per run
 * (in jest's parent process, on random free ports), provisions serverless.yml's `local` stage resources
 * on them, and publishes the endpoints and names through process.env, which the test workers inherit.
 * global-teardown.ts stops both; the java child is also killed on any other exit of this process.
 */
import { startStandIns, type RunningStandIns } from './stand-ins';

/** Where the running stand-ins are kept for global-teardown.ts (same process, separately loaded module). */
export const STAND_INS_KEY = Symbol.for('rtp-pipeline.integration.stand-ins');

interface GlobalWithStandIns {
  [STAND_INS_KEY]?: RunningStandIns;
}

export default async function globalSetup(): Promise<void> {
  const startedAt = Date.now();
  const standIns = await startStandIns();
  (globalThis as GlobalWithStandIns)[STAND_INS_KEY] = standIns;
  Object.assign(process.env, standIns.env);
  if (process.env.RTP_TEST_VERBOSE === '1') {
    console.info(
      `\n[stand-ins] ready in ${Date.now() - startedAt} ms (DynamoDB Local ${standIns.dynamodb.startupMs} ms on ` +
        `${standIns.dynamodb.endpoint}, SQS emulator ${standIns.sqs.startupMs} ms on ${standIns.sqs.endpoint}, ` +
        `sls print ${standIns.config.source.fromCache ? 'cached' : 'run'} ${standIns.config.source.durationMs} ms)`,
    );
  }
}

export function runningStandIns(): RunningStandIns | undefined {
  return (globalThis as GlobalWithStandIns)[STAND_INS_KEY];
}

export function forgetStandIns(): void {
  delete (globalThis as GlobalWithStandIns)[STAND_INS_KEY];
}
