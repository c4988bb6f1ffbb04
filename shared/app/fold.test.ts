import fc from 'fast-check';
import { accountInvariantHolds, availableMinor, unfoldedMinor } from '../domain/account';
import { TransientError } from '../domain/errors';
import { instruction, USD } from '../testing/builders';
import { FakeClock, FakeLedger, FakePaymentStore, FakeQueue } from '../testing/fakes';
import { foldCredits } from './fold';
import { settlePayment } from './settle';
import { submitPayment } from './submit';

const HOT = 'ACC-HOT';
const OPENING = 100;

function setup(debtors = 6) {
  const store = new FakePaymentStore();
  const queue = new FakeQueue();
  const clock = new FakeClock();
  const ledger = new FakeLedger(store);
  const base = { currency: USD, status: 'OPEN' as const, overdraftLimitMinor: 0 };
  ledger.open({
    ...base,
    accountId: HOT,
    ownerPartnerId: 'partner-a',
    balanceMinor: OPENING,
    creditMode: 'INBOUND',
  });
  for (let i = 0; i < debtors; i++) {
    ledger.open({ ...base, accountId: `ACC-D${i}`, ownerPartnerId: 'partner-a', balanceMinor: 1_000 });
  }
  ledger.open({ ...base, accountId: 'ACC-SINK', ownerPartnerId: 'partner-b', balanceMinor: 0 });
  const retry = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2 };
  const retryEnv = { sleep: async () => undefined, random: () => 0.5 };
  const settleDeps = { ledger, store, clock, retry, retryEnv, inboundCredits: true };
  const foldDeps = { folds: ledger, clock, retry, retryEnv };
  const pay = async (debtor: string, creditor: string, amountMinor: number) => {
    await submitPayment(
      instruction({
        debtorAccount: debtor,
        creditorAccount: creditor,
        amount: { amountMinor, currency: USD },
      }),
      { store, queue, clock, slaSeconds: 15 },
    );
    const m = queue.messages.at(-1);
    if (!m) throw new Error('nothing enqueued');
    return settlePayment(m, settleDeps);
  };
  /** The invariant per account and overall (conservation), and each entry marked at most once. */
  const check = async () => {
    let total = 0;
    let opening = 0;
    for (const account of ledger.accounts.values()) {
      const journal = await ledger.listEntries(account.accountId);
      const credits = ledger.credits
        .filter((c) => c.accountId === account.accountId)
        .map((entry) => ({ entry, folded: ledger.foldMarks.has(`${entry.accountId}#${entry.paymentId}`) }));
      const u = unfoldedMinor(credits);
      const open = account.accountId === HOT ? OPENING : account.accountId === 'ACC-SINK' ? 0 : 1_000;
      expect(
        accountInvariantHolds({
          openingMinor: open,
          balanceMinor: account.balanceMinor,
          unfoldedMinor: u,
          journalMinor: journal.map((e) => e.amountMinor),
        }),
      ).toBe(true);
      // No account ever spent money not yet folded.
      expect(availableMinor(account)).toBeGreaterThanOrEqual(0);
      total += account.balanceMinor + u;
      opening += open;
    }
    expect(total).toBe(opening);
    for (const key of ledger.foldMarks.keys()) {
      expect(ledger.credits.filter((c) => `${c.accountId}#${c.paymentId}` === key)).toHaveLength(1);
    }
  };
  return { ledger, store, clock, foldDeps, pay, check };
}

