import { Metrics } from '@aws-lambda-powertools/metrics';
import { createPipelineMetrics, dimensionValue, MetricNames, slaBreached } from './metrics';
import { emittedMetrics, isEmf, type EmittedMetric } from './testing/emf';

/** A real Powertools Metrics instance, enabled, printing EMF to a captured stdout. */
function harness() {
  const previous = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  const chunks: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  const metrics = new Metrics({
    namespace: 'RtpPipeline',
    serviceName: 'rtp-pipeline',
    defaultDimensions: { stage: 'test' },
  });
  const api = createPipelineMetrics(metrics);
  return {
    api,
    flush(): EmittedMetric[] {
      metrics.publishStoredMetrics();
      const docs = chunks
        .join('')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as unknown)
        .filter(isEmf);
      return emittedMetrics(docs);
    },
    restore() {
      spy.mockRestore();
      if (previous === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
      else process.env.POWERTOOLS_METRICS_DISABLED = previous;
    },
  };
}

const base = { service: 'rtp-pipeline', stage: 'test' };
const acceptedAt = '2030-01-01T00:00:00.000Z';
const deadline = '2030-01-01T00:00:15.000Z';
const at = (ms: number) => Date.parse(acceptedAt) + ms;

describe('pipeline metrics (EMF)', () => {
  let h: ReturnType<typeof harness>;
  beforeEach(() => {
    h = harness();
  });
  afterEach(() => h.restore());

  it('a settlement: settled count and end-to-end latency on the service/stage dimensions', () => {
    h.api.settlementOutcome({
      status: 'SETTLED',
      replay: false,
      acceptedAt,
      deadline,
      terminalAtMs: at(1_234),
    });
    expect(h.flush()).toEqual([
      {
        namespace: 'RtpPipeline',
        name: MetricNames.PaymentsSettled,
        unit: 'Count',
        dimensions: base,
        values: [1],
      },
      {
        namespace: 'RtpPipeline',
        name: MetricNames.EndToEndLatency,
        unit: 'Milliseconds',
        dimensions: base,
        values: [1_234],
      },
    ]);
  });

  it('a rejection: the total, a per-reason-code breakdown of its own, latency; a time-out is an SLA breach', () => {
    h.api.settlementOutcome({
      status: 'REJECTED',
      reasonCode: 'AM04',
      replay: false,
      acceptedAt,
      deadline,
      terminalAtMs: at(900),
    });
    h.api.settlementOutcome({
      status: 'REJECTED',
      reasonCode: 'AB06',
      replay: false,
      acceptedAt,
      deadline,
      terminalAtMs: at(16_000),
    });
    const emitted = h.flush();
    expect(emitted).toEqual(
      expect.arrayContaining([
        {
          namespace: 'RtpPipeline',
          name: 'PaymentsRejected',
          unit: 'Count',
          dimensions: { ...base, reasonCode: 'AM04' },
          values: [1],
        },
        {
          namespace: 'RtpPipeline',
          name: 'PaymentsRejected',
          unit: 'Count',
          dimensions: { ...base, reasonCode: 'AB06' },
          values: [1],
        },
        {
          namespace: 'RtpPipeline',
          name: 'PaymentsRejected',
          unit: 'Count',
          dimensions: base,
          values: [1, 1],
        },
        {
          namespace: 'RtpPipeline',
          name: 'EndToEndLatency',
          unit: 'Milliseconds',
          dimensions: base,
          values: [900, 16_000],
        },
        { namespace: 'RtpPipeline', name: 'SlaBreaches', unit: 'Count', dimensions: base, values: [1] },
      ]),
    );
    // The reason code never leaks onto the other metrics of the flush.
    expect(emitted.filter((m) => m.name !== 'PaymentsRejected' && 'reasonCode' in m.dimensions)).toEqual([]);
  });

  it('a replay counts as an idempotent replay only', () => {
    h.api.settlementOutcome({
      status: 'SETTLED',
      replay: true,
      acceptedAt,
      deadline,
      terminalAtMs: at(30_000),
    });
    const names = h.flush().map((m) => `${m.name}:${JSON.stringify(m.dimensions)}`);
    expect(names.sort()).toEqual(
      [
        `IdempotentReplays:${JSON.stringify(base)}`,
        `IdempotentReplays:${JSON.stringify({ ...base, source: 'settle' })}`,
      ].sort(),
    );
  });

  it('sweeper failures: counted per invocation, zero included', () => {
    h.api.sweepFailures(0);
    h.api.sweepFailures(2);
    expect(h.flush()).toEqual([
      expect.objectContaining({ name: 'SweepFailures', dimensions: base, values: [0, 2] }),
    ]);
  });

  it('sweeper time-outs: timed out, rejected AB05 and SLA breaches; zero still reports PaymentsTimedOut', () => {
    h.api.paymentsTimedOut(0);
    h.api.paymentsTimedOut(3);
    expect(h.flush()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'PaymentsTimedOut', dimensions: base, values: [0, 3] }),
        expect.objectContaining({
          name: 'PaymentsRejected',
          dimensions: { ...base, reasonCode: 'AB05' },
          values: [3],
        }),
        expect.objectContaining({ name: 'PaymentsRejected', dimensions: base, values: [3] }),
        expect.objectContaining({ name: 'SlaBreaches', dimensions: base, values: [3] }),
      ]),
    );
  });

  it('signature failures, intake refusals, queue wait, DLQ arrivals, accepted payments, partner throttles', () => {
    h.api.signatureFailure('stale');
    h.api.intakeRefusal('AM12');
    h.api.intakeRefusal('not a code!');
    h.api.queueWait(42.4);
    h.api.dlqArrival();
    h.api.paymentAccepted();
    h.api.partnerThrottled();
    const emitted = h.flush();
    expect(emitted).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'SignatureFailures', dimensions: base, values: [1] }),
        expect.objectContaining({
          name: 'SignatureFailures',
          dimensions: { ...base, reason: 'stale' },
          values: [1],
        }),
        expect.objectContaining({
          name: 'PaymentsRefusedAtIntake',
          dimensions: { ...base, reasonCode: 'AM12' },
        }),
        expect.objectContaining({
          name: 'PaymentsRefusedAtIntake',
          dimensions: { ...base, reasonCode: 'other' },
        }),
        expect.objectContaining({ name: 'PaymentsRefusedAtIntake', dimensions: base, values: [1, 1] }),
        expect.objectContaining({
          name: 'QueueWaitTime',
          unit: 'Milliseconds',
          dimensions: base,
          values: [42],
        }),
        expect.objectContaining({ name: 'DlqArrivals', dimensions: base, values: [1] }),
        expect.objectContaining({ name: 'PaymentsAccepted', dimensions: base, values: [1] }),
        expect.objectContaining({ name: 'PartnerThrottles', dimensions: base, values: [1] }),
      ]),
    );
  });

  it('a poison message dead-lettered counts as a DLQ arrival and once per reason', () => {
    h.api.poisonDeadLettered('unreconcilable');
    const emitted = h.flush();
    expect(emitted).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'DlqArrivals', dimensions: base, values: [1] }),
        expect.objectContaining({ name: 'PoisonMessagesDeadLettered', dimensions: base, values: [1] }),
        expect.objectContaining({
          name: 'PoisonMessagesDeadLettered',
          dimensions: { ...base, reason: 'unreconcilable' },
          values: [1],
        }),
      ]),
    );
  });
});

describe('slaBreached', () => {
  it('is true for time-out reasons and for outcomes after the deadline, false otherwise', () => {
    expect(slaBreached({ reasonCode: 'AB05', deadline, terminalAtMs: at(1) })).toBe(true);
    expect(slaBreached({ reasonCode: 'AB06', deadline, terminalAtMs: at(1) })).toBe(true);
    expect(slaBreached({ deadline, terminalAtMs: at(15_001) })).toBe(true);
    expect(slaBreached({ reasonCode: 'AM04', deadline, terminalAtMs: at(15_000) })).toBe(false);
    expect(slaBreached({ deadline: 'not a date', terminalAtMs: at(99_999) })).toBe(false);
  });
});

describe('dimensionValue', () => {
  it('keeps short codes and folds anything else into "other"', () => {
    expect(dimensionValue('AM04')).toBe('AM04');
    expect(dimensionValue('bad_signature')).toBe('bad_signature');
    expect(dimensionValue(undefined)).toBe('other');
    expect(dimensionValue('x'.repeat(33))).toBe('other');
    expect(dimensionValue('a b')).toBe('other');
  });
});
