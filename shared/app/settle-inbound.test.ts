import { FakeClock, FakeLedger, FakePaymentStore, FakeQueue } from '../testing/fakes';
import { instruction, USD } from '../testing/builders';
import type { AccountStatus, CreditMode } from '../domain/account';
import { TransientError } from '../domain/errors';
import type { Ledger } from '../domain/ports';
import { settlePayment } from './settle';
import { submitPayment } from './submit';

/** settle's credit-mode branch over the in-memory ledger (the DynamoDB side: tests/integration/ledger-inbound.test.ts). */
function setup(creditor: { mode?: CreditMode; status?: AccountStatus; owner?: string } = {}) {
  const store = new FakePaymentStore();
  const queue = new FakeQueue();
  const clock = new FakeClock();
  const ledger = new FakeLedger(store);
  const base = { currency: USD, status: 'OPEN' as const, overdraftLimitMinor: 0 };
  ledger.open({ ...base, accountId: 'ACC-DEBTOR', ownerPartnerId: 'partner-a', balanceMinor: 5000 });
  ledger.open({
    ...base,
    accountId: 'ACC-CREDITOR',
    ownerPartnerId: creditor.owner ?? 'partner-b',
    balanceMinor: 0,
    status: creditor.status ?? 'OPEN',
    ...(creditor.mode ? { creditMode: creditor.mode } : {}),
  });
  const deps = {
    ledger,
    store,
    clock,
    retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2 },
    retryEnv: { sleep: async () => undefined, random: () => 0.5 },
    inboundCredits: true,
  };
  const submit = async (amountMinor = 1000) => {
    await submitPayment(instruction({ amount: { amountMinor, currency: USD } }), {
      store,
      queue,
      clock,
      slaSeconds: 15,
    });
    const m = queue.messages.at(-1);
    if (!m) throw new Error('nothing enqueued');
    return m;
  };
  return { store, ledger, deps, submit };
}

describe('settlePayment into an INBOUND creditor', () => {
  it('debits the debtor and writes a credit entry, leaving the creditor balance to the folder', async () => {
    const s = setup({ mode: 'INBOUND' });
    const m = await s.submit(1000);
    await expect(settlePayment(m, s.deps)).resolves.toMatchObject({ status: 'SETTLED', replay: false });
    expect(s.ledger.accounts.get('ACC-DEBTOR')?.balanceMinor).toBe(4000);
    expect(s.ledger.accounts.get('ACC-CREDITOR')).toMatchObject({ balanceMinor: 0, version: 0 });
    expect(s.ledger.credits).toEqual([
      expect.objectContaining({ accountId: 'ACC-CREDITOR', paymentId: m.paymentId, amountMinor: 1000 }),
    ]);
    expect(s.ledger.entries.map((e) => [e.accountId, e.amountMinor])).toEqual([['ACC-DEBTOR', -1000]]);
    expect(await s.ledger.listEntries('ACC-CREDITOR')).toHaveLength(1);
    // A replay writes nothing more.
    await expect(settlePayment(m, s.deps)).resolves.toMatchObject({ status: 'SETTLED', replay: true });
    expect(s.ledger.credits).toHaveLength(1);
  });

  it('without inboundCredits (production until the fold trigger exists): credits directly, reads no profile', async () => {
    const s = setup({ mode: 'INBOUND' });
    const m = await s.submit(700);
    const reads = jest.spyOn(s.ledger, 'creditProfile');
    await expect(settlePayment(m, { ...s.deps, inboundCredits: false })).resolves.toMatchObject({
      status: 'SETTLED',
    });
    expect(reads).not.toHaveBeenCalled();
    expect(s.ledger.accounts.get('ACC-CREDITOR')?.balanceMinor).toBe(700);
    expect(s.ledger.credits).toEqual([]);
  });

  it('credits a DIRECT creditor (the default) directly, as before', async () => {
    const s = setup();
    const m = await s.submit(700);
    await settlePayment(m, s.deps);
    expect(s.ledger.accounts.get('ACC-CREDITOR')?.balanceMinor).toBe(700);
    expect(s.ledger.credits).toEqual([]);
  });

  it('refuses an INBOUND creditor that cannot take the credit through the direct transaction, as before', async () => {
    const s = setup({ mode: 'INBOUND', status: 'CLOSED' });
    const m = await s.submit();
    await expect(settlePayment(m, s.deps)).resolves.toMatchObject({
      status: 'REJECTED',
      reasonCode: 'AC03',
      rule: 'CREDITOR_CLOSED',
    });
    expect(s.ledger.credits).toEqual([]);
    expect(s.ledger.accounts.get('ACC-DEBTOR')?.balanceMinor).toBe(5000);
  });

  it('refuses a debtor without funds with AM04 and writes no entry', async () => {
    const s = setup({ mode: 'INBOUND' });
    const m = await s.submit(6000);
    await expect(settlePayment(m, s.deps)).resolves.toMatchObject({ status: 'REJECTED', reasonCode: 'AM04' });
    expect(s.ledger.credits).toEqual([]);
  });

  it('keeps the credit path of its first attempt on retries, even if the profile changes meanwhile', async () => {
    const s = setup({ mode: 'INBOUND' });
    const m = await s.submit(100);
    const calls: string[] = [];
    let first = true;
    const ledger: Ledger = {
      settle: (...a) => (calls.push('direct'), s.ledger.settle(...a)),
      settleInbound: async (...a) => {
        calls.push('inbound');
        if (first) {
          first = false;
          // The mode changes between two retries of one attempt.
          const acct = s.ledger.accounts.get('ACC-CREDITOR');
          if (acct) acct.creditMode = 'DIRECT';
          throw new TransientError('conflict');
        }
        return s.ledger.settleInbound(...a);
      },
      creditProfile: (id) => s.ledger.creditProfile(id),
      getAccount: (id) => s.ledger.getAccount(id),
      listEntries: (id) => s.ledger.listEntries(id),
    };
    await expect(settlePayment(m, { ...s.deps, ledger })).resolves.toMatchObject({ status: 'SETTLED' });
    expect(calls).toEqual(['inbound', 'inbound']);
  });
});
