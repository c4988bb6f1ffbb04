import fc from 'fast-check';
import {
  AdmissionGate,
  DEFAULT_ADMISSION,
  INITIAL_ADMISSION_STATE,
  decideAdmission,
  estimatedWaitSeconds,
  observedDrainPerSecond,
  overloadedNow,
  type AdmissionSettings,
  type AdmissionState,
  type BacklogSignal,
} from './admission';

const settingsArb: fc.Arbitrary<AdmissionSettings> = fc.record({
  capacityPerSecond: fc.double({ min: 0.1, max: 500, noNaN: true }),
  budgetSeconds: fc.double({ min: 0.5, max: 30, noNaN: true }),
  pressureFraction: fc.double({ min: 0, max: 1, noNaN: true }),
  maxRetryAfterSeconds: fc.integer({ min: 1, max: 120 }),
  activeWindowMs: fc.integer({ min: 1_000, max: 60_000 }),
  burstSeconds: fc.double({ min: 0.1, max: 5, noNaN: true }),
});

/** A run of submissions: partner index, ms since the previous one, backlog change. */
const stepsArb = fc.array(
  fc.record({
    partner: fc.integer({ min: 0, max: 5 }),
    gapMs: fc.integer({ min: 0, max: 2_000 }),
    waiting: fc.integer({ min: 0, max: 5_000 }),
    inFlight: fc.integer({ min: 0, max: 50 }),
    resample: fc.boolean(),
  }),
  { minLength: 1, maxLength: 200 },
);

