import fc from 'fast-check';
import { defaultRetryVisibilityPolicy, retryVisibilitySeconds } from './retry-visibility';

const NOW = Date.parse('2026-11-21T12:00:00.000Z');
const base = { nowMs: NOW, commitMarginMs: 1000 };

describe('retryVisibilitySeconds', () => {
  it('backs off about 1, 2, 4, 4 s over the receives (jitter between half the cap and the cap)', () => {
    const at = (receiveCount: number, random: number) =>
      retryVisibilitySeconds({ ...base, receiveCount, random: () => random }, defaultRetryVisibilityPolicy);
    expect([1, 2, 3, 4, 5].map((count) => at(count, 0.999))).toEqual([1, 2, 4, 4, 4]);
    expect([1, 2, 3, 4, 5].map((count) => at(count, 0))).toEqual([1, 1, 2, 2, 2]);
  });

  it('is never later than the last moment a retry can still settle before the deadline', () => {
    const seconds = (deadlineInMs: number) =>
      retryVisibilitySeconds(
        { ...base, receiveCount: 3, random: () => 0.999, deadlineMs: NOW + deadlineInMs },
        defaultRetryVisibilityPolicy,
      );
    expect(seconds(10_000)).toBe(4);
    expect(seconds(3_500)).toBe(2); // 2.5 s left before the commit margin: back within 2 s
    expect(seconds(1_500)).toBe(0); // at once
    expect(seconds(-5_000)).toBe(4); // already too late: only the AB06 rejection remains, no hurry
  });

  it('stays within 0..4 s and before the deadline (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.double({ min: 0, max: 0.999_999, noNaN: true }),
        fc.integer({ min: 1_001, max: 60_000 }),
        (receiveCount, random, deadlineInMs) => {
          const seconds = retryVisibilitySeconds(
            { ...base, receiveCount, random: () => random, deadlineMs: NOW + deadlineInMs },
            defaultRetryVisibilityPolicy,
          );
          expect(Number.isInteger(seconds)).toBe(true);
          expect(seconds).toBeGreaterThanOrEqual(0);
          expect(seconds).toBeLessThanOrEqual(4);
          expect(NOW + seconds * 1000).toBeLessThanOrEqual(NOW + deadlineInMs - base.commitMarginMs);
        },
      ),
    );
  });
});
