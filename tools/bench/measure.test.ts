import { retryAfterSeconds, shedCode, type SendRecord } from './load';
import { measure } from './measure';
import type { PaymentRecord } from './readback';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (ms: number) => new Date(T0 + ms).toISOString();

function send(seq: number, kind: SendRecord['kind'], status: number, paymentId?: string): SendRecord {
  return {
    seq,
    kind,
    form: 'xml',
    partnerIndex: 0,
    endToEndId: `E${seq}`,
    intendedAt: T0 + seq * 100,
    sentAt: T0 + seq * 100 + 1,
    respondedAt: T0 + seq * 100 + 40,
    status,
    ...(paymentId ? { paymentId } : {}),
    requestBytes: 2000,
  };
}

function record(
  paymentId: string,
  status: PaymentRecord['status'],
  acceptedMs: number,
  terminalMs?: number,
  code?: string,
): PaymentRecord {
  return {
    paymentId,
    status,
    createdAt: iso(acceptedMs - 5),
    acceptedAt: iso(acceptedMs),
    ...(status === 'SETTLED' && terminalMs !== undefined ? { settledAt: iso(terminalMs) } : {}),
    ...(status === 'REJECTED' && terminalMs !== undefined
      ? { rejectedAt: iso(terminalMs), rejectionCode: code }
      : {}),
  };
}

describe('bench measures', () => {
  const sends = [
    send(0, 'normal', 202, 'a'),
    send(1, 'nsf', 202, 'b'),
    send(2, 'invalid', 400),
    send(3, 'normal', 500),
    send(4, 'hot', 202, 'c'),
    send(5, 'normal', 202, 'd'),
  ];
  const records = new Map<string, PaymentRecord>([
    ['a', record('a', 'SETTLED', 20, 60)],
    ['b', record('b', 'REJECTED', 120, 170, 'AM04')],
    ['c', record('c', 'ACCEPTED', 420)],
  ]);
  const commits = new Map([
    ['a', { at: T0 + 75, status: 'SETTLED' }],
    ['b', { at: T0 + 190, status: 'REJECTED' }],
  ]);
  const { measures, timelines } = measure({ sends, records, commits, sloSeconds: 10, slaSeconds: 15 });

  it('accounts for every answer and every accepted payment', () => {
    expect(measures.offered.payments).toBe(6);
    expect(measures.responses).toEqual({ '202': 4, '400': 1, '500': 1 });
    expect(measures.accepted).toBe(4);
    expect(measures.deliberateRefusals).toBe(1);
    expect(measures.errors.count).toBe(1);
    expect(measures.outcomes).toMatchObject({
      settled: 1,
      rejected: 1,
      rejectedByReason: { AM04: 1 },
      unexpected: 0,
    });
    expect(measures.nonTerminal).toBe(1);
    expect(measures.missing).toBe(1);
    expect(timelines).toHaveLength(6);
  });

  it('splits the time: accept, queue wait, settle and end to end from the commit', () => {
    const a = timelines.find((t) => t.paymentId === 'a');
    expect(a).toMatchObject({
      acceptMs: 40,
      queueWaitMs: 40,
      settleMs: 15,
      e2eMs: 55,
      e2eRecordMs: 40,
      partnerMs: 75,
    });
    expect(measures.endToEndSource).toBe('commit');
    expect(measures.latencyMs.endToEnd).toMatchObject({ count: 2, p50: 55, max: 70 });
  });
});

describe('bench measures: admission control', () => {
  it('counts 503 / 429 refusals of admission control as shed at intake, not as errors', () => {
    const sends: SendRecord[] = [
      send(0, 'normal', 202),
      { ...send(1, 'normal', 503), shed: 'OVERLOADED' },
      { ...send(2, 'hot', 429), shed: 'PARTNER_SHARE_EXCEEDED' },
      { ...send(3, 'nsf', 503), shed: 'OVERLOADED' },
      send(4, 'normal', 503), // a 503 that is not admission control's: an error
    ];
    const { measures } = measure({ sends, records: new Map(), sloSeconds: 10, slaSeconds: 15 });
    expect(measures.shedAtIntake).toEqual({ count: 3, byCode: { OVERLOADED: 2, PARTNER_SHARE_EXCEEDED: 1 } });
    expect(measures.errors.count).toBe(1);
    expect(measures.accepted).toBe(0);
  });

  it('reads the shed code from the JSON error or the pacs.002 RJCT text', () => {
    expect(shedCode(503, '{"error":{"status":503,"code":"OVERLOADED","message":"..."}}')).toBe('OVERLOADED');
    expect(shedCode(429, '<AddtlInf>PARTNER_SHARE_EXCEEDED: under load ...</AddtlInf>')).toBe(
      'PARTNER_SHARE_EXCEEDED',
    );
    expect(shedCode(503, '{"error":{"code":"TEMPORARILY_UNAVAILABLE"}}')).toBeUndefined();
    expect(shedCode(429, '{"error":{"code":"THROTTLED"}}')).toBeUndefined();
    expect(shedCode(400, 'OVERLOADED')).toBeUndefined();
  });
});

describe('Retry-After of a shed answer', () => {
  it('reads delay-seconds and nothing else', () => {
    expect(retryAfterSeconds('3')).toBe(3);
    expect(retryAfterSeconds(['12'])).toBe(12);
    expect(retryAfterSeconds(undefined)).toBeUndefined();
    expect(retryAfterSeconds('')).toBeUndefined();
    expect(retryAfterSeconds('Wed, 21 Oct 2015 07:28:00 GMT')).toBeUndefined();
  });
});
