import { randomUUID } from 'node:crypto';
import { settlePayment } from '../../shared/app/settle';
import { submitPayment } from '../../shared/app/submit';
import { sweepPastDeadline } from '../../shared/app/sweep';
import { defaultRetryPolicy, realRetryEnv } from '../../shared/domain/retry';
import type { Clock } from '../../shared/domain/ports';
import { FakeQueue } from '../../shared/testing/fakes';
import { instruction, USD } from '../../shared/testing/builders';
import { openAccount, testAdapters, uniqueAccount } from '../support/adapters';

/** The deadline sweeper against DynamoDB Local: the sparse index, and its race with the settler. */
const adapters = testAdapters();

async function acceptedAt(clock: Clock, debtor: string, creditor: string) {
  const queue = new FakeQueue();
  const { payment } = await submitPayment(
    instruction({
      partnerId: 'partner-sweep',
      references: { endToEndId: randomUUID().slice(0, 30) },
      debtorAccount: debtor,
      creditorAccount: creditor,
      amount: { amountMinor: 100, currency: USD },
    }),
    { store: adapters.payments, queue, clock, slaSeconds: 15 },
  );
  const message = queue.messages[0];
  if (!message) throw new Error('not enqueued');
  return { payment, message };
}

describe('deadline sweeper on DynamoDB Local', () => {
  it('finds only open payments past their deadline and rejects them AB05', async () => {
    const [d, c] = [uniqueAccount('d'), uniqueAccount('c')];
    await openAccount(adapters, d, 1_000, { owner: 'partner-sweep' });
    await openAccount(adapters, c, 0);
    // Accepted 10 minutes ago in the clock's eyes: long past its 15 s deadline.
    const past = { now: () => Date.now() - 600_000 };
    const stuck = await acceptedAt(past, d, c);
    const settled = await acceptedAt(past, d, c);
    await adapters.ledger.settle(settled.message, new Date(Date.now() - 599_000).toISOString(), 'attempt-1');
    const fresh = await acceptedAt({ now: () => Date.now() }, d, c);

    const ids = await adapters.payments.findPastDeadline(Date.now(), 1_000);
    expect(ids).toContain(stuck.payment.paymentId);
    expect(ids).not.toContain(settled.payment.paymentId);
    expect(ids).not.toContain(fresh.payment.paymentId);

    const result = await sweepPastDeadline(
      { store: adapters.payments, clock: { now: () => Date.now() } },
      { limit: 1_000 },
    );
    expect(result.rejected).toContain(stuck.payment.paymentId);
    expect(await adapters.payments.get(stuck.payment.paymentId)).toMatchObject({
      status: 'REJECTED',
      rejection: { code: 'AB05' },
    });
    expect(await adapters.payments.findPastDeadline(Date.now(), 1_000)).not.toContain(
      stuck.payment.paymentId,
    );
    expect((await adapters.payments.get(fresh.payment.paymentId))?.status).toBe('ACCEPTED');
  });

  it('races safely with the settler: exactly one of them wins, money moves only if settled', async () => {
    for (let round = 0; round < 5; round++) {
      const [d, c] = [uniqueAccount('d'), uniqueAccount('c')];
      await openAccount(adapters, d, 1_000, { owner: 'partner-sweep' });
      await openAccount(adapters, c, 0);
      const { payment, message } = await acceptedAt({ now: () => Date.now() - 15_000 }, d, c);
      // Both act at the deadline instant: the settler just before, the sweeper just after.
      const deadline = Date.parse(payment.deadline);
      const [settle, sweep] = await Promise.all([
        settlePayment(message, {
          ledger: adapters.ledger,
          store: adapters.payments,
          clock: { now: () => deadline - 1 },
          retry: defaultRetryPolicy,
          retryEnv: realRetryEnv,
          // The frozen clock stands for a transaction sent at the last instant: no commit margin
          // (with one, settle would reject AB06 itself before sending).
          commitMarginMs: 0,
        }),
        adapters.payments.reject(
          payment.paymentId,
          { code: 'AB05', message: 'late' },
          new Date(deadline + 1).toISOString(),
          { onlyIfPastDeadline: true },
        ),
      ]);
      const final = await adapters.payments.get(payment.paymentId);
      const balance = (await adapters.ledger.getAccount(d))?.balanceMinor;
      if (final?.status === 'SETTLED') {
        expect(sweep.applied).toBe(false);
        expect(settle).toMatchObject({ status: 'SETTLED', replay: false });
        expect(balance).toBe(900);
      } else {
        expect(final?.status).toBe('REJECTED');
        expect(sweep.applied).toBe(true);
        expect(settle.status).toBe('REJECTED');
        expect(balance).toBe(1_000);
      }
    }
  });

  it('flags a payment for investigation without changing its status', async () => {
    const [d, c] = [uniqueAccount('d'), uniqueAccount('c')];
    const { payment } = await acceptedAt({ now: () => Date.now() }, d, c);
    await adapters.payments.flagForInvestigation(payment.paymentId, 'poison', new Date().toISOString());
    await adapters.payments.flagForInvestigation(
      randomUUID(),
      'unknown payment: ignored',
      new Date().toISOString(),
    );
    expect((await adapters.payments.get(payment.paymentId))?.status).toBe('ACCEPTED');
  });
});
