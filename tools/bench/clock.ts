import { performance } from 'node:perf_hooks';

/** Epoch milliseconds with sub-millisecond resolution (comparable across processes on one machine). */
export const epochNow = (): number => performance.timeOrigin + performance.now();

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
