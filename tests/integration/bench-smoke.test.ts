import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runBench, type BenchResults } from '../../tools/bench/bench';
import { runKneeBench } from '../../tools/bench/knee-bench';
import type { BenchOptions } from '../../tools/bench/options';
import { summaryText } from '../../tools/bench/summary';
import type { Distribution } from '../../tools/bench/stats';
import { standInEnv } from '../support/stand-ins';

/**
 * `npm run bench` in miniature, through the same code path (runBench), on the stand-ins the jest
 * global setup started: a few seconds of low-rate load. It checks that the run works and that its
 * numbers are sane, never how fast anything is (the machine is shared: timings are reported by
 * the benchmark, not asserted).
 */
let outDir: string;
let results: BenchResults;

function smokeOptions(dir: string): BenchOptions {
  return {
    rate: 6,
    durationSeconds: 4,
    accounts: 24,
    partners: 2,
    hotShare: 0.2,
    invalidShare: 0.15,
    nsfShare: 0.15,
    concurrency: 2,
    form: 'mix',
    alg: 'hmac-sha256',
    outDir: dir,
    seed: 11,
    warmup: 3,
    drainTimeoutSeconds: 30,
    capacitySeconds: 0.5,
    loadRuns: 1,
    skip: new Set(),
    progress: false,
  };
}

function expectOrdered(d: Distribution | undefined): void {
  expect(d).toBeDefined();
  if (d === undefined) return;
  expect(d.count).toBeGreaterThan(0);
  expect(d.min).toBeLessThanOrEqual(d.p50);
  expect(d.p50).toBeLessThanOrEqual(d.p95);
  expect(d.p95).toBeLessThanOrEqual(d.p99);
  expect(d.p99).toBeLessThanOrEqual(d.max);
  expect(d.min).toBeGreaterThanOrEqual(0);
}

beforeAll(async () => {
  const env = standInEnv();
  outDir = mkdtempSync(path.join(os.tmpdir(), 'rtp-bench-smoke-'));
  results = await runBench(
    smokeOptions(outDir),
    { write: () => undefined, isTty: false },
    {
      emulators: { dynamodbEndpoint: env.RTP_DYNAMODB_ENDPOINT, sqsEndpoint: env.RTP_SQS_ENDPOINT },
    },
  );
}, 180_000);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

