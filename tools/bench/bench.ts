/**
 * One benchmark run, end to end (what `npm run bench` and the smoke test both call):
 *
 *   1. bundles     each function built like a deploy; sizes, module load time   (no stack running)
 *   2. target      the local stack in this process (or --url), meters attached
 *   3. seed        partners with signing keys, funded / empty / hot accounts
 *   4. capacity    the stand-ins' raw limit for a payment's work                 (before any load)
 *   5. warm-up     a few payments, settled, not measured
 *   6. load        open loop at the target rate for the duration, progress line
 *   7. drain       wait (bounded) until every accepted payment is terminal; read the records back
 *   8. results     measures, the limit ratio, the cost model, targets; results.json, report.html
 *
 * The phases are functions of their own so the knee search (knee-bench.ts) runs the same ones:
 * one setup, then several measured loads (each on freshly seeded accounts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measureBundles, type BundleReport } from './bundles';
import { measureSchemaCost, type SchemaCost } from './schema-cost';
import { measureCapacity, type CapacityResult } from './capacity';
import { costModel, loadPrices, type CostModel } from './cost';
import { CpuMonitor } from './cpu';
import { measureHotAccountPair } from './hot-settle';
import type { LoadPlan, LoadProgress, PartnerKeyMaterial, SendRecord } from './load';
import { startLoadProcess } from './load-process';
import { LogCapture } from './log-capture';
import { measure, type LoadMeasures, type PaymentTimeline } from './measure';
import { AUTO_RATE_FALLBACK, AUTO_RATE_SHARE, type BenchOptions } from './options';
import { ProgressLine } from './progress';
import { waitUntilTerminal } from './readback';
import { writeHtmlReport } from './report';
import { seedWorld } from './seed';
import type { BenchResults } from './results';
import { evaluateTargets, SLO_SECONDS } from './summary';
import { loadBenchConfig, openTarget, type BenchTarget } from './target';
import {
  costInput,
  cpuPerPayment,
  functionUsage,
  pollerDelta,
  pollerTotals,
  type PipelineUsage,
} from './usage';
import { planWorld, type SimWorld } from './world';

export interface BenchIo {
  readonly write: (text: string) => void;
  readonly isTty: boolean;
}

/** How to run, beyond the command-line options (tests). */
export interface BenchRuntime {
  /** Start the stack on stand-ins that are already running instead of starting new ones. */
  readonly emulators?: { readonly dynamodbEndpoint: string; readonly sqsEndpoint: string };
}

export type { PipelineUsage } from './usage';
export type { BenchResults } from './results';

function progressText(phase: string, p: LoadProgress, plan: LoadPlan, target: BenchTarget): string {
  const statuses = Object.entries(p.byStatus)
    .map(([status, count]) => `${status}:${count}`)
    .join(' ');
  const commits = target.inProcess?.meter.commits.size;
  const poller = target.inProcess ? pollerTotals(target) : undefined;
  const elapsed = Math.max(0, p.elapsedMs / 1000);
  return (
    `[${phase} ${elapsed.toFixed(0)}/${plan.durationSeconds}s] offered ${plan.rate.toFixed(1)}/s sent ${p.sent} answered ${p.completed} ` +
    `(${statuses || '-'}) in flight ${p.inFlight}` +
    (commits !== undefined ? ` | terminal ${commits}` : '') +
    (poller !== undefined
      ? ` | settle invocations ${poller.invocations} (${poller.invocationsInFlight} running)`
      : '')
  );
}

async function runLoad(
  target: BenchTarget,
  plan: LoadPlan,
  progress: ProgressLine,
  phase: string,
  onStart?: (pid: number) => void,
): Promise<readonly SendRecord[]> {
  const handle = startLoadProcess(plan, (p) => progress.update(progressText(phase, p, plan, target)));
  onStart?.(handle.pid);
  const { records } = await handle.done;
  progress.done();
  return records;
}

const JAVA_LABEL = 'DynamoDB Local (java)';

function serializableOptions(options: BenchOptions): Record<string, unknown> {
  return { ...options, skip: [...options.skip] };
}

/** What a run sets up once: the offline measures, the stack, the stand-in limit. */
export interface BenchSession {
  readonly options: BenchOptions;
  readonly startedAt: Date;
  readonly say: (line: string) => void;
  readonly progress: ProgressLine;
  readonly target: BenchTarget;
  readonly bundles?: BundleReport[];
  readonly schema?: SchemaCost;
  readonly capacity?: CapacityResult;
}

