export { seededRandom } from '../../shared/testing/random';
/** Small statistics helpers: nearest-rank percentiles, distributions, log-scale histograms. */

export interface Distribution {
  readonly count: number;
  readonly min: number;
  readonly mean: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** Nearest-rank percentile of ascending-sorted values (p in 0..100). NaN when empty. */
export function percentileOfSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  const index = Math.min(sorted.length - 1, Math.max(0, rank - 1));
  return sorted[index] ?? Number.NaN;
}

export function distribution(values: readonly number[]): Distribution | undefined {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return undefined;
  const sorted = [...finite].sort((a, b) => a - b);
  const sum = sorted.reduce((total, v) => total + v, 0);
  return {
    count: sorted.length,
    min: sorted[0] ?? Number.NaN,
    mean: sum / sorted.length,
    p50: percentileOfSorted(sorted, 50),
    p95: percentileOfSorted(sorted, 95),
    p99: percentileOfSorted(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

export function median(values: readonly number[]): number {
  return percentileOfSorted(
    [...values].sort((a, b) => a - b),
    50,
  );
}

export interface HistogramBin {
  /** Inclusive lower edge. */
  readonly from: number;
  /** Exclusive upper edge. */
  readonly to: number;
  readonly count: number;
}

/**
 * Log-scale histogram between `min` and `max` with `perDecade` bins per power of ten; values
 * below `min` land in the first bin, values above `max` in the last.
 */
export function logHistogram(
  values: readonly number[],
  min: number,
  max: number,
  perDecade: number,
): HistogramBin[] {
  const decades = Math.log10(max / min);
  const binCount = Math.max(1, Math.ceil(decades * perDecade));
  const edges = Array.from({ length: binCount + 1 }, (_, i) => min * 10 ** (i / perDecade));
  const counts = new Array<number>(binCount).fill(0);
  for (const value of values) {
    if (!Number.isFinite(value)) continue;
    const raw = Math.floor(Math.log10(Math.max(value, min) / min) * perDecade);
    const index = Math.min(binCount - 1, Math.max(0, raw));
    counts[index] = (counts[index] ?? 0) + 1;
  }
  return counts.map((count, i) => ({ from: edges[i] ?? min, to: edges[i + 1] ?? max, count }));
}
