/**
 * The knee search (`npm run bench -- --knee`): pure logic, no stack (knee-bench.ts runs it).
 *
 * A ladder of short open-loop steps, from `fromPerSecond` up by `stepPerSecond` to at most
 * `maxPerSecond`, each on fresh accounts after the previous step drained. A step **passes** when
 * every one of these holds:
 *   - end-to-end p99 (accepted -> terminal committed) <= 1 s;
 *   - no accepted payment over the SLA, none timed out (AB05 / AB06);
 *   - none lost or left non-terminal, no error answer (deliberately invalid messages aside);
 *   - admission control shed at most 1 % of the offered payments (a step the pipeline only keeps
 *     within the SLO by refusing its excess is past the knee, not under it).
 * The ladder stops at the first failing step: the **knee** is the last passing rate (the highest
 * rate with every lower rung passing). If the top rung passes, the knee is at least that rate.
 *
 * The **overload** step then offers `overloadFactor` x the knee and is judged by:
 *   - goodput >= 90 % of the knee step's goodput;
 *   - no accepted payment over the SLA, no AB05 / AB06, none lost or non-terminal, no error answer;
 *   - every shed answer (503 / 429) carries Retry-After.
 *
 * Goodput counts the accepted payments that became terminal within the SLA with an outcome the
 * ledger chose: SETTLED, or REJECTED by a ledger rule (AM04 insufficient funds: the mix sends a
 * share from empty accounts on purpose), never AB05 / AB06; divided by the step's planned
 * duration. It counts work done for the payments of the step, including what settled in the
 * drain after the last send, so it is comparable between steps of the same duration.
 */
import type { SendRecord } from './load';
import type { LoadMeasures, PaymentTimeline } from './measure';
import type { KneeSettings } from './options';

export { DEFAULT_KNEE, type KneeSettings } from './options';

export const KNEE_TARGETS = {
  p99Ms: 1000,
  /** Share of the offered payments a passing step may see shed at intake. */
  maxShedShare: 0.01,
  /** The overload step's goodput, as a share of the knee step's. */
  overloadGoodputShare: 0.9,
} as const;

/** Rejection codes of payments whose deadline passed (AB05 timed out in the queue, AB06 in settlement). */
export const TIMEOUT_CODES: readonly string[] = ['AB05', 'AB06'];

/** One step's figures, from the existing measures (measure.ts) of its load. */
export interface StepFigures {
  /** The step's offered rate (the schedule's), payments per second. */
  readonly ratePerSecond: number;
  readonly seconds: number;
  readonly offered: number;
  readonly accepted: number;
  /** Refused by admission control (503 / 429), and of those, how many carried Retry-After. */
  readonly shed: number;
  readonly shedWithRetryAfter: number;
  /** Answers that were neither expected nor shed (errors, no response). */
  readonly errors: number;
  /** Terminal within the SLA with an outcome the ledger chose (see the header). */
  readonly goodPayments: number;
  readonly goodputPerSecond: number;
  readonly settled: number;
  /** End-to-end p99, ms; undefined when nothing became terminal. */
  readonly p99Ms?: number;
  readonly overSla: number;
  /** Rejected AB05 / AB06. */
  readonly timedOut: number;
  /** Accepted but missing, or not terminal after the drain. */
  readonly lost: number;
}

export type StepVerdict = 'pass' | 'fail';

export interface KneeStep extends StepFigures {
  readonly role: 'ladder' | 'overload';
  readonly verdict: StepVerdict;
  /** Why the step failed (empty when it passed). */
  readonly reasons: readonly string[];
}

export interface OverloadResult {
  readonly step: KneeStep;
  readonly verdict: 'met' | 'missed';
  readonly reasons: readonly string[];
  /** The goodput the overload step had to keep (90 % of the knee's), per second. */
  readonly goodputFloorPerSecond: number;
}

export interface KneeReport {
  readonly settings: KneeSettings;
  readonly targets: typeof KNEE_TARGETS;
  readonly goodput: string;
  /** The ladder, in the order run. */
  readonly steps: readonly KneeStep[];
  /** The highest passing rate; undefined when the first step failed. */
  readonly kneePerSecond?: number;
  /** Every rung passed: the knee is at least the top of the ladder. */
  readonly topReached: boolean;
  readonly overload?: OverloadResult;
}

export const GOODPUT_DEFINITION =
  'accepted payments terminal within the SLA, SETTLED or REJECTED by a ledger rule (AM04), not AB05/AB06, per second of the step';

/** The rates of the ladder, lowest first. */
export function ladderRates(settings: KneeSettings): number[] {
  const { fromPerSecond, stepPerSecond, maxPerSecond } = settings;
  if (!(fromPerSecond > 0) || !(stepPerSecond > 0) || maxPerSecond < fromPerSecond)
    throw new RangeError('the knee ladder needs from > 0, step > 0 and max >= from');
  const count = Math.floor((maxPerSecond - fromPerSecond) / stepPerSecond + 1e-9) + 1;
  return Array.from({ length: count }, (_, i) => roundRate(fromPerSecond + i * stepPerSecond));
}

const roundRate = (rate: number): number => Math.round(rate * 100) / 100;

