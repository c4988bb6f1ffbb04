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
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measureBundles, type BundleReport } from './bundles';
import { measureSchemaCost, type SchemaCost } from './schema-cost';
import { measureCapacity, type CapacityResult } from './capacity';
import { costModel, loadPrices, type CostModel } from './cost';
import { CpuMonitor } from './cpu';
import type { LoadPlan, LoadProgress, PartnerKeyMaterial, SendRecord } from './load';
import { startLoadProcess } from './load-process';
import { LogCapture } from './log-capture';
import { measure } from './measure';
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

export async function runBench(
  options: BenchOptions,
  io: BenchIo,
  runtime: BenchRuntime = {},
): Promise<BenchResults> {
  const startedAt = new Date();
  const logs = new LogCapture();
  const say = (line: string) => io.write(`${line}\n`);
  const progress = new ProgressLine({ write: io.write, isTty: io.isTty, enabled: options.progress });
  mkdirSync(options.outDir, { recursive: true });

  let bundles: BundleReport[] | undefined;
  let schema: SchemaCost | undefined;
  let target: BenchTarget | undefined;
  try {
    const config = await loadBenchConfig();
    // First, while nothing else runs: build and load times are CPU-bound.
    if (!options.skip.has('bundles'))
      bundles = await measureBundles(config, { runs: options.loadRuns, log: say });
    if (!options.skip.has('schema')) {
      schema = measureSchemaCost();
      say(
        `schema check: median ${schema.medianUs.toFixed(0)} us per message (p95 ${schema.p95Us.toFixed(0)} us)`,
      );
    }
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

    const world: SimWorld = planWorld({ partners: options.partners, accounts: options.accounts });
    say(
      `seed: ${world.partners.length} partners, ${world.accounts.length} funded accounts, run ${world.runId}`,
    );
    const keys: PartnerKeyMaterial[] = await seedWorld(target, world, options.alg);

    let capacity: CapacityResult | undefined;
    if (!options.skip.has('capacity')) {
      capacity = await measureCapacity({
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
    }
    const rate =
      options.rate === 'auto'
        ? capacity
          ? Math.max(1, Math.round(capacity.dynamodbSettle.perSecond * AUTO_RATE_SHARE))
          : AUTO_RATE_FALLBACK
        : options.rate;
    const rateSource =
      options.rate === 'auto'
        ? capacity
          ? `auto: ${AUTO_RATE_SHARE * 100} % of the measured settlement capacity`
          : `auto: capacity not measured, ${AUTO_RATE_FALLBACK}/s`
        : 'fixed rate';

    const basePlan = {
      baseUrl: target.url,
      seed: options.seed,
      world,
      keys,
      timeoutMs: 30_000,
    };
    if (options.warmup > 0) {
      const warmRate = Math.min(rate, 10);
      const warm: LoadPlan = {
        ...basePlan,
        phase: 'W',
        rate: warmRate,
        durationSeconds: options.warmup / warmRate + 1,
        maxPayments: options.warmup,
        arrivals: 'uniform',
        mix: { hotShare: 0, invalidShare: 0, nsfShare: 0, form: options.form },
      };
      const warmSends = await runLoad(target, warm, progress, 'warm-up');
      const ids = warmSends.flatMap((s) =>
        s.paymentId !== undefined && s.status === 202 ? [s.paymentId] : [],
      );
      await waitUntilTerminal(target.dynamodb, target.tables.payments, ids, 30_000, () => undefined);
    }

    // Measured phase: counters start from zero here.
    const parts = target.inProcess;
    parts?.meter.resetCounts();
    parts?.logs.reset();
    parts?.gateway.reset();
    const pollerBefore = pollerTotals(target);
    const cpu = new CpuMonitor();
    const plan: LoadPlan = {
      ...basePlan,
      phase: 'M',
      rate,
      durationSeconds: options.durationSeconds,
      arrivals: 'poisson',
      mix: {
        hotShare: options.hotShare,
        invalidShare: options.invalidShare,
        nsfShare: options.nsfShare,
        form: options.form,
      },
    };
    say(
      `load: ${rate.toFixed(1)} payments/s (${rateSource}) for ${options.durationSeconds} s, form ${options.form}, ${options.alg} signatures`,
    );
    const sends = await runLoad(target, plan, progress, 'load', (pid) =>
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
    const conflictStats = parts?.stack.conflicts?.stats();
    if (conflictStats !== undefined) {
      say(
        `conflict layer: ${conflictStats.transactWriteConflicts} of ${conflictStats.transactWrites} transactions cancelled ` +
          `with TransactionConflict, ${conflictStats.singleWriteConflicts} single writes refused ` +
          `(TransactionConflictException), ${conflictStats.transactGetConflicts} TransactGetItems cancelled`,
      );
    }
    const { measures, timelines } = measure({
      sends,
      records: drain.records,
      ...(parts ? { commits: parts.meter.commits } : {}),
      sloSeconds: SLO_SECONDS,
      slaSeconds: target.slaSeconds,
    });

    let pipeline: PipelineUsage | undefined;
    let cost: CostModel | undefined;
    if (parts) {
      const poller = pollerDelta(pollerTotals(target), pollerBefore);
      const meter = parts.meter.snapshot();
      pipeline = {
        poller,
        meter,
        logs: parts.logs.totals(),
        functions: functionUsage(target, poller, meter),
        ...(cpuReport
          ? { cpu: cpuReport, cpuMsPerPayment: cpuPerPayment(cpuReport, measures.accepted) }
          : {}),
        standInProblems: parts.gateway.problems,
      };
      cost = costModel(costInput(target, sends, measures.accepted, pipeline), loadPrices());
    }
    const javaPerPayment = pipeline?.cpuMsPerPayment?.[JAVA_LABEL];
    const javaPerSettlement = capacity?.dynamodbSettle.cpuMsPerUnit;
    const worth =
      javaPerPayment !== undefined && javaPerSettlement !== undefined
        ? javaPerPayment / javaPerSettlement
        : undefined;
    const limit = capacity
      ? {
          dynamodbSettlePerSecond: capacity.dynamodbSettle.perSecond,
          sqsFifoPerSecond: capacity.sqsFifo.perSecond,
          pipelinePerSecond: measures.throughput.terminalPerSecond,
          ratio: measures.throughput.terminalPerSecond / capacity.dynamodbSettle.perSecond,
          sqsRatio: measures.throughput.terminalPerSecond / capacity.sqsFifo.perSecond,
          ...(worth !== undefined
            ? {
                settlementsWorthPerPayment: worth,
                impliedCeilingPerSecond: capacity.dynamodbSettle.perSecond / worth,
              }
            : {}),
        }
      : undefined;

    const json = path.join(options.outDir, 'results.json');
    const results: BenchResults = {
      meta: {
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        runId: world.runId,
        target: parts ? 'in-process' : 'external',
        url: target.url,
        node: process.version,
        platform: `${os.platform()} ${os.arch()}`,
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        options: serializableOptions(options),
      },
      plan: {
        rate,
        rateSource,
        durationSeconds: options.durationSeconds,
        sloSeconds: SLO_SECONDS,
        slaSeconds: target.slaSeconds,
      },
      ...(capacity ? { capacity } : {}),
      load: measures,
      ...(limit ? { limit } : {}),
      ...(pipeline ? { pipeline } : {}),
      ...(cost ? { cost } : {}),
      ...(bundles ? { bundles } : {}),
      ...(schema ? { schema } : {}),
      drain: { waitedMs: drain.waitedMs, timedOut: drain.timedOut },
      targets: [],
      timelines,
      files: {
        json,
        ...(options.skip.has('report') ? {} : { html: path.join(options.outDir, 'report.html') }),
      },
    };
    const withTargets: BenchResults = { ...results, targets: evaluateTargets(results) };
    writeFileSync(json, `${JSON.stringify(withTargets, null, 2)}\n`);
    if (withTargets.files.html !== undefined) writeHtmlReport(withTargets, withTargets.files.html);
    return withTargets;
  } finally {
    progress.done();
    await target?.stop();
    logs.stop();
  }
}