/** A world seeded in the target: the accounts and partner keys a load uses. */
export interface SeededWorld {
  readonly world: SimWorld;
  readonly keys: readonly PartnerKeyMaterial[];
}

export async function seedFreshWorld(session: Pick<BenchSession, 'options' | 'target' | 'say'>) {
  const { options, target, say } = session;
  const world: SimWorld = planWorld({ partners: options.partners, accounts: options.accounts });
  say(
    `seed: ${world.partners.length} partners, ${world.accounts.length} funded accounts, run ${world.runId}`,
  );
  const keys = await seedWorld(target, world, options.alg);
  return { world, keys } satisfies SeededWorld;
}

async function offlineMeasures(
  options: BenchOptions,
  config: Awaited<ReturnType<typeof loadBenchConfig>>,
  say: (line: string) => void,
): Promise<{ bundles?: BundleReport[]; schema?: SchemaCost }> {
  // First, while nothing else runs: build and load times are CPU-bound.
  const bundles = options.skip.has('bundles')
    ? undefined
    : await measureBundles(config, { runs: options.loadRuns, log: say });
  if (options.skip.has('schema')) return { ...(bundles ? { bundles } : {}) };
  const schema = measureSchemaCost();
  say(
    `schema check: median ${schema.medianUs.toFixed(0)} us per message (p95 ${schema.p95Us.toFixed(0)} us)`,
  );
  return { ...(bundles ? { bundles } : {}), schema };
}

async function probeCapacity(
  options: BenchOptions,
  target: BenchTarget,
  say: (line: string) => void,
): Promise<CapacityResult | undefined> {
  if (options.skip.has('capacity')) return undefined;
  const capacity = await measureCapacity({
    dynamodb: target.dynamodb,
    sqs: target.sqs,
    tables: { payments: target.tables.payments, ledger: target.tables.ledger },
    seconds: options.capacitySeconds,
    ...(target.inProcess?.dynamodbPid !== undefined ? { dynamodbPid: target.inProcess.dynamodbPid } : {}),
    log: say,
  });
  say(
    `capacity: DynamoDB Local ${capacity.dynamodbSettle.perSecond.toFixed(1)} settlements/s (concurrency ${capacity.dynamodbSettle.concurrency}), ` +
      `fauxqs ${capacity.sqsFifo.perSecond.toFixed(1)} FIFO messages/s`,
  );
  return capacity;
}

/**
 * Runs `body` on a session: offline measures, the target, the first seeded world and the
 * capacity probe; stops the target and the log capture whatever happens.
 */
export async function withSession<T>(
  options: BenchOptions,
  io: BenchIo,
  runtime: BenchRuntime,
  body: (session: BenchSession, first: SeededWorld) => Promise<T>,
): Promise<T> {
  const startedAt = new Date();
  const logs = new LogCapture();
  const say = (line: string) => io.write(`${line}\n`);
  const progress = new ProgressLine({ write: io.write, isTty: io.isTty, enabled: options.progress });
  mkdirSync(options.outDir, { recursive: true });
  let target: BenchTarget | undefined;
  try {
    const config = await loadBenchConfig();
    const offline = await offlineMeasures(options, config, say);
    target = await openTarget({
      config,
      url: options.url,
      ...(runtime.emulators ? { emulators: runtime.emulators } : {}),
      pollerConcurrency: options.concurrency,
      ...(options.conflicts !== undefined ? { conflicts: options.conflicts } : {}),
      logs,
      printError: logs.writeError,
    });
    say(`target: ${target.inProcess ? 'local stack in this process' : 'external stack'} at ${target.url}`);
    const first = await seedFreshWorld({ options, target, say });
    const capacity = await probeCapacity(options, target, say);
    const session = {
      options,
      startedAt,
      say,
      progress,
      target,
      ...offline,
      ...(capacity ? { capacity } : {}),
    };
    return await body(session, first);
  } finally {
    progress.done();
    await target?.stop();
    logs.stop();
  }
}

function chooseRate(session: BenchSession): { rate: number; rateSource: string } {
  const { options, capacity } = session;
  if (options.rate !== 'auto') return { rate: options.rate, rateSource: 'fixed rate' };
  return capacity
    ? {
        rate: Math.max(1, Math.round(capacity.dynamodbSettle.perSecond * AUTO_RATE_SHARE)),
        rateSource: `auto: ${AUTO_RATE_SHARE * 100} % of the measured settlement capacity`,
      }
    : { rate: AUTO_RATE_FALLBACK, rateSource: `auto: capacity not measured, ${AUTO_RATE_FALLBACK}/s` };
}

