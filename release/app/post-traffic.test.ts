import { postTrafficQueries, type PostTrafficInput } from '../domain/post-traffic';
import { checkLiveMetrics } from './post-traffic';
import type { MetricQuery, MetricsReader } from '../domain/ports';

class FakeMetrics implements MetricsReader {
  calls: { queries: readonly MetricQuery[]; startMs: number; endMs: number }[] = [];
  constructor(private readonly values: Record<string, number>) {}
  async sums(
    queries: readonly MetricQuery[],
    startMs: number,
    endMs: number,
  ): Promise<Record<string, number>> {
    this.calls.push({ queries, startMs, endMs });
    return Object.fromEntries(queries.map((q) => [q.id, this.values[q.id] ?? 0]));
  }
}

const input: PostTrafficInput = {
  functionName: 'rtp-pipeline-prod-settlePayment',
  alias: 'Live',
  targetVersion: '7',
  deploymentStartMs: 1_000_000,
  soakSeconds: 60,
  service: 'rtp-pipeline',
  stage: 'prod',
  namespace: 'RtpPipeline',
};

describe('post-traffic check', () => {
  it('asks for the new version alone for errors, the alias for throttles, the stage for SLA and DLQ', () => {
    const byId = Object.fromEntries(postTrafficQueries(input).map((q) => [q.id, q]));
    expect(byId.errors).toEqual({
      id: 'errors',
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      dimensions: {
        FunctionName: 'rtp-pipeline-prod-settlePayment',
        Resource: 'rtp-pipeline-prod-settlePayment:Live',
        ExecutedVersion: '7',
      },
    });
    expect(byId.throttles?.dimensions).toEqual({
      FunctionName: 'rtp-pipeline-prod-settlePayment',
      Resource: 'rtp-pipeline-prod-settlePayment:Live',
    });
    expect(byId.slaBreaches).toMatchObject({
      namespace: 'RtpPipeline',
      metricName: 'SlaBreaches',
      dimensions: { service: 'rtp-pipeline', stage: 'prod' },
    });
    expect(byId.dlqArrivals).toMatchObject({ namespace: 'RtpPipeline', metricName: 'DlqArrivals' });
  });

  it('soaks, then passes a clean new version over the window since the deployment started', async () => {
    const metrics = new FakeMetrics({ invocations: 120 });
    const slept: number[] = [];
    const report = await checkLiveMetrics(
      { metrics, now: () => 2_000_000, sleep: async (ms) => void slept.push(ms) },
      input,
    );
    expect(slept).toEqual([60_000]);
    expect(report).toMatchObject({ ok: true, breaches: [], observed: { invocations: 120, errors: 0 } });
    expect(metrics.calls[0]).toMatchObject({ startMs: 1_000_000 - 60_000, endMs: 2_000_000 });
  });

  it.each([
    [{ errors: 1 }, 'errors 1 > 0'],
    [{ throttles: 3 }, 'throttles 3 > 0'],
    [{ slaBreaches: 1 }, 'slaBreaches 1 > 0'],
    [{ dlqArrivals: 2 }, 'dlqArrivals 2 > 0'],
  ])('fails on %j', async (values, breach) => {
    const report = await checkLiveMetrics(
      { metrics: new FakeMetrics(values), sleep: async () => undefined },
      input,
    );
    expect(report.ok).toBe(false);
    expect(report.breaches).toEqual([breach]);
  });

  it.each([
    [{ invocations: 2_000, errors: 2 }, true, []],
    [{ invocations: 2_000, errors: 3 }, false, ['errors 3 > 2']],
    [{ aliasInvocations: 1_000, throttles: 3 }, true, []],
    [{ aliasInvocations: 1_000, throttles: 11 }, false, ['throttles 11 > 10']],
    [{ aliasInvocations: 1_000, invocations: 1_000, slaBreaches: 1 }, false, ['slaBreaches 1 > 0']],
  ])('judges errors and throttles by rate, SLA breaches absolutely: %j', async (values, ok, breaches) => {
    const report = await checkLiveMetrics(
      { metrics: new FakeMetrics(values), sleep: async () => undefined },
      input,
    );
    expect({ ok: report.ok, breaches: report.breaches }).toEqual({ ok, breaches });
  });

  it('asks for the alias invocations, the base of the throttle rate', () => {
    const byId = Object.fromEntries(postTrafficQueries(input).map((q) => [q.id, q]));
    expect(byId.aliasInvocations).toMatchObject({
      metricName: 'Invocations',
      dimensions: { Resource: 'rtp-pipeline-prod-settlePayment:Live' },
    });
    expect(byId.aliasInvocations?.dimensions).not.toHaveProperty('ExecutedVersion');
  });

  it('honours configured limits', async () => {
    const report = await checkLiveMetrics(
      { metrics: new FakeMetrics({ errors: 2 }), sleep: async () => undefined },
      { ...input, limits: { errors: 2 } },
    );
    expect(report.ok).toBe(true);
  });
});
