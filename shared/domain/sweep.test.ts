import { FakeClock, FakeLedger, FakePaymentStore, FakeQueue } from '../testing/fakes';
import { instruction, USD } from '../testing/builders';
import { settlePayment } from './settle';
import { submitPayment } from './submit';
import { sweepPastDeadline } from './sweep';

describe('sweepPastDeadline', () => {
  it('rejects open payments past their deadline with AB05 and leaves the others alone', async () => {
    const store = new FakePaymentStore();
    const queue = new FakeQueue();
    const clock = new FakeClock();
    const ledger = new FakeLedger(store);
    ledger.open({
      accountId: 'ACC-DEBTOR',
      ownerPartnerId: 'partner-a',
      currency: USD,
      status: 'OPEN',
      balanceMinor: 10_000,
      overdraftLimitMinor: 0,
    });
    ledger.open({
      accountId: 'ACC-CREDITOR',
      ownerPartnerId: 'b',
      currency: USD,
      status: 'OPEN',
      balanceMinor: 0,
      overdraftLimitMinor: 0,
    });
    const deps = { store, queue, clock, slaSeconds: 15 };
    const stuck = (await submitPayment(instruction(), deps)).payment;
    const settled = (await submitPayment(instruction(), deps)).payment;
    const message = queue.messages.find((m) => m.paymentId === settled.paymentId);
    if (!message) throw new Error('not enqueued');
    await settlePayment(message, {
      ledger,
      store,
      clock,
      retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
      retryEnv: { sleep: async () => undefined, random: () => 0 },
    });

    expect((await sweepPastDeadline({ store, clock }, { limit: 10 })).rejected).toEqual([]);
    clock.advance(15_001);
    const later = (await submitPayment(instruction(), deps)).payment;
    const result = await sweepPastDeadline({ store, clock }, { limit: 10 });
    expect(result.rejected).toEqual([stuck.paymentId]);
    expect(await store.get(stuck.paymentId)).toMatchObject({
      status: 'REJECTED',
      rejection: { code: 'AB05' },
    });
    expect((await store.get(settled.paymentId))?.status).toBe('SETTLED');
    expect((await store.get(later.paymentId))?.status).toBe('ACCEPTED');
    expect((await sweepPastDeadline({ store, clock }, { limit: 10 })).rejected).toEqual([]);
  });
});
