import fc from 'fast-check';
import type { Account } from './account';
import type { CurrencyCode } from './currency';
import { CONDITIONS_HELD, firstRefusal, LEDGER_RULES, type TransferRequest } from './ledger-rules';
import { holdsAccount, normalizeInstitutionId, parseLedgerAccountId } from './ownership';

const t: TransferRequest = {
  partnerId: 'bank-a',
  debtorAccount: '021000021:1',
  creditorAccount: '011000015:2',
  amountMinor: 500,
  currency: 'USD',
};

const account = (overrides: Partial<Account> = {}): Account => ({
  accountId: 'x',
  ownerPartnerId: 'bank-a',
  currency: 'USD' as CurrencyCode,
  status: 'OPEN',
  balanceMinor: 1_000,
  overdraftLimitMinor: 0,
  version: 0,
  ...overrides,
});

describe('ledger rules', () => {
  it('lets a transfer between healthy accounts through', () => {
    expect(firstRefusal(t, account(), account({ ownerPartnerId: 'bank-b' }))).toBeUndefined();
  });

  it('takes the first broken rule, in the listed order', () => {
    // Everything wrong at once: the self-transfer wins, then the debtor's ownership, ...
    const broken = account({ ownerPartnerId: 'bank-z', status: 'CLOSED', currency: 'EUR' as CurrencyCode });
    expect(firstRefusal({ ...t, creditorAccount: t.debtorAccount }, broken, broken)?.rule).toBe(
      'SAME_ACCOUNT',
    );
    expect(firstRefusal(t, broken, undefined)?.rule).toBe('DEBTOR_NOT_OWNED');
    expect(firstRefusal(t, account({ status: 'CLOSED', balanceMinor: 0 }), undefined)?.rule).toBe(
      'DEBTOR_CLOSED',
    );
    expect(firstRefusal(t, account({ balanceMinor: 0 }), undefined)?.rule).toBe('CREDITOR_UNKNOWN');
    expect(firstRefusal(t, account({ balanceMinor: 0 }), account())?.rule).toBe('INSUFFICIENT_FUNDS');
  });

  it('answers a foreign or absent debtor account the same, whatever its state (no oracle)', () => {
    const states = [
      undefined,
      account({ ownerPartnerId: 'bank-b' }),
      account({ ownerPartnerId: 'bank-b', status: 'CLOSED' }),
      account({ ownerPartnerId: 'bank-b', status: 'BLOCKED' }),
      account({ ownerPartnerId: 'bank-b', balanceMinor: 0 }),
    ];
    const answers = states.map((s) => firstRefusal(t, s, account()));
    for (const answer of answers)
      expect(answer).toEqual({ rule: 'DEBTOR_NOT_OWNED', code: 'AC02', message: 'unknown debtor account' });
  });

  it('details a creditor refusal only to the creditor account’s owner', () => {
    const own = firstRefusal(t, account(), account({ status: 'CLOSED' }));
    expect(own).toMatchObject({ code: 'AC04' });
    const foreign = [
      undefined,
      account({ ownerPartnerId: 'bank-b', status: 'CLOSED' }),
      account({ ownerPartnerId: 'bank-b', status: 'BLOCKED' }),
      account({ ownerPartnerId: 'bank-b', currency: 'EUR' as CurrencyCode }),
    ].map((c) => firstRefusal(t, account(), c));
    for (const answer of foreign) {
      expect(answer?.code).toBe('AC03');
      expect(answer?.message).toBe('the creditor account cannot receive this payment');
    }
  });

  it('skips the rules of a side whose ledger condition held', () => {
    expect(firstRefusal(t, CONDITIONS_HELD, CONDITIONS_HELD)).toBeUndefined();
    expect(firstRefusal(t, account({ balanceMinor: 0 }), CONDITIONS_HELD)?.rule).toBe('INSUFFICIENT_FUNDS');
    expect(firstRefusal(t, CONDITIONS_HELD, undefined)?.rule).toBe('CREDITOR_UNKNOWN');
  });

  it('is deterministic and total: any accounts give one answer, and only known rules', () => {
    const anAccount = fc.option(
      fc.record({
        ownerPartnerId: fc.constantFrom('bank-a', 'bank-b'),
        status: fc.constantFrom('OPEN', 'BLOCKED', 'CLOSED' as const),
        currency: fc.constantFrom('USD', 'EUR'),
        balanceMinor: fc.integer({ min: -1_000, max: 2_000 }),
        overdraftLimitMinor: fc.integer({ min: 0, max: 500 }),
      }),
      { nil: undefined },
    );
    const ids = new Set(LEDGER_RULES.map((r) => r.id));
    fc.assert(
      fc.property(anAccount, anAccount, fc.integer({ min: 1, max: 3_000 }), (d, c, amountMinor) => {
        const debtor = d && account(d as Partial<Account>);
        const creditor = c && account(c as Partial<Account>);
        const request = { ...t, amountMinor };
        const first = firstRefusal(request, debtor, creditor);
        expect(firstRefusal(request, debtor, creditor)).toEqual(first);
        if (first) expect(ids.has(first.rule)).toBe(true);
        // Money may move only out of an account the instructing partner owns.
        if (!first) expect(debtor?.ownerPartnerId).toBe(t.partnerId);
      }),
      { seed: 7, numRuns: 500 },
    );
  });
});

describe('ownership', () => {
  it('parses <institution>:<account> and refuses ids with no institution part', () => {
    expect(parseLedgerAccountId('021000021:1000001')).toEqual({
      institution: '021000021',
      account: '1000001',
    });
    expect(parseLedgerAccountId('DEMOUS33XXX:tel:+15555550100')).toEqual({
      institution: 'DEMOUS33',
      account: 'tel:+15555550100',
    });
    for (const bad of ['usd', ':', '021000021:', ':123', '12345:1', 'ACC-DEBTOR']) {
      expect(parseLedgerAccountId(bad)).toBeUndefined();
    }
  });

  it('holds an account at one of the partner’s institution ids only', () => {
    const partner = { agentIds: ['021000021', 'DEMOUS33XXX'] };
    expect(holdsAccount(partner, '021000021:1')).toBe(true);
    expect(holdsAccount(partner, 'demous33:1')).toBe(true);
    expect(holdsAccount(partner, '011000015:1')).toBe(false);
    expect(holdsAccount(partner, 'PROBE:release-submit-debtor')).toBe(false);
    expect(holdsAccount({ agentIds: ['PROBE'] }, 'PROBE:release-submit-debtor')).toBe(true);
    expect(normalizeInstitutionId(' bofaus3nxxx ')).toBe('BOFAUS3N');
  });
});
