/**
 * The chaos checker is only worth its invariants: each one must fire on the corruption it is about.
 * Pure (synthetic snapshots), no stand-ins needed.
 */
import { checkInvariants, type Expectations, type Snapshot } from './invariants';

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