function basePlan(session: BenchSession, seeded: SeededWorld) {
  return {
    baseUrl: session.target.url,
    seed: session.options.seed,
    world: seeded.world,
    keys: seeded.keys,
    timeoutMs: 30_000,
  };
}

/** A few payments at <= 10/s, settled and not measured. */
export async function warmUp(session: BenchSession, seeded: SeededWorld, rate: number): Promise<void> {
  const { options, target, progress } = session;
  if (options.warmup <= 0) return;
  const warmRate = Math.min(rate, 10);
  const warm: LoadPlan = {
    ...basePlan(session, seeded),
    phase: 'W',
    rate: warmRate,
    durationSeconds: options.warmup / warmRate + 1,
    maxPayments: options.warmup,
    arrivals: 'uniform',
    mix: { hotShare: 0, invalidShare: 0, nsfShare: 0, form: options.form },
  };
  const warmSends = await runLoad(target, warm, progress, 'warm-up');
  const ids = warmSends.flatMap((s) => (s.paymentId !== undefined && s.status === 202 ? [s.paymentId] : []));
  await waitUntilTerminal(target.dynamodb, target.tables.payments, ids, 30_000, () => undefined);
}

/** One measured load: its sends, the records read back, the measures and what the pipeline used. */
export interface MeasuredLoad {
  readonly rate: number;
  readonly durationSeconds: number;
  readonly sends: readonly SendRecord[];
  readonly measures: LoadMeasures;
  readonly timelines: PaymentTimeline[];
  readonly drain: { readonly waitedMs: number; readonly timedOut: boolean };
  readonly pipeline?: PipelineUsage;
  readonly cost?: CostModel;
}

function reportConflicts(session: BenchSession): void {
  const stats = session.target.inProcess?.stack.conflicts?.stats();
  if (stats === undefined) return;
  session.say(
    `conflict layer: ${stats.transactWriteConflicts} of ${stats.transactWrites} transactions cancelled ` +
      `with TransactionConflict, ${stats.singleWriteConflicts} single writes refused ` +
      `(TransactionConflictException), ${stats.transactGetConflicts} TransactGetItems cancelled`,
  );
}

/**
 * Open loop at `rate` for `durationSeconds` on `seeded`'s accounts, then the drain (every
 * accepted payment terminal, bounded) and the measures. Counters start from zero here.
 */
export async function measuredLoad(
  session: BenchSession,
  seeded: SeededWorld,
  rate: number,
  durationSeconds: number,
  label = 'load',
): Promise<MeasuredLoad> {
  const { options, target, progress } = session;
  const parts = target.inProcess;
  parts?.meter.resetCounts();
  parts?.logs.reset();
  parts?.gateway.reset();
  const pollerBefore = pollerTotals(target);
  const cpu = new CpuMonitor();
  const plan: LoadPlan = {
    ...basePlan(session, seeded),
    phase: 'M',
    rate,
    durationSeconds,
    arrivals: 'poisson',
    mix: {
      hotShare: options.hotShare,
      invalidShare: options.invalidShare,
      nsfShare: options.nsfShare,
      form: options.form,
    },
  };
  const sends = await runLoad(target, plan, progress, label, (pid) =>
    cpu.begin({
      ...(parts?.dynamodbPid !== undefined ? { [JAVA_LABEL]: parts.dynamodbPid } : {}),
      'load generator': pid,
    }),
  );
  const cpuReport = cpu.end();
  const ids = sends.flatMap((s) => (s.paymentId !== undefined && s.status === 202 ? [s.paymentId] : []));
  const drain = await waitUntilTerminal(
    target.dynamodb,
    target.tables.payments,
    ids,
    options.drainTimeoutSeconds * 1000,
    (open) => progress.update(`[drain] ${open} of ${ids.length} accepted payments not terminal yet`),
  );
  progress.done();
  reportConflicts(session);
  const { measures, timelines } = measure({
    sends,
    records: drain.records,
    ...(parts ? { commits: parts.meter.commits } : {}),
    sloSeconds: SLO_SECONDS,
    slaSeconds: target.slaSeconds,
  });
  const base = {
    rate,
    durationSeconds,
    sends,
    measures,
    timelines,
    drain: { waitedMs: drain.waitedMs, timedOut: drain.timedOut },
  };
  if (!parts) return base;
  const poller = pollerDelta(pollerTotals(target), pollerBefore);
  const meter = parts.meter.snapshot();
  const pipeline: PipelineUsage = {
    poller,
    meter,
    logs: parts.logs.totals(),
    functions: functionUsage(target, poller, meter),
    ...(cpuReport ? { cpu: cpuReport, cpuMsPerPayment: cpuPerPayment(cpuReport, measures.accepted) } : {}),
    standInProblems: parts.gateway.problems,
  };
  const cost = costModel(costInput(target, sends, measures.accepted, pipeline), loadPrices());
  return { ...base, pipeline, cost };
}

