/**
 * The targets (reported, never asserted) and the short summary table printed at the end.
 */
import { hotAccountLine } from './hot-settle';
import type { KneeReport } from './knee';
import type { BenchResults, TargetVerdict, Verdict } from './results';
import type { Distribution } from './stats';

/** The latency objective drawn on the charts next to the 15 s SLA (serverless.yml slaSeconds). */
export const SLO_SECONDS = 10;

export const TARGETS = {
  endToEndP99Ms: 1000,
  limitShare: 0.5,
  bundleBytes: 300 * 1024,
  moduleLoadMs: 150,
  costPerMillion: 10,
} as const;

const KB = 1024;

export const fmtMs = (v: number | undefined): string =>
  v === undefined || !Number.isFinite(v)
    ? '-'
    : v >= 10_000
      ? `${(v / 1000).toFixed(1)} s`
      : v >= 100
        ? `${v.toFixed(0)} ms`
        : `${v.toFixed(1)} ms`;
export const fmtKb = (bytes: number): string => `${(bytes / KB).toFixed(0)} KB`;
export const fmtUsd = (v: number): string =>
  v >= 100 ? `$${v.toFixed(0)}` : v >= 1 ? `$${v.toFixed(2)}` : `$${v.toFixed(3)}`;
export const fmtDist = (d: Distribution | undefined): string =>
  d === undefined ? '-' : `${fmtMs(d.p50)} / ${fmtMs(d.p95)} / ${fmtMs(d.p99)} / ${fmtMs(d.max)}`;

function verdict(ok: boolean | undefined): Verdict {
  return ok === undefined ? 'not measured' : ok ? 'met' : 'missed';
}

