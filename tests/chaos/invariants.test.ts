/**
 * The chaos checker is only worth its invariants: each one must fire on the corruption it is about.
 * Pure (synthetic snapshots), no stand-ins needed.
 */
import {
  checkInvariants,
  timeoutViolations,
  type Expectations,
  type FaultTouch,
  type PaymentState,
  type Snapshot,
  type TimeoutEvidence,
} from './invariants';

const at = (second: number): string => new Date(Date.UTC(2026, 0, 1, 12, 0, second)).toISOString();

/** Two accounts, one settled payment (d -> c, 300), one rejected, a poison message in the DLQ. */
function world(): { snapshot: Snapshot; expectations: Expectations } {
  const snapshot: Snapshot = {
    accounts: new Map([
      ['d', { ownerPartnerId: 'bank', balanceMinor: 700, availableMinor: 800, overdraftLimitMinor: 100 }],
      ['c', { ownerPartnerId: 'bank', balanceMinor: 300, availableMinor: 300, overdraftLimitMinor: 0 }],
    ]),
    entries: [
      { accountId: 'd', paymentId: 'p1', amountMinor: -300, counterpartyAccountId: 'c', postedAt: at(2) },
      { accountId: 'c', paymentId: 'p1', amountMinor: 300, counterpartyAccountId: 'd', postedAt: at(2) },
    ],
    payments: new Map([
      [
        'p1',
        {
          paymentId: 'p1',
          partnerId: 'bank',
          status: 'SETTLED',
          endToEndId: 'e1',
          debtorAccount: 'd',
          creditorAccount: 'c',
          amountMinor: 300,
          createdAt: at(1),
          settledAt: at(2),
          flagged: false,
        },
      ],
      [
        'p2',
        {
          paymentId: 'p2',
          partnerId: 'bank',
          status: 'REJECTED',
          endToEndId: 'e2',
          debtorAccount: 'd',
          creditorAccount: 'c',
          amountMinor: 5_000,
          createdAt: at(3),
          rejectionCode: 'AM04',
          flagged: false,
        },
      ],
    ]),
    terminalEvents: new Map([
      ['p1', ['SETTLED']],
      ['p2', ['REJECTED']],
    ]),
    dlq: [{ body: 'garbage' }],
  };
  const expectations: Expectations = {
    opening: new Map([
      ['d', { balanceMinor: 1_000, overdraftLimitMinor: 100 }],
      ['c', { balanceMinor: 0 }],
    ]),
    accepted: new Set(['p1', 'p2']),
    poison: ['garbage'],
  };
  return { snapshot, expectations };
}

function settledPayment(id: string, createdSecond: number, settledSecond: number) {
  return {
    paymentId: id,
    partnerId: 'bank',
    status: 'SETTLED',
    endToEndId: `e-${id}`,
    debtorAccount: 'd',
    creditorAccount: 'c',
    amountMinor: 100,
    createdAt: at(createdSecond),
    settledAt: at(settledSecond),
    flagged: false,
  };
}

