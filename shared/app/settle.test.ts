import fc from 'fast-check';
import { FakeClock, FakeLedger, FakePaymentStore, FakeQueue } from '../testing/fakes';
import { instruction, USD } from '../testing/builders';
import { InternalError, TransientError } from '../domain/errors';
import { settleRetryPolicy } from '../domain/retry';
import { settlePayment } from './settle';
import type { Ledger } from '../domain/ports';
import { submitPayment } from './submit';

function setup() {
  const store = new FakePaymentStore();
  const queue = new FakeQueue();
  const clock = new FakeClock();
  const ledger = new FakeLedger(store);
  const retryEnv = { sleep: async () => undefined, random: () => 0.5 };
  const settleDeps = {
    ledger,
    store,
    clock,
    retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2 },
    retryEnv,
  };
  const submitDeps = { store, queue, clock, slaSeconds: 15 };
  ledger.open({
    accountId: 'ACC-DEBTOR',
    ownerPartnerId: 'partner-a',
    currency: USD,
    status: 'OPEN',
    balanceMinor: 5000,
    overdraftLimitMinor: 0,
  });
  ledger.open({
    accountId: 'ACC-CREDITOR',
    ownerPartnerId: 'partner-b',
    currency: USD,
    status: 'OPEN',
    balanceMinor: 0,
    overdraftLimitMinor: 0,
  });
  return { store, queue, clock, ledger, settleDeps, submitDeps };
}

async function submitted(s: ReturnType<typeof setup>, overrides = {}) {
  await submitPayment(instruction(overrides), s.submitDeps);
  const message = s.queue.messages.at(-1);
  if (!message) throw new Error('nothing enqueued');
  return message;
}

