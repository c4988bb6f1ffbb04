import type { MetricQuery } from './ports';

/**
 * The post-traffic check: once CodeDeploy has moved all traffic to the new version, look at what
 * live traffic did to it since the deployment started, and fail the deployment (CodeDeploy then
 * rolls the alias back) if any of these is above what it is allowed:
 *
 *   errors       AWS/Lambda Errors of the NEW version (FunctionName, Resource=<fn>:<alias>,
 *                ExecutedVersion=<target version>), with all traffic on it (the rollback
 *                alarms compare its rates with the old version's during the shift): allowed
 *                DEFAULT_RATES.errors of its invocations (0.1 %), rounded down.
 *   throttles    AWS/Lambda Throttles on the alias: allowed DEFAULT_RATES.throttles (1 %) of the
 *                alias' requests (invocations + throttles), rounded down. Settle runs at its
 *                reserved concurrency under load and a burst throttles a little whatever the
 *                version; a fixed 0 rolled good releases back (issue 13).
 *   slaBreaches  RtpPipeline SlaBreaches (service, stage): payments terminal after their deadline.
 *   dlqArrivals  RtpPipeline DlqArrivals (service, stage): settlement messages on their last receive.
 *
 * A configured absolute limit (`limits`, default 0) is the floor of what is allowed, so on a quiet
 * stage errors and throttles are judged by count, on a busy one by rate. SLA breaches and DLQ
 * arrivals are never normal: their limit is absolute (0 by default).
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
  /** Allowed rates of errors and throttles (defaults DEFAULT_RATES). */
  readonly rates?: Partial<Record<RatedMetric, number>>;
}

type RatedMetric = 'errors' | 'throttles';
/** Allowed share of the new version's invocations (errors) and of the alias' requests (throttles). */
export const DEFAULT_RATES: Readonly<Record<RatedMetric, number>> = { errors: 0.001, throttles: 0.01 };

export const POST_TRAFFIC_METRICS = ['errors', 'throttles', 'slaBreaches', 'dlqArrivals'] as const;
export type PostTrafficMetric = (typeof POST_TRAFFIC_METRICS)[number];

export interface PostTrafficReport {
  readonly ok: boolean;
  readonly window: { readonly startMs: number; readonly endMs: number };
  readonly observed: Readonly<Record<PostTrafficMetric | 'invocations' | 'aliasInvocations', number>>;
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
    { id: 'aliasInvocations', namespace: 'AWS/Lambda', metricName: 'Invocations', dimensions: alias },
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
    aliasInvocations: sums.aliasInvocations ?? 0,
    slaBreaches: sums.slaBreaches ?? 0,
    dlqArrivals: sums.dlqArrivals ?? 0,
  };
  const rate = (metric: RatedMetric) => input.rates?.[metric] ?? DEFAULT_RATES[metric];
  const base: Record<RatedMetric, number> = {
    errors: observed.invocations,
    throttles: observed.aliasInvocations + observed.throttles,
  };
  const breaches: string[] = [];
  for (const metric of POST_TRAFFIC_METRICS) {
    const limit = input.limits?.[metric] ?? 0;
    const allowed =
      metric === 'errors' || metric === 'throttles'
        ? Math.max(limit, Math.floor(rate(metric) * base[metric]))
        : limit;
    if (observed[metric] > allowed) breaches.push(`${metric} ${observed[metric]} > ${allowed}`);
  }
  return { ok: breaches.length === 0, window, observed, breaches };
}
