import { lambdaHandler, runtimeLogLevel } from '../../shared/observability/middleware';
import { buildSweepHandler } from '../../shared/wiring/sweep';

/**
 * Deadline sweeper (scheduled every minute): sweeps every SWEEP_INTERVAL_SECONDS until the
 * invocation's time is nearly up (shared/edges/schedule/sweep-loop.ts).
 */
export const handler = lambdaHandler(buildSweepHandler()).use(runtimeLogLevel());