describe('settlePayment', () => {
  it('moves the money once and marks the payment SETTLED', async () => {
    const s = setup();
    const m = await submitted(s);
    await expect(settlePayment(m, s.settleDeps)).resolves.toEqual({
      paymentId: m.paymentId,
      status: 'SETTLED',
      replay: false,
    });
    expect(s.ledger.accounts.get('ACC-DEBTOR')?.balanceMinor).toBe(4000);
    expect(s.ledger.accounts.get('ACC-CREDITOR')?.balanceMinor).toBe(1000);
  });

  it('is idempotent: a redelivered message reports the outcome without moving money again', async () => {
    const s = setup();
    const m = await submitted(s);
    await settlePayment(m, s.settleDeps);
    await expect(settlePayment(m, s.settleDeps)).resolves.toMatchObject({ status: 'SETTLED', replay: true });
    expect(s.ledger.accounts.get('ACC-DEBTOR')?.balanceMinor).toBe(4000);
    expect(s.ledger.entries).toHaveLength(2);
  });

  it('rejects insufficient funds as AM04, terminal, balances untouched', async () => {
    const s = setup();
    const m = await submitted(s, { amount: { amountMinor: 999_999, currency: USD } });
    await expect(settlePayment(m, s.settleDeps)).resolves.toMatchObject({
      status: 'REJECTED',
      reasonCode: 'AM04',
    });
    expect((await s.store.get(m.paymentId))?.rejection?.code).toBe('AM04');
    expect(s.ledger.accounts.get('ACC-DEBTOR')?.balanceMinor).toBe(5000);
    await expect(settlePayment(m, s.settleDeps)).resolves.toMatchObject({
      status: 'REJECTED',
      reasonCode: 'AM04',
      replay: true,
    });
  });

  it.each([
    ['CLOSED', 'partner-a', 'AC04'],
    ['BLOCKED', 'partner-a', 'AC06'],
    // Another institution's account: one uniform AC03 that tells nothing of its state.
    ['CLOSED', 'b', 'AC03'],
    ['BLOCKED', 'b', 'AC03'],
  ] as const)('rejects a %s creditor account owned by %s as %s', async (status, owner, code) => {
    const s = setup();
    s.ledger.open({
      accountId: 'ACC-X',
      ownerPartnerId: owner,
      currency: USD,
      status,
      balanceMinor: 0,
      overdraftLimitMinor: 0,
    });
    const m = await submitted(s, { creditorAccount: 'ACC-X' });
    await expect(settlePayment(m, s.settleDeps)).resolves.toMatchObject({
      status: 'REJECTED',
      reasonCode: code,
    });
  });

  it('rejects an unknown creditor account as AC03', async () => {
    const s = setup();
    const m = await submitted(s, { creditorAccount: 'NOPE' });
    await expect(settlePayment(m, s.settleDeps)).resolves.toMatchObject({
      status: 'REJECTED',
      reasonCode: 'AC03',
    });
  });

  it('rejects a payment past its deadline with AB06 instead of settling late', async () => {
    const s = setup();
    const m = await submitted(s);
    s.clock.advance(15_001);
    await expect(settlePayment(m, s.settleDeps)).resolves.toMatchObject({
      status: 'REJECTED',
      reasonCode: 'AB06',
    });
    expect(s.ledger.accounts.get('ACC-DEBTOR')?.balanceMinor).toBe(5000);
  });

  it('retries transient failures and then settles', async () => {
    const s = setup();
    const m = await submitted(s);
    s.ledger.failNext.push(new TransientError('TransactionConflict'), new TransientError('Throttling'));
    await expect(settlePayment(m, s.settleDeps)).resolves.toMatchObject({ status: 'SETTLED' });
    expect(s.ledger.settleCalls).toBe(3);
  });

  it('surfaces persistent transient failures so the queue redelivers', async () => {
    const s = setup();
    const m = await submitted(s);
    for (let i = 0; i < 4; i++) s.ledger.failNext.push(new TransientError('Throttling'));
    await expect(settlePayment(m, s.settleDeps)).rejects.toBeInstanceOf(TransientError);
    expect((await s.store.get(m.paymentId))?.status).toBe('ACCEPTED');
  });

  it('treats a message for an unknown payment as poison', async () => {
    const s = setup();
    const m = await submitted(s);
    await expect(settlePayment({ ...m, paymentId: 'unknown' }, s.settleDeps)).rejects.toBeInstanceOf(
      InternalError,
    );
  });

  it('conserves money and settles each payment at most once, whatever the order and duplicates (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            from: fc.integer({ min: 0, max: 3 }),
            to: fc.integer({ min: 0, max: 3 }),
            amount: fc.integer({ min: 1, max: 3000 }),
          }),
          { minLength: 1, maxLength: 30 },
        ),
        fc.array(fc.nat(), { maxLength: 60 }),
        async (transfers, replays) => {
          const s = setup();
          for (let i = 0; i < 4; i++) {
            s.ledger.open({
              accountId: `A${i}`,
              ownerPartnerId: 'p',
              currency: USD,
              status: 'OPEN',
              balanceMinor: 2000,
              overdraftLimitMinor: i === 0 ? 500 : 0,
            });
          }
          for (const t of transfers) {
            if (t.from === t.to) continue;
            await submitPayment(
              instruction({
                debtorAccount: `A${t.from}`,
                creditorAccount: `A${t.to}`,
                amount: { amountMinor: t.amount, currency: USD },
              }),
              s.submitDeps,
            );
          }
          const deliveries = [
            ...s.queue.messages,
            ...replays.map((r) => s.queue.messages[r % Math.max(1, s.queue.messages.length)]),
          ];
          for (const m of deliveries) if (m) await settlePayment(m, s.settleDeps);

          const accounts = [0, 1, 2, 3].map((i) => s.ledger.accounts.get(`A${i}`));
          const total = accounts.reduce((sum, a) => sum + (a?.balanceMinor ?? 0), 0);
          expect(total).toBe(8000);
          for (const a of accounts) {
            expect(a && a.balanceMinor >= -a.overdraftLimitMinor).toBe(true);
            const journal = s.ledger.entries
              .filter((e) => e.accountId === a?.accountId)
              .reduce((x, e) => x + e.amountMinor, 0);
            expect(journal).toBe((a?.balanceMinor ?? 0) - 2000);
          }
          const settledIds = s.ledger.entries.filter((e) => e.amountMinor < 0).map((e) => e.paymentId);
          expect(new Set(settledIds).size).toBe(settledIds.length);
          for (const p of s.store.payments.values()) expect(['SETTLED', 'REJECTED']).toContain(p.status);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('settlePayment: conflict retries bounded by the deadline, never a commit after it', () => {
  /**
   * A slow, contended ledger on a fake clock: each transaction takes `latencyMs` (the commit lands
   * half-way), the first `conflicts` attempts fail with a conflict, and the deadline condition is
   * evaluated, as DynamoDB does, against the :nowMs the attempt sent.
   */
  function slowLedger(s: ReturnType<typeof setup>, latencyMs: number, conflicts: number) {
    const commits: Array<{ stampMs: number; committedAtMs: number }> = [];
    let calls = 0;
    const ledger: Ledger = {
      getAccount: (id) => s.ledger.getAccount(id),
      listEntries: (id) => s.ledger.listEntries(id),
      settle: async (m, at, attemptId) => {
        calls++;
        s.clock.advance(latencyMs / 2);
        try {
          if (calls <= conflicts) throw new TransientError('TransactionConflict');
          const outcome = await s.ledger.settle(m, at, attemptId);
          if (outcome.kind === 'settled')
            commits.push({ stampMs: Date.parse(at), committedAtMs: s.clock.now() });
          return outcome;
        } finally {
          s.clock.advance(latencyMs / 2);
        }
      },
    };
    return { ledger, commits, calls: () => calls };
  }

  function deps(s: ReturnType<typeof setup>, ledger: Ledger, commitMarginMs: number) {
    return {
      ...s.settleDeps,
      ledger,
      commitMarginMs,
      retry: settleRetryPolicy,
      retryEnv: {
        sleep: async (ms: number) => s.clock.advance(ms),
        random: () => 0.5,
        remainingMs: () => Number.POSITIVE_INFINITY,
      },
    };
  }

  it('keeps retrying conflicts past the old 6-attempt budget while the deadline allows, then settles', async () => {
    const s = setup();
    const m = await submitted(s);
    const slow = slowLedger(s, 20, 12);
    await expect(settlePayment(m, deps(s, slow.ledger, 100))).resolves.toMatchObject({ status: 'SETTLED' });
    expect(slow.calls()).toBe(13);
    expect(slow.commits[0]?.committedAtMs).toBeLessThanOrEqual(Date.parse(m.deadline));
  });

  it('sends the same request (attempt id, time) on every retry, so DynamoDB can deduplicate a lost response', async () => {
    const s = setup();
    const m = await submitted(s);
    const requests: Array<[string, string]> = [];
    const slow = slowLedger(s, 400, 3);
    const ledger: Ledger = {
      ...slow.ledger,
      settle: (message, at, attemptId) => {
        requests.push([at, attemptId]);
        return slow.ledger.settle(message, at, attemptId);
      },
    };
    await expect(settlePayment(m, deps(s, ledger, 500))).resolves.toMatchObject({ status: 'SETTLED' });
    expect(requests).toHaveLength(4);
    expect(new Set(requests.map((request) => request.join('|'))).size).toBe(1);
  });

  it('rejects AB06 instead of sending an attempt that could commit after the deadline', async () => {
    const s = setup();
    const m = await submitted(s);
    const slow = slowLedger(s, 900, Number.POSITIVE_INFINITY);
    await expect(settlePayment(m, deps(s, slow.ledger, 1000))).resolves.toMatchObject({
      status: 'REJECTED',
      reasonCode: 'AB06',
    });
    expect(slow.commits).toEqual([]);
    expect(s.ledger.accounts.get('ACC-DEBTOR')?.balanceMinor).toBe(5000);
  });

  it('never commits after the deadline, whatever the latency (within the margin) and the conflicts (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 0, max: 16_000 }),
        async (latencyMs, conflicts, startDelayMs) => {
          const s = setup();
          const m = await submitted(s);
          s.clock.advance(startDelayMs);
          const slow = slowLedger(s, latencyMs, conflicts);
          const result = await settlePayment(m, deps(s, slow.ledger, 1000));
          for (const commit of slow.commits)
            expect(commit.committedAtMs).toBeLessThanOrEqual(Date.parse(m.deadline));
          if (result.status === 'SETTLED') expect(slow.commits).toHaveLength(1);
          else expect(result.reasonCode).toBe('AB06');
        },
      ),
      { numRuns: 200 },
    );
  });

  it('stops retrying when the invocation has no time left, so the queue retries the record', async () => {
    const s = setup();
    const m = await submitted(s);
    const slow = slowLedger(s, 20, Number.POSITIVE_INFINITY);
    const budgetEnd = s.clock.now() + 1_000;
    const d = deps(s, slow.ledger, 100);
    await expect(
      settlePayment(m, { ...d, retryEnv: { ...d.retryEnv, remainingMs: () => budgetEnd - s.clock.now() } }),
    ).rejects.toBeInstanceOf(TransientError);
    expect(s.clock.now()).toBeLessThanOrEqual(budgetEnd + 20);
  });
});