describe('foldCredits', () => {
  it('folds the unfolded entries of an INBOUND account into its balance, once', async () => {
    const s = setup();
    await s.pay('ACC-D0', HOT, 10);
    await s.pay('ACC-D1', HOT, 20);
    expect(s.ledger.accounts.get(HOT)?.balanceMinor).toBe(OPENING);
    await s.check();
    await expect(foldCredits(HOT, s.foldDeps)).resolves.toMatchObject({
      folded: 2,
      foldedMinor: 30,
      foldSeq: 1,
    });
    expect(s.ledger.accounts.get(HOT)).toMatchObject({ balanceMinor: OPENING + 30, foldSeq: 1 });
    await s.check();
    // A duplicate fold finds nothing and writes nothing.
    await expect(foldCredits(HOT, s.foldDeps)).resolves.toMatchObject({ folded: 0 });
    expect(s.ledger.foldCalls).toBe(1);
    expect(s.ledger.accounts.get(HOT)?.balanceMinor).toBe(OPENING + 30);
  });

  it('folds at most `limit` entries per call (and never more than one transaction holds)', async () => {
    const s = setup();
    for (let i = 0; i < 5; i++) await s.pay(`ACC-D${i}`, HOT, 1);
    await expect(foldCredits(HOT, s.foldDeps, 2)).resolves.toMatchObject({ folded: 2 });
    await expect(foldCredits(HOT, s.foldDeps, 1_000)).resolves.toMatchObject({ folded: 3 });
    await s.check();
  });

  it('a crash before the commit leaves nothing written; the next run folds', async () => {
    const s = setup();
    await s.pay('ACC-D0', HOT, 10);
    s.ledger.failNextFold.push({ error: new Error('crash'), afterCommit: false });
    await expect(foldCredits(HOT, s.foldDeps)).rejects.toThrow('crash');
    expect(s.ledger.accounts.get(HOT)?.balanceMinor).toBe(OPENING);
    await s.check();
    await expect(foldCredits(HOT, s.foldDeps)).resolves.toMatchObject({ folded: 1 });
    await s.check();
  });

  it('a crash after the commit (lost response): the retry finds the fold done and counts nothing twice', async () => {
    const s = setup();
    await s.pay('ACC-D0', HOT, 10);
    s.ledger.failNextFold.push({ error: new TransientError('response lost'), afterCommit: true });
    // The retry sees foldSeq moved (the fake has no request token), re-reads, finds nothing left.
    await expect(foldCredits(HOT, s.foldDeps)).resolves.toMatchObject({ folded: 0, lostRounds: 1 });
    expect(s.ledger.accounts.get(HOT)).toMatchObject({ balanceMinor: OPENING + 10, foldSeq: 1 });
    await s.check();
  });

  it('refuses a stale fold (foldSeq moved) and a fold of an entry already marked', async () => {
    const s = setup();
    await s.pay('ACC-D0', HOT, 10);
    const stale = { ...(await s.ledger.getAccount(HOT))! };
    const credits = await s.ledger.unfoldedCredits(HOT, 10);
    await expect(s.ledger.commitFold(stale, credits, 'now')).resolves.toMatchObject({ kind: 'folded' });
    await expect(s.ledger.commitFold(stale, credits, 'now')).resolves.toEqual({ kind: 'seq-moved' });
    const fresh = { ...(await s.ledger.getAccount(HOT))! };
    await expect(s.ledger.commitFold(fresh, credits, 'now')).resolves.toMatchObject({
      kind: 'already-folded',
    });
    expect(s.ledger.accounts.get(HOT)?.balanceMinor).toBe(OPENING + 10);
  });

  it('two concurrent folders: one folds, the other retries and finds nothing', async () => {
    const s = setup();
    for (let i = 0; i < 4; i++) await s.pay(`ACC-D${i}`, HOT, 5);
    const [a, b] = await Promise.all([foldCredits(HOT, s.foldDeps), foldCredits(HOT, s.foldDeps)]);
    expect(a.folded + b.folded).toBe(4);
    // Both read foldSeq 0: the second one's transaction found it moved, re-read, found nothing.
    expect([a.lostRounds, b.lostRounds].sort()).toEqual([0, 1]);
    expect(s.ledger.accounts.get(HOT)?.balanceMinor).toBe(OPENING + 20);
    await s.check();
  });

  it('never lets the account spend unfolded credits: a debit beyond the folded balance is AM04', async () => {
    const s = setup();
    await s.pay('ACC-D0', HOT, 500);
    await expect(s.pay(HOT, 'ACC-SINK', OPENING + 1)).resolves.toMatchObject({ reasonCode: 'AM04' });
    await foldCredits(HOT, s.foldDeps);
    await expect(s.pay(HOT, 'ACC-SINK', OPENING + 1)).resolves.toMatchObject({ status: 'SETTLED' });
    await s.check();
  });

  it('keeps every invariant over any interleaving of credits, debits, folds, crashes and duplicate folders', async () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('credit' as const),
        debtor: fc.nat(5),
        amount: fc.integer({ min: 1, max: 300 }),
      }),
      fc.record({ kind: fc.constant('debit' as const), amount: fc.integer({ min: 1, max: 400 }) }),
      fc.record({ kind: fc.constant('fold' as const), limit: fc.integer({ min: 1, max: 4 }) }),
      fc.record({ kind: fc.constant('crash' as const), afterCommit: fc.boolean() }),
      fc.record({ kind: fc.constant('twoFolders' as const) }),
      fc.record({ kind: fc.constant('foldWhileDebit' as const), amount: fc.integer({ min: 1, max: 400 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 25 }), async (ops) => {
        const s = setup();
        for (const o of ops) {
          if (o.kind === 'credit') await s.pay(`ACC-D${o.debtor}`, HOT, o.amount);
          if (o.kind === 'debit') await s.pay(HOT, 'ACC-SINK', o.amount);
          if (o.kind === 'fold') await foldCredits(HOT, s.foldDeps, o.limit);
          if (o.kind === 'crash') {
            s.ledger.failNextFold.push({ error: new Error('crash'), afterCommit: o.afterCommit });
            await foldCredits(HOT, s.foldDeps).catch(() => undefined);
            s.ledger.failNextFold.length = 0; // unused when there was nothing to fold
          }
          if (o.kind === 'twoFolders')
            await Promise.all([foldCredits(HOT, s.foldDeps, 2), foldCredits(HOT, s.foldDeps, 3)]);
          if (o.kind === 'foldWhileDebit')
            await Promise.all([foldCredits(HOT, s.foldDeps), s.pay(HOT, 'ACC-SINK', o.amount)]);
          await s.check();
        }
        // Drain: after the folds, no credit is left unfolded and balance = opening + journal.
        while ((await foldCredits(HOT, s.foldDeps)).folded > 0);
        expect(await s.ledger.unfoldedCredits(HOT, 1_000)).toEqual([]);
        const journal = (await s.ledger.listEntries(HOT)).reduce((sum, e) => sum + e.amountMinor, 0);
        expect(s.ledger.accounts.get(HOT)?.balanceMinor).toBe(OPENING + journal);
        expect(s.ledger.foldMarks.size).toBe(s.ledger.credits.length);
        await s.check();
      }),
      { numRuns: 150 },
    );
  });
});
