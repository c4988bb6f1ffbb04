import fc from 'fast-check';
import type { AccountStatus } from '../../shared/domain/account';
import type { CurrencyCode } from '../../shared/domain/currency';
import { systemClock } from '../../shared/domain/ports';
import { realRetryEnv, defaultRetryPolicy } from '../../shared/domain/retry';
import { settlePayment, type SettleResult } from '../../shared/app/settle';
import { submitPayment } from '../../shared/app/submit';
import { instruction, USD } from '../../shared/testing/builders';
import { FakeClock, FakeLedger, FakePaymentStore, FakeQueue } from '../../shared/testing/fakes';
import { acceptedMessage, openAccount, testAdapters, uniqueAccount } from '../support/adapters';

/**
 * The ledger's own guard of ownership, on DynamoDB Local: the debit's condition requires the
 * account's owner to be the partner that instructed the payment. A refusal tells the partner
 * nothing about an account it does not own. And the DynamoDB adapter reads its cancellation
 * reasons through the same ordered rules as the in-memory fake: the two agree on every outcome.
 */
const adapters = testAdapters();
const PARTNER = 'partner-test';
const settleDeps = {
  ledger: adapters.ledger,
  store: adapters.payments,
  clock: systemClock,
  retry: defaultRetryPolicy,
  retryEnv: realRetryEnv,
};

const accepted = (debtor: string, creditor: string, amountMinor: number, partnerId = PARTNER) =>
  acceptedMessage(adapters, { debtor, creditor, amountMinor, partnerId });

const balanceOf = async (accountId: string) => (await adapters.ledger.getAccount(accountId))?.balanceMinor;

type State = 'absent' | 'open-funded' | 'open-empty' | 'closed' | 'blocked' | 'other-currency';

async function openIn(accountId: string, state: State, owner: string): Promise<void> {
  if (state === 'absent') return;
  const status: AccountStatus = state === 'closed' ? 'CLOSED' : state === 'blocked' ? 'BLOCKED' : 'OPEN';
  await openAccount(adapters, accountId, state === 'open-empty' ? 0 : 100_000, {
    status,
    owner,
    ...(state === 'other-currency' ? { currency: 'EUR' } : {}),
  });
}

const STATES: readonly State[] = [
  'absent',
  'open-funded',
  'open-empty',
  'closed',
  'blocked',
  'other-currency',
];

describe('ledger ownership on DynamoDB Local', () => {
  it.each(STATES)(
    'refuses to debit an account owned by another partner (%s) exactly as an absent one, moving nothing',
    async (state) => {
      const [d, c] = [uniqueAccount('foreign-d'), uniqueAccount('c')];
      await openIn(d, state, 'other-bank');
      await openAccount(adapters, c, 0);
      const m = await accepted(d, c, 100);
      const result = await settlePayment(m, settleDeps);
      expect(result).toMatchObject({ status: 'REJECTED', reasonCode: 'AC02' });
      const payment = await adapters.payments.get(m.paymentId);
      expect(payment?.rejection).toEqual({ code: 'AC02', message: 'unknown debtor account' });
      if (state !== 'absent') expect(await balanceOf(d)).toBe(state === 'open-empty' ? 0 : 100_000);
      expect(await adapters.ledger.listEntries(d)).toEqual([]);
      expect(await balanceOf(c)).toBe(0);
    },
  );

  it('still debits the owner’s own account', async () => {
    const [d, c] = [uniqueAccount('own-d'), uniqueAccount('c')];
    await openAccount(adapters, d, 1_000, { owner: 'bank-x' });
    await openAccount(adapters, c, 0, { owner: 'other-bank' });
    await expect(settlePayment(await accepted(d, c, 100, 'bank-x'), settleDeps)).resolves.toMatchObject({
      status: 'SETTLED',
    });
    // The same account, instructed by someone else: refused by the ledger itself.
    await expect(settlePayment(await accepted(d, c, 100, 'bank-y'), settleDeps)).resolves.toMatchObject({
      status: 'REJECTED',
      reasonCode: 'AC02',
    });
    expect(await balanceOf(d)).toBe(900);
  });

  it.each(STATES.filter((s) => s !== 'open-funded' && s !== 'open-empty'))(
    'answers one uniform AC03 for another institution’s creditor account that cannot take the credit (%s)',
    async (state) => {
      const [d, c] = [uniqueAccount('d'), uniqueAccount('foreign-c')];
      await openAccount(adapters, d, 1_000);
      await openIn(c, state, 'other-bank');
      const m = await accepted(d, c, 100);
      await expect(settlePayment(m, settleDeps)).resolves.toMatchObject({
        status: 'REJECTED',
        reasonCode: 'AC03',
      });
      expect((await adapters.payments.get(m.paymentId))?.rejection).toEqual({
        code: 'AC03',
        message: 'the creditor account cannot receive this payment',
      });
      expect(await balanceOf(d)).toBe(1_000);
    },
  );

  it('decides every refusal exactly as the in-memory fake does (one ordered rule list)', async () => {
    const side = fc.record({
      state: fc.constantFrom(...STATES),
      ownedByCaller: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(side, side, fc.integer({ min: 1, max: 150_000 }), async (debtor, creditor, amount) => {
        const [d, c] = [uniqueAccount('pd'), uniqueAccount('pc')];
        const owner = (owned: boolean) => (owned ? PARTNER : 'other-bank');
        await openIn(d, debtor.state, owner(debtor.ownedByCaller));
        await openIn(c, creditor.state, owner(creditor.ownedByCaller));
        const real = await settlePayment(await accepted(d, c, amount), settleDeps);

        const store = new FakePaymentStore();
        const fake = new FakeLedger(store);
        const clock = new FakeClock(Date.now());
        for (const [id, s] of [
          [d, debtor],
          [c, creditor],
        ] as const) {
          if (s.state === 'absent') continue;
          fake.open({
            accountId: id,
            ownerPartnerId: owner(s.ownedByCaller),
            currency: (s.state === 'other-currency' ? 'EUR' : 'USD') as CurrencyCode,
            status: s.state === 'closed' ? 'CLOSED' : s.state === 'blocked' ? 'BLOCKED' : 'OPEN',
            balanceMinor: s.state === 'open-empty' ? 0 : 100_000,
            overdraftLimitMinor: 0,
          });
        }
        const queue = new FakeQueue();
        await submitPayment(
          instruction({
            partnerId: PARTNER,
            debtorAccount: d,
            creditorAccount: c,
            amount: { amountMinor: amount, currency: USD },
          }),
          { store, queue, clock, slaSeconds: 15 },
        );
        const message = queue.messages[0];
        if (!message) throw new Error('not enqueued');
        const expected: SettleResult = await settlePayment(message, {
          ledger: fake,
          store,
          clock,
          retry: defaultRetryPolicy,
          retryEnv: realRetryEnv,
        });
        expect({ status: real.status, reasonCode: real.reasonCode, rule: real.rule }).toEqual({
          status: expected.status,
          reasonCode: expected.reasonCode,
          rule: expected.rule,
        });
        const debited = debtor.ownedByCaller && real.status === 'SETTLED';
        if (!debited && debtor.state !== 'absent') {
          expect(await balanceOf(d)).toBe(debtor.state === 'open-empty' ? 0 : 100_000);
        }
      }),
      { seed: 1_111, numRuns: 40 },
    );
  });
});
