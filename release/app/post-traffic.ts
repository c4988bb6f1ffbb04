import type { MetricsReader } from '../domain/ports';
import {
  judgeLiveMetrics,
  liveMetricsWindow,
  postTrafficQueries,
  type PostTrafficInput,
  type PostTrafficReport,
} from '../domain/post-traffic';

export interface PostTrafficDeps {
  readonly metrics: MetricsReader;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * The post-traffic check (the rules: release/domain/post-traffic.ts): soaks, then sums the new
 * version's live metrics over the window and judges them.
 */
export async function checkLiveMetrics(
  deps: PostTrafficDeps,
  input: PostTrafficInput,
): Promise<PostTrafficReport> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  if (input.soakSeconds > 0) await sleep(input.soakSeconds * 1000);
  const window = liveMetricsWindow(input, now());
  const sums = await deps.metrics.sums(postTrafficQueries(input), window.startMs, window.endMs);
  return judgeLiveMetrics(input, window, sums);
}
