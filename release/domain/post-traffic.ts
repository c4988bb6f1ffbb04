import type { MetricQuery } from './ports';

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

export const POST_TRAFFIC_METRICS = ['errors', 'throttles', 'slaBreaches', 'dlqArrivals'] as const;
export type PostTrafficMetric = (typeof POST_TRAFFIC_METRICS)[number];

export interface PostTrafficReport {
  readonly ok: boolean;
  readonly window: { readonly startMs: number; readonly endMs: number };
  readonly observed: Readonly<Record<PostTrafficMetric | 'invocations', number>>;
  readonly breaches: readonly string[];
}

const PERIOD_MS = 60_000;
const DEFAULT_LOOKBACK_MS = 15 * 60_000;

/** The window judged, ending now: from one period before the deployment started (or the lookback). */
export function liveMetricsWindow(
  input: PostTrafficInput,
  endMs: number,
): { startMs: number; endMs: number } {
  return { startMs: (input.deploymentStartMs ?? endMs - DEFAULT_LOOKBACK_MS) - PERIOD_MS, endMs };
}

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

/** The verdict on the sums of postTrafficQueries over the window: a breach per metric above its limit. */
export function judgeLiveMetrics(
  input: PostTrafficInput,
  window: PostTrafficReport['window'],
  sums: Readonly<Record<string, number>>,
): PostTrafficReport {
  const observed = {
    errors: sums.errors ?? 0,
    invocations: sums.invocations ?? 0,
    throttles: sums.throttles ?? 0,
    slaBreaches: sums.slaBreaches ?? 0,
    dlqArrivals: sums.dlqArrivals ?? 0,
  };
  const breaches: string[] = [];
  for (const metric of POST_TRAFFIC_METRICS) {
    const limit = input.limits?.[metric] ?? 0;
    if (observed[metric] > limit) breaches.push(`${metric} ${observed[metric]} > ${limit}`);
  }
  return { ok: breaches.length === 0, window, observed, breaches };
}