describe('chaos invariants checker', () => {
  it('accepts a consistent world', () => {
    const { snapshot, expectations } = world();
    expect(checkInvariants(snapshot, expectations)).toEqual([]);
  });

  it('catches a debit that the account owner did not instruct', () => {
    const { snapshot, expectations } = world();
    snapshot.accounts.set('d', {
      ownerPartnerId: 'other-bank',
      balanceMinor: 700,
      availableMinor: 800,
      overdraftLimitMinor: 100,
    });
    expect(checkInvariants(snapshot, expectations)).toEqual([
      expect.stringContaining('account d (owner other-bank) debited by payment p1, instructed by bank'),
    ]);
  });

  it('catches money created out of nothing', () => {
    const { snapshot, expectations } = world();
    snapshot.accounts.set('c', {
      ownerPartnerId: 'bank',
      balanceMinor: 301,
      availableMinor: 301,
      overdraftLimitMinor: 0,
    });
    expect(checkInvariants(snapshot, expectations)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('money not conserved'),
        expect.stringContaining('account c: balance 301'),
      ]),
    );
  });

  it('catches a balance below its overdraft limit', () => {
    const { snapshot, expectations } = world();
    snapshot.accounts.set('d', {
      ownerPartnerId: 'bank',
      balanceMinor: -101,
      availableMinor: -1,
      overdraftLimitMinor: 100,
    });
    snapshot.accounts.set('c', {
      ownerPartnerId: 'bank',
      balanceMinor: 1_101,
      availableMinor: 1_101,
      overdraftLimitMinor: 0,
    });
    expect(checkInvariants(snapshot, expectations)).toEqual(
      expect.arrayContaining([expect.stringContaining('below its overdraft limit')]),
    );
  });

  it('catches a payment settled twice (balances and journal moved twice, consistently)', () => {
    const { snapshot, expectations } = world();
    snapshot.accounts.set('d', {
      ownerPartnerId: 'bank',
      balanceMinor: 400,
      availableMinor: 500,
      overdraftLimitMinor: 100,
    });
    snapshot.accounts.set('c', {
      ownerPartnerId: 'bank',
      balanceMinor: 600,
      availableMinor: 600,
      overdraftLimitMinor: 0,
    });
    snapshot.entries.push(
      { accountId: 'd', paymentId: 'p1', amountMinor: -300, counterpartyAccountId: 'c', postedAt: at(5) },
      { accountId: 'c', paymentId: 'p1', amountMinor: 300, counterpartyAccountId: 'd', postedAt: at(5) },
    );
    expect(checkInvariants(snapshot, expectations)).toEqual(
      expect.arrayContaining([expect.stringContaining('SETTLED payment p1 (300) has journal lines')]),
    );
  });

  it('catches money moved for a payment that is not SETTLED', () => {
    const { snapshot, expectations } = world();
    snapshot.payments.set('p1', {
      ...settledPayment('p1', 1, 2),
      amountMinor: 300,
      endToEndId: 'e1',
      status: 'REJECTED',
      rejectionCode: 'AC04',
    });
    snapshot.terminalEvents.set('p1', ['REJECTED']);
    expect(checkInvariants(snapshot, expectations)).toEqual([
      expect.stringContaining('payment p1 is REJECTED but has 2 journal line(s)'),
    ]);
  });

  it('catches a payment with two terminal events (settled and rejected)', () => {
    const { snapshot, expectations } = world();
    snapshot.terminalEvents.set('p1', ['SETTLED', 'REJECTED']);
    expect(checkInvariants(snapshot, expectations)).toEqual(
      expect.arrayContaining([expect.stringContaining('2 terminal events')]),
    );
  });

  it('catches an accepted payment left open without its message in the DLQ, and a lost poison message', () => {
    const { snapshot, expectations } = world();
    snapshot.payments.set('p2', { ...settledPayment('p2', 3, 3), endToEndId: 'e2', status: 'ACCEPTED' });
    snapshot.terminalEvents.delete('p2');
    snapshot.dlq.length = 0;
    expect(checkInvariants(snapshot, expectations)).toEqual([
      expect.stringContaining(
        'accepted payment p2 is ACCEPTED: not terminal and its message is not in the DLQ',
      ),
      expect.stringContaining('poison message not in the DLQ'),
    ]);
    snapshot.dlq.push({ body: 'garbage' }, { body: '{}', paymentId: 'p2' });
    expect(checkInvariants(snapshot, expectations)).toEqual([]);
  });

  it('catches one EndToEndId recorded as two payments', () => {
    const { snapshot, expectations } = world();
    snapshot.payments.set('p2', { ...snapshot.payments.get('p2')!, endToEndId: 'e1' });
    expect(checkInvariants(snapshot, expectations)).toEqual([
      expect.stringContaining('EndToEndId e1 recorded as 2 payments'),
    ]);
  });

  it("catches a debtor's payments settled out of submission order (DLQ'd ones excepted)", () => {
    const { snapshot, expectations } = world();
    snapshot.payments.set('p3', settledPayment('p3', 4, 9));
    snapshot.payments.set('p4', settledPayment('p4', 5, 8));
    for (const [id, second] of [
      ['p3', 9],
      ['p4', 8],
    ] as const) {
      snapshot.terminalEvents.set(id, ['SETTLED']);
      snapshot.entries.push(
        {
          accountId: 'd',
          paymentId: id,
          amountMinor: -100,
          counterpartyAccountId: 'c',
          postedAt: at(second),
        },
        { accountId: 'c', paymentId: id, amountMinor: 100, counterpartyAccountId: 'd', postedAt: at(second) },
      );
    }
    snapshot.accounts.set('d', {
      ownerPartnerId: 'bank',
      balanceMinor: 500,
      availableMinor: 600,
      overdraftLimitMinor: 100,
    });
    snapshot.accounts.set('c', {
      ownerPartnerId: 'bank',
      balanceMinor: 500,
      availableMinor: 500,
      overdraftLimitMinor: 0,
    });
    expect(checkInvariants(snapshot, expectations)).toEqual([
      expect.stringContaining('debtor d: p4 (created'),
    ]);
    snapshot.dlq.push({ body: '{}', paymentId: 'p3' });
    expect(checkInvariants(snapshot, expectations)).toEqual([]);
  });
});

