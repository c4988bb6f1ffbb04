import fc from 'fast-check';
import {
  accountInvariantHolds,
  applyFold,
  availableMinor,
  creditModeOf,
  foldSeqOf,
  unfoldedMinor,
  type Account,
  type JournalEntry,
} from './account';
import type { CurrencyCode } from './currency';

const USD = 'USD' as CurrencyCode;
const account = (overrides: Partial<Account> = {}): Account => ({
  accountId: 'm',
  ownerPartnerId: 'bank-m',
  currency: USD,
  status: 'OPEN',
  balanceMinor: 0,
  overdraftLimitMinor: 0,
  version: 0,
  ...overrides,
});
const credit = (paymentId: string, amountMinor: number, accountId = 'm'): JournalEntry => ({
  accountId,
  paymentId,
  amountMinor,
  currency: USD,
  counterpartyAccountId: `d-${paymentId}`,
  postedAt: '2026-12-06T12:00:00.000Z',
});

describe('account credit mode and balances', () => {
  it('is DIRECT and at fold 0 unless told otherwise', () => {
    expect(creditModeOf(account())).toBe('DIRECT');
    expect(creditModeOf(account({ creditMode: 'INBOUND' }))).toBe('INBOUND');
    expect(foldSeqOf(account())).toBe(0);
  });

  it('folds credits into the balance once, advancing foldSeq and version', () => {
    const folded = applyFold(account({ balanceMinor: 10, foldSeq: 3, version: 7 }), [
      credit('p1', 5),
      credit('p2', 6),
    ]);
    expect(folded).toMatchObject({ balanceMinor: 21, foldSeq: 4, version: 8 });
  });

  it('refuses a fold naming a payment twice, another account, another currency or a non-credit', () => {
    const a = account();
    expect(() => applyFold(a, [credit('p1', 5), credit('p1', 5)])).toThrow('named twice');
    expect(() => applyFold(a, [credit('p1', 5, 'other')])).toThrow('not a credit of m');
    expect(() => applyFold(a, [{ ...credit('p1', 5), currency: 'EUR' as CurrencyCode }])).toThrow(
      'not a credit of m',
    );
    expect(() => applyFold(a, [credit('p1', -5)])).toThrow('positive integer');
    expect(() => applyFold(a, [credit('p1', 0.5)])).toThrow('positive integer');
  });

  it('keeps balance + unfolded = opening + journal through any folds, and never counts unfolded as available', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1_000, max: 1_000_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.array(fc.integer({ min: -5_000, max: 5_000 }), { maxLength: 10 }),
        fc.array(fc.integer({ min: 1, max: 5_000 }), { maxLength: 30 }),
        fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 30 }),
        (opening, overdraft, directLines, creditAmounts, chunkSizes) => {
          const credits = creditAmounts.map((a, i) => credit(`p${i}`, a));
          const direct = directLines.reduce((s, a) => s + a, 0);
          let acct = account({ balanceMinor: opening + direct, overdraftLimitMinor: overdraft });
          const folded = new Set<string>();
          const journal = [...directLines, ...creditAmounts];
          const check = () => {
            const states = credits.map((entry) => ({ entry, folded: folded.has(entry.paymentId) }));
            const u = unfoldedMinor(states);
            expect(
              accountInvariantHolds({
                openingMinor: opening,
                balanceMinor: acct.balanceMinor,
                unfoldedMinor: u,
                journalMinor: journal,
              }),
            ).toBe(true);
            // Available is the balance's, whatever is waiting to be folded.
            expect(availableMinor(acct)).toBe(acct.balanceMinor + overdraft);
          };
          check();
          let next = 0;
          for (const size of chunkSizes) {
            const chunk = credits.slice(next, next + size);
            next += chunk.length;
            if (chunk.length === 0) continue;
            const before = acct.foldSeq ?? 0;
            acct = applyFold(acct, chunk);
            expect(acct.foldSeq).toBe(before + 1);
            for (const c of chunk) folded.add(c.paymentId);
            check();
          }
          if (next === credits.length) {
            expect(acct.balanceMinor).toBe(opening + journal.reduce((s, a) => s + a, 0));
          }
        },
      ),
    );
  });

  it('detects a credit counted twice or lost', () => {
    const base = { openingMinor: 100, journalMinor: [-10, 25] };
    expect(accountInvariantHolds({ ...base, balanceMinor: 90, unfoldedMinor: 25 })).toBe(true);
    expect(accountInvariantHolds({ ...base, balanceMinor: 115, unfoldedMinor: 25 })).toBe(false);
    expect(accountInvariantHolds({ ...base, balanceMinor: 90, unfoldedMinor: 0 })).toBe(false);
  });
});