function limitOf(capacity: CapacityResult | undefined, load: MeasuredLoad): BenchResults['limit'] {
  if (!capacity) return undefined;
  const javaPerPayment = load.pipeline?.cpuMsPerPayment?.[JAVA_LABEL];
  const javaPerSettlement = capacity.dynamodbSettle.cpuMsPerUnit;
  const worth =
    javaPerPayment !== undefined && javaPerSettlement !== undefined
      ? javaPerPayment / javaPerSettlement
      : undefined;
  const terminal = load.measures.throughput.terminalPerSecond;
  return {
    dynamodbSettlePerSecond: capacity.dynamodbSettle.perSecond,
    sqsFifoPerSecond: capacity.sqsFifo.perSecond,
    pipelinePerSecond: terminal,
    ratio: terminal / capacity.dynamodbSettle.perSecond,
    sqsRatio: terminal / capacity.sqsFifo.perSecond,
    ...(worth !== undefined
      ? {
          settlementsWorthPerPayment: worth,
          impliedCeilingPerSecond: capacity.dynamodbSettle.perSecond / worth,
        }
      : {}),
  };
}

/**
 * The results of a session around one measured load (the one the report's measures, charts and
 * targets describe), with `extra` sections (the knee search's); written to results.json and
 * report.html.
 */
export function finishResults(
  session: BenchSession,
  load: MeasuredLoad,
  rateSource: string,
  runId: string,
  extra: Pick<BenchResults, 'knee' | 'hotAccount'> = {},
): BenchResults {
  const { options, target, capacity, bundles, schema } = session;
  const parts = target.inProcess;
  const limit = limitOf(capacity, load);
  const json = path.join(options.outDir, 'results.json');
  const results: BenchResults = {
    meta: {
      startedAt: session.startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      runId,
      target: parts ? 'in-process' : 'external',
      url: target.url,
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      options: serializableOptions(options),
    },
    plan: {
      rate: load.rate,
      rateSource,
      durationSeconds: load.durationSeconds,
      sloSeconds: SLO_SECONDS,
      slaSeconds: target.slaSeconds,
    },
    ...(capacity ? { capacity } : {}),
    load: load.measures,
    ...(limit ? { limit } : {}),
    ...(load.pipeline ? { pipeline: load.pipeline } : {}),
    ...(load.cost ? { cost: load.cost } : {}),
    ...(bundles ? { bundles } : {}),
    ...(schema ? { schema } : {}),
    ...extra,
    drain: load.drain,
    targets: [],
    timelines: load.timelines,
    files: {
      json,
      ...(options.skip.has('report') ? {} : { html: path.join(options.outDir, 'report.html') }),
    },
  };
  return { ...results, targets: evaluateTargets(results) };
}

export function writeResults(results: BenchResults): void {
  writeFileSync(results.files.json, `${JSON.stringify(results, null, 2)}\n`);
  if (results.files.html !== undefined) writeHtmlReport(results, results.files.html);
}

/**
 * `--hot-account`: the hot-account figure (hot-settle.ts), measured after the session's stack has
 * stopped (its own DynamoDB Local), without and with the conflict layer, added to the results.
 */
export async function withHotAccount(
  options: BenchOptions,
  io: BenchIo,
  results: BenchResults,
): Promise<BenchResults> {
  if (options.hotAccount === undefined) return results;
  const say = (line: string) => io.write(`${line}\n`);
  const latency = options.conflicts?.transactionLatencyMs ?? 0;
  return { ...results, hotAccount: await measureHotAccountPair(options.hotAccount, latency, say) };
}

export async function runBench(
  options: BenchOptions,
  io: BenchIo,
  runtime: BenchRuntime = {},
): Promise<BenchResults> {
  const measured = await withSession(options, io, runtime, async (session, seeded) => {
    const { rate, rateSource } = chooseRate(session);
    await warmUp(session, seeded, rate);
    session.say(
      `load: ${rate.toFixed(1)} payments/s (${rateSource}) for ${options.durationSeconds} s, form ${options.form}, ${options.alg} signatures`,
    );
    const load = await measuredLoad(session, seeded, rate, options.durationSeconds);
    return finishResults(session, load, rateSource, seeded.world.runId);
  });
  const results = await withHotAccount(options, io, measured);
  writeResults(results);
  return results;
}