describe('npm run bench (smoke)', () => {
  it('sends every scheduled payment and accounts for every answer', () => {
    const load = results.load;
    expect(load.offered.payments).toBeGreaterThan(5);
    const answered = Object.values(load.responses).reduce((n, c) => n + c, 0);
    expect(answered).toBe(load.offered.payments);
    expect(load.responses['202']).toBe(load.accepted);
    expect(load.errors.count).toBe(0);
    expect(load.deliberateRefusals).toBe(load.responses['400'] ?? 0);
    expect(results.timelines).toHaveLength(load.offered.payments);
  });

  it('leaves no accepted payment lost or non-terminal, with the outcomes the mix asked for', () => {
    const { outcomes, accepted, missing, nonTerminal } = results.load;
    expect(missing).toBe(0);
    expect(nonTerminal).toBe(0);
    expect(outcomes.settled + outcomes.rejected).toBe(accepted);
    expect(outcomes.unexpected).toBe(0);
    expect(results.drain.timedOut).toBe(false);
  });

  it('reports ordered latency percentiles, end to end from the commits', () => {
    const latency = results.load.latencyMs;
    expectOrdered(latency.accept);
    expectOrdered(latency.queueWait);
    expectOrdered(latency.settle);
    expectOrdered(latency.endToEnd);
    expectOrdered(latency.partner);
    expect(results.load.endToEndSource).toBe('commit');
    expect(results.load.throughput.terminalPerSecond).toBeGreaterThan(0);
  });

  it('measures the stand-ins limit and relates the pipeline to it', () => {
    expect(results.capacity?.dynamodbSettle.perSecond).toBeGreaterThan(0);
    expect(results.capacity?.sqsFifo.perSecond).toBeGreaterThan(0);
    expect(results.limit?.ratio).toBeGreaterThan(0);
    expect(Number.isFinite(results.limit?.ratio)).toBe(true);
  });

  it('models a positive, finite cost from the counted requests', () => {
    const cost = results.cost;
    expect(cost).toBeDefined();
    if (cost === undefined) return;
    expect(cost.perMillion).toBeGreaterThan(0);
    expect(Number.isFinite(cost.perMillion)).toBe(true);
    for (const line of cost.lines) {
      expect(Number.isFinite(line.perMillion)).toBe(true);
      expect(line.perMillion).toBeGreaterThanOrEqual(0);
    }
    expect(cost.monthly.total).toBeGreaterThan(cost.monthly.fixed);
    const writes = results.pipeline?.meter.dynamodb.filter((op) => op.wru > 0) ?? [];
    expect(writes.length).toBeGreaterThan(0);
    expect(results.pipeline?.meter.unanalyzed).toBe(0);
    expect(results.pipeline?.poller.invocations).toBeGreaterThan(0);
  });

  it('builds every function and times its module load', () => {
    const bundles = results.bundles ?? [];
    expect(bundles.length).toBeGreaterThanOrEqual(4);
    for (const bundle of bundles) {
      expect(bundle.bundleBytes).toBeGreaterThan(10_000);
      expect(bundle.zipBytes).toBeGreaterThan(0);
      expect(bundle.zipBytes).toBeLessThan(bundle.bundleBytes + bundle.sourceMapBytes);
      expect(bundle.load.medianMs).toBeGreaterThan(0);
    }
  });

  it('writes results.json and a self-contained HTML report', () => {
    const json: unknown = JSON.parse(readFileSync(results.files.json, 'utf8'));
    expect(json).toMatchObject({ load: { accepted: results.load.accepted }, targets: expect.any(Array) });
    expect(results.targets).toHaveLength(6);
    const html = results.files.html;
    expect(html).toBeDefined();
    if (html === undefined) return;
    expect(existsSync(html)).toBe(true);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<svg');
    expect(page).not.toMatch(/<script|<link|src="http/);
  });
});

/**
 * `npm run bench -- --knee --conflicts --hot-account` in miniature: a one-rung ladder (4/s for
 * 3 s) and, when that rung passes, the overload step at 1.5 x: at most two short steps, each on
 * fresh accounts. Whether a rung passes depends on the machine, so only the report's structure
 * and its internal consistency are checked, never a verdict.
 */
describe('npm run bench -- --knee (smoke)', () => {
  let kneeDir: string;
  let knee: BenchResults;

  beforeAll(async () => {
    const env = standInEnv();
    kneeDir = mkdtempSync(path.join(os.tmpdir(), 'rtp-bench-knee-'));
    knee = await runKneeBench(
      {
        ...smokeOptions(kneeDir),
        alg: 'ed25519',
        skip: new Set(['bundles', 'schema', 'capacity']),
        conflicts: { transactionLatencyMs: 0 },
        knee: { fromPerSecond: 4, stepPerSecond: 4, maxPerSecond: 4, stepSeconds: 3, overloadFactor: 1.5 },
        hotAccount: { payments: 12, concurrency: 3 },
      },
      { write: () => undefined, isTty: false },
      {
        emulators: { dynamodbEndpoint: env.RTP_DYNAMODB_ENDPOINT, sqsEndpoint: env.RTP_SQS_ENDPOINT },
      },
    );
  }, 300_000);

  afterAll(() => {
    if (kneeDir) rmSync(kneeDir, { recursive: true, force: true });
  });

  it('runs the ladder, then the overload step at 1.5 x the knee only when there is a knee', () => {
    const report = knee.knee;
    expect(report).toBeDefined();
    if (report === undefined) return;
    expect(report.steps.map((s) => [s.role, s.ratePerSecond])).toEqual([['ladder', 4]]);
    const [rung] = report.steps;
    if (rung?.verdict === 'pass') {
      expect(report.kneePerSecond).toBe(4);
      expect(report.topReached).toBe(true);
      expect(report.overload?.step.ratePerSecond).toBe(6);
      expect(report.overload?.verdict === 'met').toBe(report.overload?.reasons.length === 0);
      expect(knee.plan.rate).toBe(6);
    } else {
      expect(report.kneePerSecond).toBeUndefined();
      expect(report.overload).toBeUndefined();
      expect(knee.plan.rate).toBe(4);
    }
  });

  it('accounts for every payment of every step, a failing verdict always with its reasons', () => {
    const report = knee.knee;
    const steps = [...(report?.steps ?? []), ...(report?.overload ? [report.overload.step] : [])];
    expect(steps.length).toBeGreaterThan(0);
    for (const step of steps) {
      expect(step.offered).toBeGreaterThan(0);
      expect(step.accepted + step.shed + step.errors).toBeLessThanOrEqual(step.offered);
      expect(step.goodPayments).toBeLessThanOrEqual(step.accepted);
      expect(step.shedWithRetryAfter).toBeLessThanOrEqual(step.shed);
      expect(step.goodputPerSecond).toBeCloseTo(step.goodPayments / step.seconds, 6);
      expect(step.verdict === 'pass').toBe(step.reasons.length === 0);
      expect(step.lost).toBe(0);
    }
    // The report's measures are the last step's.
    expect(knee.load.offered.payments).toBe(steps[steps.length - 1]?.offered);
  });

  it('measures the hot account without and with the conflict layer, its balance right in both', () => {
    const hot = knee.hotAccount;
    expect(hot?.off.conflictLayer).toBe(false);
    expect(hot?.on.conflictLayer).toBe(true);
    for (const figure of [hot?.off, hot?.on]) {
      expect(figure?.settled).toBe(12);
      expect(figure?.balanceOk).toBe(true);
    }
    expect(hot?.on.layer?.transactWrites).toBeGreaterThan(0);
  });

  it('writes the knee and the hot account to results.json, the summary and the HTML report', () => {
    const json = JSON.parse(readFileSync(knee.files.json, 'utf8')) as BenchResults;
    expect(json.knee?.steps).toHaveLength(knee.knee?.steps.length ?? -1);
    expect(json.knee?.goodput).toMatch(/SLA/);
    expect(json.hotAccount?.on.settled).toBe(12);
    const text = summaryText(knee);
    expect(text).toMatch(/^knee: /m);
    expect(text).toContain('goodput /s');
    expect(text).toContain('hot account, conflict layer on');
    const page = readFileSync(knee.files.html ?? '', 'utf8');
    expect(page).toContain('Knee search');
    expect(page).toContain('Hot account');
    expect(page).not.toMatch(/<script|<link|src="http/);
  });
});
