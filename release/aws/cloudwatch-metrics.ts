import type { MetricQuery, MetricsReader } from '../domain/ports';
import type { CloudWatchApi } from './runtime-sdk';

/** Sums of CloudWatch metrics over a window, one GetMetricData call (paginated) for all queries. */
export class CloudWatchMetricsReader implements MetricsReader {
  constructor(
    private readonly cloudwatch: CloudWatchApi,
    private readonly periodSeconds = 60,
  ) {}

  async sums(
    queries: readonly MetricQuery[],
    startMs: number,
    endMs: number,
  ): Promise<Record<string, number>> {
    const sums: Record<string, number> = Object.fromEntries(queries.map((q) => [q.id, 0]));
    let nextToken: string | undefined;
    do {
      const page = await this.cloudwatch.getMetricData({
        MetricDataQueries: queries.map((q) => ({
          Id: q.id,
          MetricStat: {
            Metric: {
              Namespace: q.namespace,
              MetricName: q.metricName,
              Dimensions: Object.entries(q.dimensions).map(([Name, Value]) => ({ Name, Value })),
            },
            Period: this.periodSeconds,
            Stat: 'Sum',
          },
          ReturnData: true,
        })),
        StartTime: new Date(startMs),
        EndTime: new Date(endMs),
        ...(nextToken ? { NextToken: nextToken } : {}),
      });
      for (const result of page.MetricDataResults ?? []) {
        if (result.Id === undefined || !(result.Id in sums)) continue;
        sums[result.Id] = (sums[result.Id] ?? 0) + (result.Values ?? []).reduce((a, b) => a + b, 0);
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return sums;
  }
}