describe('decideAdmission', () => {
  it('never admits when the estimated wait (backlog + this container’s admissions since the sample) exceeds the budget', () => {
    fc.assert(
      fc.property(settingsArb, stepsArb, (settings, steps) => {
        let state: AdmissionState = INITIAL_ADMISSION_STATE;
        let now = 1_000_000;
        let backlog: BacklogSignal = { waiting: 0, inFlight: 0, sampledAtMs: now };
        let admittedSince = 0;
        for (const step of steps) {
          now += step.gapMs;
          if (step.resample) {
            backlog = { waiting: step.waiting, inFlight: step.inFlight, sampledAtMs: now };
            admittedSince = 0;
          }
          const out = decideAdmission(
            state,
            { partnerId: `p${step.partner}`, nowMs: now },
            backlog,
            settings,
          );
          const wait = estimatedWaitSeconds(
            backlog.waiting + backlog.inFlight + admittedSince,
            settings.capacityPerSecond,
          );
          if (wait > settings.budgetSeconds) expect(out.decision.admit).toBe(false);
          if (out.decision.admit) admittedSince += 1;
          state = out.state;
        }
      }),
    );
  });

  it('answers a whole Retry-After within [1, maxRetryAfterSeconds], 503 overloaded only past the budget', () => {
    fc.assert(
      fc.property(settingsArb, stepsArb, (settings, steps) => {
        let state: AdmissionState = INITIAL_ADMISSION_STATE;
        let now = 0;
        for (const step of steps) {
          now += step.gapMs;
          const backlog = { waiting: step.waiting, inFlight: step.inFlight, sampledAtMs: now };
          const out = decideAdmission(
            state,
            { partnerId: `p${step.partner}`, nowMs: now },
            backlog,
            settings,
          );
          if (!out.decision.admit) {
            const { retryAfterSeconds, reason, estimatedWaitSeconds: wait } = out.decision;
            expect(Number.isInteger(retryAfterSeconds)).toBe(true);
            expect(retryAfterSeconds).toBeGreaterThanOrEqual(1);
            expect(retryAfterSeconds).toBeLessThanOrEqual(settings.maxRetryAfterSeconds);
            if (reason === 'overloaded') expect(wait).toBeGreaterThan(settings.budgetSeconds);
            else expect(wait).toBeGreaterThan(settings.budgetSeconds * settings.pressureFraction);
          }
          state = out.state;
        }
      }),
    );
  });

  it('admits everyone while the wait is under the pressure band', () => {
    fc.assert(
      fc.property(settingsArb, stepsArb, (settings, steps) => {
        let state: AdmissionState = INITIAL_ADMISSION_STATE;
        let now = 0;
        let sample = 0;
        for (const step of steps) {
          now += step.gapMs;
          sample += 1;
          // A fresh sample each time, so only the sampled depth counts.
          const backlog = { waiting: step.waiting, inFlight: step.inFlight, sampledAtMs: sample };
          const out = decideAdmission(
            state,
            { partnerId: `p${step.partner}`, nowMs: now },
            backlog,
            settings,
          );
          const wait = estimatedWaitSeconds(step.waiting + step.inFlight, settings.capacityPerSecond);
          if (wait <= settings.budgetSeconds * settings.pressureFraction)
            expect(out.decision.admit).toBe(true);
          state = out.state;
        }
      }),
    );
  });

  describe('fairness under pressure (k active partners, capacity C: each gets C / k per second)', () => {
    const settings: AdmissionSettings = {
      ...DEFAULT_ADMISSION,
      capacityPerSecond: 20,
      budgetSeconds: 8,
      activeWindowMs: 60_000,
    };
    // A backlog inside the pressure band (4 s < wait <= 8 s at 20/s), resampled every time so
    // the local admissions count never pushes it past the budget.
    const pressured = (now: number): BacklogSignal => ({ waiting: 110, inFlight: 10, sampledAtMs: now });

    it('no partner is admitted more than its share x elapsed + its burst', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 6 }),
          fc.array(fc.record({ partner: fc.nat(), gapMs: fc.integer({ min: 0, max: 300 }) }), {
            minLength: 1,
            maxLength: 400,
          }),
          (k, steps) => {
            let state: AdmissionState = INITIAL_ADMISSION_STATE;
            let now = 0;
            // Every partner is active from the start.
            for (let p = 0; p < k; p += 1) {
              state = decideAdmission(
                state,
                { partnerId: `p${p}`, nowMs: now },
                pressured(now),
                settings,
              ).state;
            }
            const admitted = new Array<number>(k).fill(0);
            for (const step of steps) {
              now += step.gapMs;
              const p = step.partner % k;
              const out = decideAdmission(
                state,
                { partnerId: `p${p}`, nowMs: now },
                pressured(now),
                settings,
              );
              if (out.decision.admit) admitted[p] = (admitted[p] ?? 0) + 1;
              state = out.state;
            }
            const share = settings.capacityPerSecond / k;
            const burst = Math.max(1, share * settings.burstSeconds);
            for (const count of admitted) {
              // +burst for the first request of each partner (which also drew on its bucket).
              expect(count).toBeLessThanOrEqual(Math.floor(2 * burst + (share * now) / 1000) + 1);
            }
          },
        ),
      );
    });

    it('a partner sending within its share is never refused, while another floods', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 2, max: 5 }),
          fc.integer({ min: 1, max: 20 }),
          fc.integer({ min: 20, max: 200 }),
          (k, floodPerTick, ticks) => {
            let state: AdmissionState = INITIAL_ADMISSION_STATE;
            let now = 0;
            for (let p = 0; p < k; p += 1) {
              state = decideAdmission(
                state,
                { partnerId: `p${p}`, nowMs: now },
                pressured(now),
                settings,
              ).state;
            }
            const share = settings.capacityPerSecond / k;
            const politeGapMs = Math.ceil(1000 / share);
            let refusedPolite = 0;
            let floodAdmitted = 0;
            for (let t = 0; t < ticks; t += 1) {
              now += politeGapMs;
              for (let i = 0; i < floodPerTick; i += 1) {
                const flood = decideAdmission(
                  state,
                  { partnerId: 'p0', nowMs: now },
                  pressured(now),
                  settings,
                );
                if (flood.decision.admit) floodAdmitted += 1;
                else expect(flood.decision.reason).toBe('partner_share');
                state = flood.state;
              }
              const polite = decideAdmission(
                state,
                { partnerId: 'p1', nowMs: now },
                pressured(now),
                settings,
              );
              if (!polite.decision.admit) refusedPolite += 1;
              state = polite.state;
            }
            expect(refusedPolite).toBe(0);
            expect(floodAdmitted).toBeLessThanOrEqual(Math.ceil((share * now) / 1000 + 2 * share + 1));
          },
        ),
        { numRuns: 25 },
      );
    });
  });

  it('counts its own admissions since the sample: a burst within one sample cannot overshoot the budget', () => {
    const settings = { ...DEFAULT_ADMISSION, capacityPerSecond: 10, budgetSeconds: 5, pressureFraction: 1 };
    const backlog = { waiting: 40, inFlight: 0, sampledAtMs: 0 };
    let state: AdmissionState = INITIAL_ADMISSION_STATE;
    let admitted = 0;
    for (let i = 0; i < 100; i += 1) {
      const out = decideAdmission(state, { partnerId: 'p', nowMs: i }, backlog, settings);
      if (out.decision.admit) admitted += 1;
      state = out.state;
    }
    // (40 + n + 1) / 10 <= 5  ->  n <= 9: ten admitted (n = 0..9), then 503.
    expect(admitted).toBe(10);
  });

  it('Retry-After tells how long the backlog takes to drain back to the budget', () => {
    const settings = { ...DEFAULT_ADMISSION, capacityPerSecond: 10, budgetSeconds: 5 };
    const out = decideAdmission(
      INITIAL_ADMISSION_STATE,
      { partnerId: 'p', nowMs: 0 },
      { waiting: 119, inFlight: 10, sampledAtMs: 0 },
      settings,
    );
    // wait = 130 / 10 = 13 s, 8 s past the budget.
    expect(out.decision).toEqual({
      admit: false,
      reason: 'overloaded',
      retryAfterSeconds: 8,
      estimatedWaitSeconds: 13,
    });
  });
});