describe('timeout invariant: AB05/AB06 only where a fault made the deadline impossible', () => {
  const SLA_MS = 30_000;
  const ms = (second: number): number => Date.parse(at(second));

  /** p9 (debtor d) created at 0 s with a 30 s deadline, rejected AB06 at 31 s; p8 ahead of it in d's group. */
  function timedOutWorld(code = 'AB06'): Snapshot {
    const payment = (id: string, createdSecond: number): PaymentState => ({
      ...settledPayment(id, createdSecond, createdSecond),
      deadline: new Date(ms(createdSecond) + SLA_MS).toISOString(),
    });
    const { settledAt: _settled, ...open } = payment('p9', 1);
    return {
      accounts: new Map(),
      entries: [],
      payments: new Map([
        ['p8', payment('p8', 0)],
        ['p9', { ...open, status: 'REJECTED', rejectionCode: code, rejectedAt: at(32) }],
      ]),
      terminalEvents: new Map(),
      dlq: [],
    };
  }

  function evidence(overrides: Partial<TimeoutEvidence> = {}): TimeoutEvidence {
    return {
      clockJumps: [],
      faults: new Map(),
      poisonGroups: new Map(),
      groupOf: (payment) => `group-${payment.debtorAccount}`,
      settleFloorMs: 4_300,
      maxReceiveCount: 4,
      ...overrides,
    };
  }

  const fault = (paymentId: string, kind: string, delayMs: number): FaultTouch => ({
    paymentId,
    kind,
    site: 'settle.tx',
    delayMs,
  });

  it('a payment timed out with no fault at all is a violation naming it, its deadline and its faults', () => {
    for (const code of ['AB05', 'AB06']) {
      const found = timeoutViolations(timedOutWorld(code), evidence());
      expect(found.map((v) => v.paymentId)).toEqual(['p9']);
      expect(found[0]?.message).toContain(`payment p9 (debtor d) timed out ${code}`);
      expect(found[0]?.message).toContain(
        'created 12:00:01.000, deadline 12:00:31.000, rejected 12:00:32.000',
      );
      expect(found[0]?.message).toContain('faults on it and ahead of it in group group-d: none');
    }
  });

  it('a clock jump over its deadline excuses it; a jump that ends before the deadline does not', () => {
    expect(
      timeoutViolations(timedOutWorld(), evidence({ clockJumps: [{ fromMs: ms(10), byMs: 31_000 }] })),
    ).toEqual([]);
    const short = timeoutViolations(
      timedOutWorld(),
      evidence({ clockJumps: [{ fromMs: ms(10), byMs: 5_000 }] }),
    );
    expect(short.map((v) => v.message)).toEqual([
      expect.stringContaining('clock jumps inside its window (5000 ms)'),
    ]);
    // A jump before the payment was created, or after its deadline, took nothing from it.
    const outside = [
      { fromMs: ms(-40), byMs: 31_000 },
      { fromMs: ms(40), byMs: 31_000 },
    ];
    expect(timeoutViolations(timedOutWorld(), evidence({ clockJumps: outside }))).toHaveLength(1);
  });

  it('survivable faults do not excuse it; faults (its own or ahead in its group) past its budget do', () => {
    const survivable = new Map([['p9', [fault('p9', 'hang', 4_000), fault('p9', 'throttle', 6_000)]]]);
    const found = timeoutViolations(timedOutWorld(), evidence({ faults: survivable }));
    expect(found.map((v) => v.message)).toEqual([
      expect.stringContaining(
        'hang@settle.tx on p9 (<= 4000 ms), throttle@settle.tx on p9 (<= 6000 ms): <= 10000 ms in all, leaving 20000 ms',
      ),
    ]);
    // The same faults on the payment ahead of it in its group: it waited behind them (FIFO), enough to
    // leave less than a settlement needs.
    const ahead = new Map([
      ['p8', [fault('p8', 'hang', 4_000), fault('p8', 'slow', 5_500), fault('p8', 'crash-before', 4_000)]],
      ['p9', [fault('p9', 'hang', 4_000), fault('p9', 'crash-after', 4_000), fault('p9', 'throttle', 6_000)]],
    ]);
    expect(timeoutViolations(timedOutWorld(), evidence({ faults: ahead }))).toEqual([]);
    // Faults ahead in ANOTHER group are no excuse.
    const otherGroup = evidence({
      faults: ahead,
      groupOf: (p) => (p.paymentId === 'p8' ? 'group-x' : 'group-d'),
    });
    expect(timeoutViolations(timedOutWorld(), otherGroup)).toHaveLength(1);
  });

  it('in the DLQ: excused only when faults account for every failed receive (poison ahead: all of them)', () => {
    const world = { ...timedOutWorld('AB05'), dlq: [{ body: '{}', paymentId: 'p9' }] };
    const cheap = (n: number) =>
      evidence({
        faults: new Map([['p9', Array.from({ length: n }, () => fault('p9', 'lost-response', 400))]]),
      });
    expect(timeoutViolations(world, cheap(2)).map((v) => v.message)).toEqual([
      expect.stringContaining('its message in the DLQ'),
    ]);
    expect(timeoutViolations(world, cheap(2))[0]?.message).toContain(
      'in the DLQ with faults for at most 2 of the 4 failed receives',
    );
    expect(timeoutViolations(world, cheap(4))).toEqual([]);
    expect(timeoutViolations(world, evidence({ poisonGroups: new Map([['group-d', 1_000]]) }))).toEqual([]);
  });

  it('poison ahead in its group counts with the time it holds the group', () => {
    const poison = (holdMs: number) => evidence({ poisonGroups: new Map([['group-d', holdMs]]) });
    expect(timeoutViolations(timedOutWorld(), poison(16_000))[0]?.message).toContain(
      'poison ahead in the group (<= 16000 ms)',
    );
    expect(timeoutViolations(timedOutWorld(), poison(26_000))).toEqual([]);
  });

  it('a payment created with a deadline already near (less than a settlement needs) is excused', () => {
    const world = timedOutWorld();
    const p9 = world.payments.get('p9')!;
    world.payments.set('p9', { ...p9, deadline: new Date(ms(1) + 3_000).toISOString() });
    expect(timeoutViolations(world, evidence())).toEqual([]);
  });

  it('only time-outs are judged: settled payments and other rejections are not', () => {
    const world = timedOutWorld('AM04');
    expect(timeoutViolations(world, evidence())).toEqual([]);
    const { snapshot } = (() => {
      const w = timedOutWorld();
      w.payments.delete('p9');
      return { snapshot: w };
    })();
    expect(timeoutViolations(snapshot, evidence())).toEqual([]);
  });
});
