import fc from 'fast-check';
import {
  DEFAULT_KNEE,
  judgeOverload,
  judgeStep,
  ladderRates,
  searchKnee,
  stepFigures,
  type KneeSettings,
  type StepFigures,
} from './knee';
import type { SendRecord } from './load';
import { measure } from './measure';
import type { PaymentRecord } from './readback';

/** A step that meets every ladder target at `rate` (20 s, everything settled fast). */
function good(rate: number, overrides: Partial<StepFigures> = {}): StepFigures {
  const offered = rate * 20;
  return {
    ratePerSecond: rate,
    seconds: 20,
    offered,
    accepted: offered,
    shed: 0,
    shedWithRetryAfter: 0,
    errors: 0,
    goodPayments: offered,
    goodputPerSecond: rate,
    settled: offered,
    p99Ms: 400,
    overSla: 0,
    timedOut: 0,
    lost: 0,
    ...overrides,
  };
}

describe('the knee ladder', () => {
  it('runs from the first rung to the top in steps', () => {
    expect(ladderRates(DEFAULT_KNEE)).toEqual([10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80]);
    expect(ladderRates({ ...DEFAULT_KNEE, fromPerSecond: 1, stepPerSecond: 0.1, maxPerSecond: 1.3 })).toEqual(
      [1, 1.1, 1.2, 1.3],
    );
    expect(ladderRates({ ...DEFAULT_KNEE, fromPerSecond: 5, maxPerSecond: 5 })).toEqual([5]);
    expect(() => ladderRates({ ...DEFAULT_KNEE, fromPerSecond: 20, maxPerSecond: 10 })).toThrow(RangeError);
    expect(() => ladderRates({ ...DEFAULT_KNEE, stepPerSecond: 0 })).toThrow(RangeError);
  });
});

describe('a ladder step verdict', () => {
  it('passes a step within the SLO with nothing over the SLA, lost or shed', () => {
    expect(judgeStep(good(10))).toMatchObject({ verdict: 'pass', reasons: [], role: 'ladder' });
  });

  it('fails a step whose p99 is within 1 s but with one payment over the SLA', () => {
    const step = judgeStep(good(20, { p99Ms: 800, overSla: 1 }));
    expect(step.verdict).toBe('fail');
    expect(step.reasons).toEqual(['1 accepted over the SLA']);
  });

  it('fails on p99 over 1 s, AB05/AB06, a lost payment, an error answer or shedding past 1 %', () => {
    expect(judgeStep(good(20, { p99Ms: 1001 })).reasons).toEqual(['p99 1001 ms > 1000 ms']);
    expect(judgeStep(good(20, { timedOut: 2 })).reasons).toEqual(['2 AB05/AB06']);
    expect(judgeStep(good(20, { lost: 1 })).reasons).toEqual(['1 lost or non-terminal']);
    expect(judgeStep(good(20, { errors: 3 })).reasons).toEqual(['3 error answers']);
    expect(judgeStep(good(20, { shed: 5 })).reasons).toEqual(['5 of 400 shed at intake (> 1 %)']);
    expect(judgeStep(good(20, { shed: 4 })).verdict).toBe('pass');
    const { p99Ms: _none, ...nothingTerminal } = good(20);
    expect(judgeStep(nothingTerminal).reasons).toEqual(['no payment became terminal']);
  });
});

describe('the overload verdict', () => {
  const knee = good(20);
  const overload = (o: Partial<StepFigures>) =>
    good(30, { shed: 150, shedWithRetryAfter: 150, accepted: 450, goodputPerSecond: 19, p99Ms: 4000, ...o });

  it('is met with goodput >= 90 % of the knee, the SLA kept and every refusal with Retry-After (p99 free)', () => {
    const result = judgeOverload(knee, overload({}));
    expect(result).toMatchObject({ verdict: 'met', reasons: [], goodputFloorPerSecond: 18 });
    expect(result.step.role).toBe('overload');
  });

  it('is missed when goodput falls, an accepted payment breaches the SLA, one times out or a refusal has no Retry-After', () => {
    expect(judgeOverload(knee, overload({ goodputPerSecond: 17.9 })).reasons).toEqual([
      'goodput 17.9/s < 18.0/s',
    ]);
    expect(judgeOverload(knee, overload({ overSla: 1 })).reasons).toEqual(['1 accepted over the SLA']);
    expect(judgeOverload(knee, overload({ timedOut: 1 })).verdict).toBe('missed');
    expect(judgeOverload(knee, overload({ lost: 1 })).verdict).toBe('missed');
    expect(judgeOverload(knee, overload({ shedWithRetryAfter: 149 })).reasons).toEqual([
      '1 shed answers without Retry-After',
    ]);
  });
});