function isGood(t: PaymentTimeline, slaMs: number): boolean {
  if (t.e2eMs === undefined || t.e2eMs > slaMs) return false;
  if (t.status === 'SETTLED') return true;
  return t.status === 'REJECTED' && !TIMEOUT_CODES.includes(t.reason ?? '');
}

/** A step's figures from its sends, measures and timelines (measure.ts). */
export function stepFigures(input: {
  readonly ratePerSecond: number;
  readonly seconds: number;
  readonly sends: readonly SendRecord[];
  readonly measures: LoadMeasures;
  readonly timelines: readonly PaymentTimeline[];
  readonly slaSeconds: number;
}): StepFigures {
  const { measures: m, timelines, seconds } = input;
  const goodPayments = timelines.filter((t) => isGood(t, input.slaSeconds * 1000)).length;
  const timedOut = TIMEOUT_CODES.reduce((n, code) => n + (m.outcomes.rejectedByReason[code] ?? 0), 0);
  const p99 = m.latencyMs.endToEnd?.p99;
  return {
    ratePerSecond: input.ratePerSecond,
    seconds,
    offered: m.offered.payments,
    accepted: m.accepted,
    shed: m.shedAtIntake.count,
    shedWithRetryAfter: input.sends.filter((s) => s.shed !== undefined && s.retryAfterSeconds !== undefined)
      .length,
    errors: m.errors.count,
    goodPayments,
    goodputPerSecond: goodPayments / Math.max(0.001, seconds),
    settled: m.outcomes.settled,
    ...(p99 !== undefined ? { p99Ms: p99 } : {}),
    overSla: m.sloBreaches.overSlaSeconds,
    timedOut,
    lost: m.missing + m.nonTerminal,
  };
}

/** What every step must keep whatever its load: the SLA, nothing lost, no error answer. */
function safetyReasons(f: StepFigures): string[] {
  const reasons: string[] = [];
  if (f.overSla > 0) reasons.push(`${f.overSla} accepted over the SLA`);
  if (f.timedOut > 0) reasons.push(`${f.timedOut} AB05/AB06`);
  if (f.lost > 0) reasons.push(`${f.lost} lost or non-terminal`);
  if (f.errors > 0) reasons.push(`${f.errors} error answers`);
  return reasons;
}

/** A ladder step: the SLO (p99), the SLA, nothing lost, (almost) nothing shed. */
export function judgeStep(f: StepFigures, targets = KNEE_TARGETS): KneeStep {
  const reasons: string[] = [];
  if (f.p99Ms === undefined) reasons.push('no payment became terminal');
  else if (f.p99Ms > targets.p99Ms) reasons.push(`p99 ${Math.round(f.p99Ms)} ms > ${targets.p99Ms} ms`);
  reasons.push(...safetyReasons(f));
  if (f.shed > targets.maxShedShare * f.offered)
    reasons.push(`${f.shed} of ${f.offered} shed at intake (> ${targets.maxShedShare * 100} %)`);
  return { ...f, role: 'ladder', verdict: reasons.length === 0 ? 'pass' : 'fail', reasons };
}

/** The overload step against the knee step: goodput kept, the SLA kept, every refusal with Retry-After. */
export function judgeOverload(knee: StepFigures, f: StepFigures, targets = KNEE_TARGETS): OverloadResult {
  const floor = knee.goodputPerSecond * targets.overloadGoodputShare;
  const reasons: string[] = [];
  if (f.goodputPerSecond < floor)
    reasons.push(`goodput ${f.goodputPerSecond.toFixed(1)}/s < ${floor.toFixed(1)}/s`);
  reasons.push(...safetyReasons(f));
  if (f.shedWithRetryAfter < f.shed)
    reasons.push(`${f.shed - f.shedWithRetryAfter} shed answers without Retry-After`);
  const step: KneeStep = { ...f, role: 'overload', verdict: reasons.length === 0 ? 'pass' : 'fail', reasons };
  return { step, verdict: reasons.length === 0 ? 'met' : 'missed', reasons, goodputFloorPerSecond: floor };
}

/** Runs one step at a rate (knee-bench.ts: load, drain, measure) and returns its figures. */
export type StepRunner = (ratePerSecond: number, role: KneeStep['role']) => Promise<StepFigures>;

/**
 * Climbs the ladder until a step fails, then runs the overload step at factor x the knee (when
 * there is a knee). Steps run one after the other, never overlapping.
 */
export async function searchKnee(
  settings: KneeSettings,
  run: StepRunner,
  targets = KNEE_TARGETS,
): Promise<KneeReport> {
  const steps: KneeStep[] = [];
  let knee: KneeStep | undefined;
  for (const rate of ladderRates(settings)) {
    const step = judgeStep(await run(rate, 'ladder'), targets);
    steps.push(step);
    if (step.verdict === 'fail') break;
    knee = step;
  }
  const base = {
    settings,
    targets,
    goodput: GOODPUT_DEFINITION,
    steps,
    topReached: steps.length > 0 && steps.every((s) => s.verdict === 'pass'),
  };
  if (knee === undefined) return base;
  const overloadRate = roundRate(knee.ratePerSecond * settings.overloadFactor);
  const overload = judgeOverload(knee, await run(overloadRate, 'overload'), targets);
  return { ...base, kneePerSecond: knee.ratePerSecond, overload };
}