export function evaluateTargets(r: BenchResults): TargetVerdict[] {
  const e2e = r.load.latencyMs.endToEnd;
  const bundles = r.bundles ?? [];
  const largest = bundles.reduce<(typeof bundles)[number] | undefined>(
    (a, b) => (a === undefined || b.bundleBytes > a.bundleBytes ? b : a),
    undefined,
  );
  const slowest = bundles.reduce<(typeof bundles)[number] | undefined>(
    (a, b) => (a === undefined || b.load.medianMs > a.load.medianMs ? b : a),
    undefined,
  );
  const lostOrOpen = r.load.missing + r.load.nonTerminal;
  return [
    {
      target: `end-to-end p99 <= ${TARGETS.endToEndP99Ms} ms`,
      value: e2e === undefined ? 'no settled payments' : fmtMs(e2e.p99),
      verdict: verdict(e2e === undefined ? undefined : e2e.p99 <= TARGETS.endToEndP99Ms),
    },
    {
      target: `sustained >= ${TARGETS.limitShare * 100} % of the stand-in limit`,
      value:
        r.limit === undefined
          ? 'limit not measured'
          : `${r.limit.pipelinePerSecond.toFixed(1)}/s of ${r.limit.dynamodbSettlePerSecond.toFixed(1)}/s = ${(r.limit.ratio * 100).toFixed(0)} %` +
            (r.limit.impliedCeilingPerSecond === undefined
              ? ''
              : ` (DynamoDB Local ceiling ~${r.limit.impliedCeilingPerSecond.toFixed(0)}/s = ${((r.limit.impliedCeilingPerSecond / r.limit.dynamodbSettlePerSecond) * 100).toFixed(0)} %)`),
      verdict: verdict(
        r.limit === undefined
          ? undefined
          : r.limit.ratio >= TARGETS.limitShare && e2e !== undefined && e2e.p99 <= TARGETS.endToEndP99Ms,
      ),
    },
    {
      target: 'no payment lost or left non-terminal',
      value: `${r.load.missing} lost, ${r.load.nonTerminal} non-terminal of ${r.load.accepted}`,
      verdict: verdict(lostOrOpen === 0),
    },
    {
      target: `every bundle <= ${fmtKb(TARGETS.bundleBytes)} minified`,
      value: largest === undefined ? 'not built' : `largest ${largest.key} ${fmtKb(largest.bundleBytes)}`,
      verdict: verdict(largest === undefined ? undefined : largest.bundleBytes <= TARGETS.bundleBytes),
    },
    {
      target: `module load <= ${TARGETS.moduleLoadMs} ms`,
      value:
        slowest === undefined ? 'not measured' : `slowest ${slowest.key} ${fmtMs(slowest.load.medianMs)}`,
      verdict: verdict(slowest === undefined ? undefined : slowest.load.medianMs <= TARGETS.moduleLoadMs),
    },
    {
      target: `modelled cost <= $${TARGETS.costPerMillion} per million payments`,
      value: r.cost === undefined ? 'not measured (--url)' : `${fmtUsd(r.cost.perMillion)} per million`,
      verdict: verdict(r.cost === undefined ? undefined : r.cost.perMillion <= TARGETS.costPerMillion),
    },
  ];
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, col) => cell.padEnd(widths[col] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function summaryText(r: BenchResults): string {
  const m = r.load;
  const rows: string[][] = [['measure', 'value']];
  rows.push([
    'offered / accepted',
    `target ${r.plan.rate.toFixed(1)}/s; ${m.offered.payments} sent (${m.offered.perSecond.toFixed(1)}/s), ${m.accepted} accepted (${m.throughput.acceptedPerSecond.toFixed(1)}/s)`,
  ]);
  rows.push([
    'terminal throughput',
    `${m.throughput.terminalPerSecond.toFixed(1)}/s (settled ${m.throughput.settledPerSecond.toFixed(1)}/s) during the load`,
  ]);
  if (r.capacity) {
    rows.push([
      'stand-in limit',
      `DynamoDB Local ${r.capacity.dynamodbSettle.perSecond.toFixed(1)} settle tx/s; fauxqs ${r.capacity.sqsFifo.perSecond.toFixed(0)} FIFO msg/s`,
    ]);
  }
  if (r.limit) {
    rows.push([
      'pipeline / limit',
      `${(r.limit.ratio * 100).toFixed(0)} % of DynamoDB Local, ${(r.limit.sqsRatio * 100).toFixed(0)} % of fauxqs`,
    ]);
    if (r.limit.settlementsWorthPerPayment !== undefined && r.limit.impliedCeilingPerSecond !== undefined) {
      rows.push([
        'DynamoDB Local work',
        `a payment costs it ${r.limit.settlementsWorthPerPayment.toFixed(1)} settlements' worth of CPU: ceiling ~${r.limit.impliedCeilingPerSecond.toFixed(0)} payments/s`,
      ]);
    }
  }
  rows.push(['latency p50/p95/p99/max', '']);
  rows.push(['  accept (HTTP 202)', fmtDist(m.latencyMs.accept)]);
  rows.push(['  queue wait', fmtDist(m.latencyMs.queueWait)]);
  rows.push(['  settle', fmtDist(m.latencyMs.settle)]);
  rows.push([
    `  end to end (${m.endToEndSource === 'commit' ? 'accept -> commit' : 'record times'})`,
    fmtDist(m.latencyMs.endToEnd),
  ]);
  rows.push(['  partner send -> terminal', fmtDist(m.latencyMs.partner)]);
  rows.push([
    'outcomes',
    `${m.outcomes.settled} settled, ${m.outcomes.rejected} rejected ${JSON.stringify(m.outcomes.rejectedByReason)}, ${m.deliberateRefusals} refused at intake (deliberate)`,
  ]);
  rows.push([
    'shed at intake (admission control)',
    m.shedAtIntake.count === 0
      ? '0'
      : `${m.shedAtIntake.count} (${((m.shedAtIntake.count / Math.max(1, m.offered.payments)) * 100).toFixed(0)} % of offered) ${JSON.stringify(m.shedAtIntake.byCode)}: 503 / 429 + Retry-After, nothing recorded`,
  ]);
  rows.push([
    'errors (not deliberate)',
    `${m.errors.count}${m.errors.examples.length > 0 ? `: ${m.errors.examples.slice(0, 3).join('; ')}` : ''}`,
  ]);
  rows.push([
    'lost / non-terminal',
    `${m.missing} / ${m.nonTerminal} (drain ${fmtMs(r.drain.waitedMs)}${r.drain.timedOut ? ', timed out' : ''})`,
  ]);
  rows.push([
    `over SLO ${r.plan.sloSeconds} s / SLA ${r.plan.slaSeconds} s`,
    `${m.sloBreaches.overSloSeconds} / ${m.sloBreaches.overSlaSeconds}`,
  ]);
  if (r.cost) {
    rows.push(['cost per million payments', `${fmtUsd(r.cost.perMillion)} (${topCostItems(r)})`]);
    rows.push([
      `monthly at ${r.cost.monthly.paymentsPerMinute}/min`,
      `${fmtUsd(r.cost.monthly.total)} (${fmtUsd(r.cost.monthly.variable)} variable + ${fmtUsd(r.cost.monthly.fixed)} fixed)`,
    ]);
  }
  for (const b of r.bundles ?? []) {
    rows.push([
      `bundle ${b.key}`,
      `${fmtKb(b.bundleBytes)} min, ${fmtKb(b.zipBytes)} zip; load ${fmtMs(b.load.medianMs)} (AWS SDK alone ${fmtMs(b.sdkLoad.medianMs)}, ${fmtMs(b.loadWithoutSourceMaps.medianMs)} w/o source maps)`,
    ]);
  }
  if (r.schema) {
    rows.push([
      'XSD check per XML message',
      `median ${r.schema.medianUs.toFixed(0)} us, p95 ${r.schema.p95Us.toFixed(0)} us (first use ${r.schema.firstUseMs.toFixed(0)} ms)`,
    ]);
  }
  if (r.pipeline?.cpu) {
    const cpu = r.pipeline.cpu;
    const procs = Object.entries(cpu.processes)
      .map(([name, pct]) => `${name} ${pct.toFixed(0)} %`)
      .join(', ');
    rows.push([
      'CPU during load',
      `${procs}; machine ${cpu.machineBusyPercent?.toFixed(0) ?? '?'} % of ${cpu.cores} cores; event loop p99 ${fmtMs(cpu.eventLoopDelayMs.p99)}`,
    ]);
    const perPayment = Object.entries(r.pipeline.cpuMsPerPayment ?? {})
      .map(([name, msPerPayment]) => `${name.replace(/ \(.*\)$/, '')} ${msPerPayment.toFixed(0)} ms`)
      .join(', ');
    if (perPayment !== '') rows.push(['CPU per payment', perPayment]);
  }
  const targets: string[][] = [['target', 'value', 'verdict']];
  for (const t of r.targets) targets.push([t.target, t.value, t.verdict.toUpperCase()]);
  const knee = r.knee === undefined ? '' : `\n${kneeText(r.knee)}`;
  const hot =
    r.hotAccount === undefined
      ? ''
      : `\nhot account, conflict layer off: ${hotAccountLine(r.hotAccount.off)}\n` +
        `hot account, conflict layer on:  ${hotAccountLine(r.hotAccount.on)}\n`;
  return `${table(rows)}\n\n${table(targets)}\n${knee}${hot}`;
}

export const KNEE_COLUMNS = [
  'step',
  'offered /s',
  'offered',
  'accepted',
  'shed',
  'goodput /s',
  'p99',
  'over SLA',
  'AB05/AB06',
  'lost',
  'verdict',
] as const;

/** One row per step of the knee search (the ladder, then the overload step). */
export function kneeRows(k: KneeReport): string[][] {
  const steps = [...k.steps, ...(k.overload ? [k.overload.step] : [])];
  return steps.map((s) => [
    s.role,
    String(s.ratePerSecond),
    String(s.offered),
    String(s.accepted),
    String(s.shed),
    s.goodputPerSecond.toFixed(1),
    fmtMs(s.p99Ms),
    String(s.overSla),
    String(s.timedOut),
    String(s.lost),
    s.verdict === 'pass' ? 'PASS' : `FAIL: ${s.reasons.join('; ')}`,
  ]);
}

/** The knee and the overload verdict, in words. */
export function kneeVerdictLines(k: KneeReport): string[] {
  const knee =
    k.kneePerSecond === undefined
      ? `knee: none (the first step, ${k.settings.fromPerSecond}/s, failed)`
      : `knee: ${k.kneePerSecond}/s${k.topReached ? ' or more (every step passed: raise --knee-max)' : ''} ` +
        `(highest rate with p99 <= ${fmtMs(k.targets.p99Ms)}, no SLA breach, nothing lost, <= ${k.targets.maxShedShare * 100} % shed)`;
  const lines = [knee];
  const o = k.overload;
  if (o !== undefined) {
    lines.push(
      `overload ${o.step.ratePerSecond}/s (${k.settings.overloadFactor} x the knee): ${o.verdict.toUpperCase()}; ` +
        `goodput ${o.step.goodputPerSecond.toFixed(1)}/s (floor ${o.goodputFloorPerSecond.toFixed(1)}/s = ${k.targets.overloadGoodputShare * 100} % of the knee's), ` +
        `${o.step.overSla} accepted over the SLA, ${o.step.timedOut} AB05/AB06, ` +
        `${o.step.shed} shed (${o.step.shedWithRetryAfter} with Retry-After)` +
        (o.reasons.length > 0 ? `; missed: ${o.reasons.join('; ')}` : ''),
    );
  }
  lines.push(`goodput = ${k.goodput}`);
  return lines;
}

function kneeText(k: KneeReport): string {
  return `${table([[...KNEE_COLUMNS], ...kneeRows(k)])}\n${kneeVerdictLines(k).join('\n')}\n`;
}

function topCostItems(r: BenchResults): string {
  if (!r.cost) return '';
  const byService = new Map<string, number>();
  for (const line of r.cost.lines)
    byService.set(line.service, (byService.get(line.service) ?? 0) + line.perMillion);
  return [...byService.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([service, usd]) => `${service} ${fmtUsd(usd)}`)
    .join(', ');
}