describe('AdmissionGate', () => {
  const settings = { ...DEFAULT_ADMISSION, capacityPerSecond: 1, budgetSeconds: 1 };

  it('fails open when the backlog cannot be read, and says so', async () => {
    const unavailable = jest.fn();
    const gate = new AdmissionGate(
      { backlog: async () => undefined },
      settings,
      { now: () => 0 },
      {
        signalUnavailable: unavailable,
      },
    );
    await expect(gate.check('p')).resolves.toMatchObject({ admit: true });
    expect(unavailable).toHaveBeenCalledTimes(1);
  });

  it('refuses past the budget with the policy’s Retry-After', async () => {
    const gate = new AdmissionGate(
      { backlog: async () => ({ waiting: 5, inFlight: 0, sampledAtMs: 0 }) },
      settings,
      { now: () => 0 },
    );
    await expect(gate.check('p')).resolves.toEqual({
      admit: false,
      reason: 'overloaded',
      retryAfterSeconds: 5,
      estimatedWaitSeconds: 6,
    });
  });
});

describe('overloadedNow (the pre-authentication check)', () => {
  it('refuses exactly when decideAdmission would refuse as overloaded', () => {
    fc.assert(
      fc.property(settingsArb, fc.nat(2_000), fc.nat(50), (settings, waiting, inFlight) => {
        const backlog = { waiting, inFlight, sampledAtMs: 1 };
        const early = overloadedNow(INITIAL_ADMISSION_STATE, backlog, settings);
        const full = decideAdmission(
          INITIAL_ADMISSION_STATE,
          { partnerId: 'p', nowMs: 0 },
          backlog,
          settings,
        );
        expect(early !== undefined).toBe(!full.decision.admit && full.decision.reason === 'overloaded');
        if (early && !early.admit && !full.decision.admit)
          expect(early.retryAfterSeconds).toBe(full.decision.retryAfterSeconds);
      }),
    );
  });
});

describe('observed drain', () => {
  it('is what left the queue per second while it stayed backlogged', () => {
    const a = { waiting: 50, inFlight: 10, sampledAtMs: 0 };
    expect(observedDrainPerSecond(a, 20, { waiting: 60, inFlight: 10, sampledAtMs: 2_000 })).toBe(5);
    expect(observedDrainPerSecond(a, 0, { waiting: 0, inFlight: 0, sampledAtMs: 1_000 })).toBeUndefined();
    expect(observedDrainPerSecond({ ...a, waiting: 0, inFlight: 0 }, 5, a)).toBeUndefined();
  });

  it('lowers the capacity the gate uses to what settles, and returns to the configured one when the queue empties', async () => {
    let now = 0;
    let depth = 100;
    const gate = new AdmissionGate(
      { backlog: async () => ({ waiting: depth, inFlight: 0, sampledAtMs: now }) },
      {
        ...DEFAULT_ADMISSION,
        capacityPerSecond: 20,
        budgetSeconds: 7,
        observeDrain: true,
        drainSmoothing: 1,
      },
      { now: () => now },
    );
    await gate.precheck();
    expect(gate.capacityPerSecond()).toBe(20);
    now = 1_000;
    depth = 97; // 3 settled in a second, nothing admitted
    await gate.precheck();
    expect(gate.capacityPerSecond()).toBe(3);
    // 97 / 3 = 32 s of backlog: past the 7 s budget at the observed rate.
    await expect(gate.precheck()).resolves.toMatchObject({ admit: false, reason: 'overloaded' });
    now = 2_000;
    depth = 0;
    await gate.precheck();
    expect(gate.capacityPerSecond()).toBe(20);
  });
});