describe('the knee search', () => {
  const settings: KneeSettings = { ...DEFAULT_KNEE, stepSeconds: 1 };

  it('stops at the first failing step, takes the last passing rate and overloads it 1.5 x', async () => {
    const asked: string[] = [];
    const report = await searchKnee(settings, async (rate, role) => {
      asked.push(`${role} ${rate}`);
      if (role === 'overload') return good(rate, { goodputPerSecond: 19 });
      return rate <= 20 ? good(rate) : good(rate, { p99Ms: 600, overSla: 3 });
    });
    expect(asked).toEqual(['ladder 10', 'ladder 15', 'ladder 20', 'ladder 25', 'overload 30']);
    expect(report.kneePerSecond).toBe(20);
    expect(report.topReached).toBe(false);
    expect(report.steps.map((s) => s.verdict)).toEqual(['pass', 'pass', 'pass', 'fail']);
    expect(report.overload?.verdict).toBe('met');
  });

  it('has no knee and no overload step when the first step fails', async () => {
    const report = await searchKnee(settings, async (rate) => good(rate, { p99Ms: 2000 }));
    expect(report.kneePerSecond).toBeUndefined();
    expect(report.overload).toBeUndefined();
    expect(report.steps).toHaveLength(1);
  });

  it('takes the rate before the first failing rung as the knee, whatever fails after it', async () => {
    const rates = ladderRates(settings);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.boolean(), { minLength: rates.length, maxLength: rates.length }),
        fc.double({ min: 1, max: 3, noNaN: true }),
        async (passes, factor) => {
          const calls: number[] = [];
          const report = await searchKnee({ ...settings, overloadFactor: factor }, async (rate, role) => {
            if (role === 'overload') return good(rate);
            calls.push(rate);
            return passes[rates.indexOf(rate)] === true ? good(rate) : good(rate, { overSla: 1 });
          });
          const firstFail = passes.indexOf(false);
          const ran = firstFail === -1 ? rates : rates.slice(0, firstFail + 1);
          expect(calls).toEqual(ran);
          const knee = firstFail === -1 ? rates[rates.length - 1] : rates[firstFail - 1];
          expect(report.kneePerSecond).toBe(knee);
          expect(report.topReached).toBe(firstFail === -1);
          if (knee === undefined) expect(report.overload).toBeUndefined();
          else expect(report.overload?.step.ratePerSecond).toBeCloseTo(knee * factor, 1);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('step figures from the measures', () => {
  const T0 = Date.parse('2026-01-01T00:00:00.000Z');
  const iso = (ms: number) => new Date(T0 + ms).toISOString();
  const send = (seq: number, status: number, extra: Partial<SendRecord> = {}): SendRecord => ({
    seq,
    kind: 'normal',
    form: 'xml',
    partnerIndex: 0,
    endToEndId: `E${seq}`,
    intendedAt: T0 + seq * 100,
    sentAt: T0 + seq * 100,
    respondedAt: T0 + seq * 100 + 30,
    status,
    ...(status === 202 ? { paymentId: `p${seq}` } : {}),
    requestBytes: 1000,
    ...extra,
  });
  const rec = (
    seq: number,
    status: PaymentRecord['status'],
    afterMs: number,
    code?: string,
  ): PaymentRecord => ({
    paymentId: `p${seq}`,
    status,
    createdAt: iso(seq * 100 + 10),
    acceptedAt: iso(seq * 100 + 10),
    ...(status === 'SETTLED' ? { settledAt: iso(seq * 100 + 10 + afterMs) } : {}),
    ...(status === 'REJECTED' ? { rejectedAt: iso(seq * 100 + 10 + afterMs), rejectionCode: code } : {}),
  });

  it('counts as goodput only what the ledger decided within the SLA, and the shed answers with Retry-After', () => {
    const sends = [
      send(0, 202),
      send(1, 202),
      send(2, 202),
      send(3, 202),
      send(4, 202),
      send(5, 503, { shed: 'OVERLOADED', retryAfterSeconds: 2 }),
      send(6, 429, { shed: 'PARTNER_SHARE_EXCEEDED' }),
    ];
    const records = new Map(
      [
        rec(0, 'SETTLED', 200),
        rec(1, 'REJECTED', 150, 'AM04'), // a ledger rule: counts
        rec(2, 'REJECTED', 15_500, 'AB05'), // timed out: never goodput
        rec(3, 'SETTLED', 16_000), // over the 15 s SLA: not goodput
        rec(4, 'ACCEPTED', 0), // non-terminal: lost for the step
      ].map((r) => [r.paymentId, r]),
    );
    const { measures, timelines } = measure({ sends, records, sloSeconds: 10, slaSeconds: 15 });
    const f = stepFigures({ ratePerSecond: 2, seconds: 1, sends, measures, timelines, slaSeconds: 15 });
    expect(f).toMatchObject({
      offered: 7,
      accepted: 5,
      shed: 2,
      shedWithRetryAfter: 1,
      goodPayments: 2,
      goodputPerSecond: 2,
      timedOut: 1,
      overSla: 2,
      lost: 1,
    });
    expect(judgeStep(f).verdict).toBe('fail');
  });
});
