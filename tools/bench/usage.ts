/**
 * What the pipeline used during the measured phase, in the terms the cost model needs: Lambda
 * invocations and durations per function (the local API gateway's request log for the HTTP
 * functions; the SQS poller's counters and the meter's per-record spans for the settle function),
 * the event source mapping's SQS requests, the DynamoDB request units of the payment path, the
 * log bytes, and the scheduled functions' fixed monthly work.
 */
import type { SqsPollerStats } from '../local/sqs-poller';
import { SWEEP_SHARDS } from '../../shared/adapters/dynamodb/payment-items';
import type { MeterSnapshot } from './aws-meter';
import type { CostInput, FunctionUsage } from './cost';
import type { CpuReport } from './cpu';
import type { SendRecord } from './load';
import type { LogTotals } from './log-capture';
import type { BenchTarget } from './target';

export interface PipelineUsage {
  readonly poller: PollerCounts;
  readonly meter: MeterSnapshot;
  readonly logs: LogTotals;
  readonly functions: readonly FunctionUsage[];
  readonly cpu?: CpuReport;
  /** CPU time per accepted payment during the load, by process. */
  readonly cpuMsPerPayment?: Readonly<Record<string, number>>;
  readonly standInProblems: readonly string[];
}

/** The poller counters the measures use (a subset of SqsPollerStats, summed over the pollers). */
export interface PollerCounts {
  readonly receives: number;
  readonly messagesReceived: number;
  readonly invocations: number;
  readonly invocationsInFlight: number;
  readonly succeeded: number;
  readonly partiallyFailed: number;
  readonly failed: number;
  readonly messagesDeleted: number;
  readonly messagesRetried: number;
}

const POLLER_FIELDS = [
  'receives',
  'messagesReceived',
  'invocations',
  'invocationsInFlight',
  'succeeded',
  'partiallyFailed',
  'failed',
  'messagesDeleted',
  'messagesRetried',
] as const;

function pollerCounts(stats: readonly SqsPollerStats[]): PollerCounts {
  const sum = (field: (typeof POLLER_FIELDS)[number]) => stats.reduce((n, s) => n + s[field], 0);
  return Object.fromEntries(POLLER_FIELDS.map((field) => [field, sum(field)])) as Record<
    (typeof POLLER_FIELDS)[number],
    number
  >;
}

export function pollerTotals(target: BenchTarget): PollerCounts {
  return pollerCounts(target.inProcess?.stack.pollers.map((p) => p.stats()) ?? []);
}

export function pollerDelta(after: PollerCounts, before: PollerCounts): PollerCounts {
  const delta = Object.fromEntries(
    POLLER_FIELDS.map((field) => [field, after[field] - before[field]]),
  ) as Record<(typeof POLLER_FIELDS)[number], number>;
  return { ...delta, invocationsInFlight: after.invocationsInFlight };
}

export function functionUsage(
  target: BenchTarget,
  poller: PollerCounts,
  meter: MeterSnapshot,
): FunctionUsage[] {
  const parts = target.inProcess;
  if (parts === undefined) return [];
  const usage: FunctionUsage[] = [];
  for (const fn of Object.values(target.config.functions)) {
    const routes = fn.events.flatMap((e) => (e.type === 'httpApi' ? [`${e.method} ${e.path}`] : []));
    const durations = routes.flatMap((route) => [...parts.gateway.durationsFor(route)]);
    if (durations.length > 0) {
      usage.push({
        key: fn.key,
        memoryMb: fn.memorySize,
        invocations: durations.length,
        billedMs: durations.reduce((n, d) => n + Math.max(1, Math.ceil(d)), 0),
        durationSource: 'local API gateway request durations',
      });
    }
    if (fn.events.some((e) => e.type === 'sqs') && poller.invocations > 0) {
      usage.push({
        key: fn.key,
        memoryMb: fn.memorySize,
        invocations: poller.invocations,
        billedMs: Math.ceil(meter.settleRecordSpans.totalMs) + poller.invocations,
        durationSource: 'sum of per-record spans, estimate',
      });
    }
  }
  return usage;
}

export function costInput(
  target: BenchTarget,
  sends: readonly SendRecord[],
  accepted: number,
  pipeline: PipelineUsage,
): CostInput {
  const payments = pipeline.meter.dynamodb.filter((op) => !op.background);
  const sum = (f: (op: MeterSnapshot['dynamodb'][number]) => number) =>
    payments.reduce((n, op) => n + f(op), 0);
  const itemsPut = payments
    .filter((op) => op.bytesPut > 0)
    .reduce((n, op) => n + (op.requests - op.failed) * op.items, 0);
  const sweepSeconds = Number(target.config.provider.environment.SWEEP_INTERVAL_SECONDS ?? 5) || 5;
  const scheduled = Object.values(target.config.functions).flatMap((fn) =>
    fn.events.flatMap((e) => {
      if (e.type !== 'schedule' || !e.enabled) return [];
      const minutes = e.rate
        .map((r) => /^rate\((\d+)\s+minutes?\)$/.exec(r)?.[1])
        .find((m) => m !== undefined);
      const perMonth = minutes === undefined ? 0 : (30 * 24 * 60) / Number(minutes);
      return [
        {
          key: fn.key,
          memoryMb: fn.memorySize,
          invocationsPerMonth: perMonth,
          secondsPerInvocation: fn.timeout,
          // Each sweep queries every shard of the byDeadline index (>= 0.5 RRU each, eventually consistent).
          readUnitsPerMonth: ((30 * 24 * 3600) / sweepSeconds) * SWEEP_SHARDS * 0.5,
        },
      ];
    }),
  );
  const resources = Object.values(target.config.resources.Resources);
  return {
    payments: accepted,
    apiRequests: sends.filter((s) => s.status !== 0).map((s) => ({ bytes: s.requestBytes })),
    functions: pipeline.functions,
    sqs: {
      sendChunks: pipeline.meter.sqs.chunks,
      receives: pipeline.poller.invocations,
      deleteBatches: pipeline.poller.succeeded + pipeline.poller.partiallyFailed,
    },
    dynamodb: {
      wru: sum((op) => op.wru),
      indexWru: sum((op) => op.indexWru),
      rru: sum((op) => op.rru),
      bytesPut: sum((op) => op.bytesPut),
      itemsPut,
    },
    logs: { bytes: pipeline.logs.bytes, events: pipeline.logs.lines },
    tracing: true,
    scheduled,
    customMetrics: pipeline.logs.metricNames.length,
    alarms: resources.filter((r) => r.Type === 'AWS::CloudWatch::Alarm').length,
    dashboards: resources.filter((r) => r.Type === 'AWS::CloudWatch::Dashboard').length,
  };
}

export function cpuPerPayment(cpu: CpuReport, payments: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(cpu.processes).map(([name, pct]) => [
      name,
      ((pct / 100) * cpu.seconds * 1000) / Math.max(1, payments),
    ]),
  );
}
