import { distribution, logHistogram, percentileOfSorted, seededRandom } from './stats';

describe('bench statistics', () => {
  it('takes nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentileOfSorted(sorted, 50)).toBe(50);
    expect(percentileOfSorted(sorted, 99)).toBe(99);
    expect(percentileOfSorted(sorted, 100)).toBe(100);
    expect(percentileOfSorted([7], 99)).toBe(7);
    expect(percentileOfSorted([], 50)).toBeNaN();
  });

  it('summarises a distribution with ordered percentiles, ignoring non-finite values', () => {
    const d = distribution([5, 1, Number.NaN, 3, 9, 7]);
    expect(d).toEqual({ count: 5, min: 1, mean: 5, p50: 5, p95: 9, p99: 9, max: 9 });
    expect(distribution([])).toBeUndefined();
  });

  it('bins every value of a log histogram, clamping the ends', () => {
    const values = [0.1, 1, 5, 50, 500, 5000, 1e9];
    const bins = logHistogram(values, 1, 10_000, 4);
    expect(bins).toHaveLength(16);
    expect(bins.reduce((n, b) => n + b.count, 0)).toBe(values.length);
    expect(bins[0]?.count).toBe(2);
    expect(bins[15]?.count).toBe(1);
  });

  it('repeats the same pseudo-random sequence for the same seed', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const first = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(first);
    expect(first.every((v) => v >= 0 && v < 1)).toBe(true);
  });
});
