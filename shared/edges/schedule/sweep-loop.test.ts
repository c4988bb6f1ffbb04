import type { PaymentStore } from '../../domain/ports';
import { FakeClock } from '../../testing/fakes';
import { createSweepLoop } from './sweep-loop';

/** A store stub: findPastDeadline answers the next batch of ids; reject applies unless told to throw. */
function stubStore(batches: string[][], failing: ReadonlySet<string> = new Set()) {
  const rejected: string[] = [];
  const store = {
    findPastDeadline: async () => batches.shift() ?? [],
    reject: async (paymentId: string) => {
      if (failing.has(paymentId)) throw new TypeError('boom');
      rejected.push(paymentId);
      return { applied: true };
    },
  } as unknown as PaymentStore;
  return { store, rejected };
}

/** The invocation's clock: each sleep spends the time it sleeps. */
function invocation(totalMs: number) {
  let left = totalMs;
  const sleeps: number[] = [];
  return {
    remainingMs: () => left,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      left -= ms;
    },
    sleeps,
  };
}

describe('sweep loop (schedule edge)', () => {
  it('sweeps every interval until the invocation time is nearly up', async () => {
    const { store, rejected } = stubStore([['a'], [], ['b', 'c']]);
    const run = invocation(20_000);
    const loop = createSweepLoop({ store, clock: new FakeClock(), intervalMs: 5_000, sleep: run.sleep });
    // 20 s: sweep, sleep, sweep (15 s left), sleep, sweep (10 s), sleep, sweep (5 s < 5 + 2 s: stop).
    await expect(loop(run.remainingMs)).resolves.toEqual({ sweeps: 4, rejected: 3, failed: 0 });
    expect(run.sleeps).toEqual([5_000, 5_000, 5_000]);
    expect(rejected).toEqual(['a', 'b', 'c']);
  });

  it('sweeps again at once after a full pass that made progress, not after one with failures only', async () => {
    const full = Array.from({ length: 200 }, (_, i) => `p${i}`);
    const { store } = stubStore([full, full.map((id) => `${id}x`)], new Set(full.map((id) => `${id}x`)));
    const run = invocation(6_000);
    const loop = createSweepLoop({ store, clock: new FakeClock(), intervalMs: 5_000, sleep: run.sleep });
    await expect(loop(run.remainingMs)).resolves.toEqual({ sweeps: 2, rejected: 200, failed: 200 });
    expect(run.sleeps).toEqual([]);
  });
});
