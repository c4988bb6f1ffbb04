import type { SendRecord } from './load';
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
