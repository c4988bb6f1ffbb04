/**
 * `npm run bench -- --knee`: the knee search (knee.ts) on one local stack, through the phases of
 * bench.ts. One setup (bundles, stack, capacity probe, warm-up), then each step:
 *
 *   seed      fresh partners and accounts (a step never inherits balances or partner state)
 *   load      open loop at the step's rate for --step-duration seconds
 *   drain     until every accepted payment of the step is terminal (bounded): the queue is empty
 *             when the next step starts, so steps do not contaminate each other
 *   measure   the step's figures and verdict
 *
 * The ladder stops at the first failing step; the overload step follows at --overload-factor x
 * the knee. With --hot-account, the hot-account measurement (hot-settle.ts) runs after the
 * stack has stopped, without and with the conflict layer. The report's measures, charts and
 * targets describe the overload step (the last step when no knee was found).
 */
import {
  finishResults,
  measuredLoad,
  seedFreshWorld,
  warmUp,
  withHotAccount,
  withSession,
  writeResults,
} from './bench';
import type { BenchIo, BenchRuntime, BenchSession, MeasuredLoad } from './bench';
import { searchKnee, stepFigures, type KneeReport, type KneeStep } from './knee';
import type { BenchOptions } from './options';
import type { BenchResults } from './results';

function stepLine(step: KneeStep): string {
  return (
    `${step.role} ${step.ratePerSecond}/s: ${step.verdict.toUpperCase()}; accepted ${step.accepted}/${step.offered}, shed ${step.shed}, ` +
    `goodput ${step.goodputPerSecond.toFixed(1)}/s, p99 ${step.p99Ms === undefined ? '-' : `${Math.round(step.p99Ms)} ms`}, ` +
    `over SLA ${step.overSla}, AB05/AB06 ${step.timedOut}${step.reasons.length > 0 ? ` (${step.reasons.join('; ')})` : ''}`
  );
}

async function ladder(
  session: BenchSession,
): Promise<{ knee: KneeReport; last: MeasuredLoad; runId: string }> {
  const settings = session.options.knee;
  if (settings === undefined) throw new Error('runKneeBench needs options.knee');
  let last: { load: MeasuredLoad; runId: string } | undefined;
  const knee = await searchKnee(settings, async (rate, role) => {
    const seeded = await seedFreshWorld(session);
    session.say(`knee ${role} step: ${rate}/s for ${settings.stepSeconds} s`);
    const load = await measuredLoad(session, seeded, rate, settings.stepSeconds, `${role} ${rate}/s`);
    last = { load, runId: seeded.world.runId };
    const figures = stepFigures({
      ratePerSecond: rate,
      seconds: settings.stepSeconds,
      sends: load.sends,
      measures: load.measures,
      timelines: load.timelines,
      slaSeconds: session.target.slaSeconds,
    });
    return figures;
  });
  for (const step of knee.steps) session.say(stepLine(step));
  if (knee.overload)
    session.say(`${stepLine(knee.overload.step)} -> overload ${knee.overload.verdict.toUpperCase()}`);
  if (last === undefined) throw new Error('the knee ladder ran no step');
  return { knee, last: last.load, runId: last.runId };
}

export async function runKneeBench(
  options: BenchOptions,
  io: BenchIo,
  runtime: BenchRuntime = {},
): Promise<BenchResults> {
  const measured = await withSession(options, io, runtime, async (session, first) => {
    await warmUp(session, first, options.knee?.fromPerSecond ?? 10);
    const { knee, last, runId } = await ladder(session);
    const rateSource =
      knee.overload !== undefined
        ? `knee search: the overload step, ${options.knee?.overloadFactor ?? '?'} x the knee ${knee.kneePerSecond}/s`
        : 'knee search: no knee found, the last step';
    // Built while the session (its target) is open; written once the hot-account figure is in.
    return finishResults(session, last, rateSource, runId, { knee });
  });
  const results = await withHotAccount(options, io, measured);
  writeResults(results);
  return results;
}
