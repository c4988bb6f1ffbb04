import { FakeClock, FakeLedger, FakePaymentStore, FakeQueue } from '../testing/fakes';
import { instruction, USD } from '../testing/builders';
import { TransientError } from '../domain/errors';
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

/** The in-memory store, except that rejecting the chosen payments throws. */
class StoreFailingFor extends FakePaymentStore {
  readonly failing = new Set<string>();
  override async reject(
    ...args: Parameters<FakePaymentStore['reject']>
  ): ReturnType<FakePaymentStore['reject']> {
    if (this.failing.has(args[0])) throw new TransientError('payment store: ThrottlingException');
    return super.reject(...args);
  }
}

describe('sweepPastDeadline with a failing item', () => {
  it('counts the failure, goes on with the rest, and retries the failed one on the next pass', async () => {
    const store = new StoreFailingFor();
    const clock = new FakeClock();
    const deps = { store, queue: new FakeQueue(), clock, slaSeconds: 15 };
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await submitPayment(instruction(), deps)).payment.paymentId);
    clock.advance(15_001);
    const [first, , broken, , last] = ids;
    store.failing.add(broken!);

    const result = await sweepPastDeadline({ store, clock }, { limit: 10 });
    expect(result.found).toBe(5);
    expect(result.rejected.sort()).toEqual(ids.filter((id) => id !== broken).sort());
    expect(result.failed).toEqual([
      { paymentId: broken, errorName: 'TransientError', error: expect.any(TransientError) },
    ]);
    expect((await store.get(first!))?.status).toBe('REJECTED');
    expect((await store.get(last!))?.status).toBe('REJECTED');
    expect((await store.get(broken!))?.status).toBe('ACCEPTED');

    store.failing.clear();
    const next = await sweepPastDeadline({ store, clock }, { limit: 10 });
    expect([next.rejected, next.failed]).toEqual([[broken], []]);
  });

  it('reports a non-Error throw too', async () => {
    const store = new FakePaymentStore();
    const clock = new FakeClock();
    await submitPayment(instruction(), { store, queue: new FakeQueue(), clock, slaSeconds: 15 });
    clock.advance(15_001);
    const throwing = Object.assign(Object.create(store) as FakePaymentStore, {
      reject: async () => {
        throw 'not an error';
      },
    });
    const result = await sweepPastDeadline({ store: throwing, clock }, { limit: 10 });
    expect(result.failed.map((f) => f.errorName)).toEqual(['string']);
    expect(result.rejected).toEqual([]);
  });
});
