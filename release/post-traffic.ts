import type { MetricQuery, MetricsReader } from './ports';

/**
 * The post-traffic check: once CodeDeploy has moved all traffic to the new version, look at what
 * live traffic did to it since the deployment started, and fail the deployment (CodeDeploy then
 * rolls the alias back) if any of these is above its limit (0 by default):
 *
 *   errors       AWS/Lambda Errors of the NEW version (FunctionName, Resource=<fn>:<alias>,
 *                ExecutedVersion=<target version>), with all traffic on it (the rollback
 *                alarms compare its rates with the old version's during the shift).
 *   throttles    AWS/Lambda Throttles on the alias.
 *   slaBreaches  RtpPipeline SlaBreaches (service, stage): payments terminal after their deadline.
 *   dlqArrivals  RtpPipeline DlqArrivals (service, stage): settlement messages on their last receive.
 *
 * The window starts one period before the deployment (CloudWatch aligns data to the minute) and
 * ends after a soak time during which the new version serves all traffic, so that a version that
 * breaks under real traffic is caught while the rollback is still one alias update away.
 */
export interface PostTrafficInput {
  /** Deployed function name, e.g. `rtp-pipeline-prod-settlePayment`. */
  readonly functionName: string;
  readonly alias: string;
  readonly targetVersion: string;
  /** Epoch ms the deployment started (falls back to `now - lookbackMs`). */
  readonly deploymentStartMs?: number;
  readonly soakSeconds: number;
  readonly service: string;
  readonly stage: string;
  readonly namespace: string;
  readonly limits?: Partial<Record<PostTrafficMetric, number>>;
}

export type PostTrafficMetric = 'errors' | 'throttles' | 'slaBreaches' | 'dlqArrivals';

export interface PostTrafficReport {
  readonly ok: boolean;
  readonly window: { readonly startMs: number; readonly endMs: number };
  readonly observed: Readonly<Record<PostTrafficMetric | 'invocations', number>>;
  readonly breaches: readonly string[];
}

export interface PostTrafficDeps {
  readonly metrics: MetricsReader;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const PERIOD_MS = 60_000;
const DEFAULT_LOOKBACK_MS = 15 * 60_000;

export function postTrafficQueries(input: PostTrafficInput): MetricQuery[] {
  const alias = { FunctionName: input.functionName, Resource: `${input.functionName}:${input.alias}` };
  const version = { ...alias, ExecutedVersion: input.targetVersion };
  const pipeline = { service: input.service, stage: input.stage };
  return [
    { id: 'errors', namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: version },
    { id: 'invocations', namespace: 'AWS/Lambda', metricName: 'Invocations', dimensions: version },
    { id: 'throttles', namespace: 'AWS/Lambda', metricName: 'Throttles', dimensions: alias },
    { id: 'slaBreaches', namespace: input.namespace, metricName: 'SlaBreaches', dimensions: pipeline },
    { id: 'dlqArrivals', namespace: input.namespace, metricName: 'DlqArrivals', dimensions: pipeline },
  ];
}

export async function checkLiveMetrics(
  deps: PostTrafficDeps,
  input: PostTrafficInput,
): Promise<PostTrafficReport> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  if (input.soakSeconds > 0) await sleep(input.soakSeconds * 1000);
  const endMs = now();
  const startMs = (input.deploymentStartMs ?? endMs - DEFAULT_LOOKBACK_MS) - PERIOD_MS;
  const sums = await deps.metrics.sums(postTrafficQueries(input), startMs, endMs);
  const observed = {
    errors: sums.errors ?? 0,
    invocations: sums.invocations ?? 0,
    throttles: sums.throttles ?? 0,
    slaBreaches: sums.slaBreaches ?? 0,
    dlqArrivals: sums.dlqArrivals ?? 0,
  };
  const breaches: string[] = [];
  for (const metric of ['errors', 'throttles', 'slaBreaches', 'dlqArrivals'] as const) {
    const limit = input.limits?.[metric] ?? 0;
    if (observed[metric] > limit) breaches.push(`${metric} ${observed[metric]} > ${limit}`);
  }
  return { ok: breaches.length === 0, window: { startMs, endMs }, observed, breaches };
}
