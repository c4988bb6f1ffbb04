import { settlePayment } from '../../shared/app/settle';
import { systemClock } from '../../shared/domain/ports';
import { realRetryEnv, defaultRetryPolicy } from '../../shared/domain/retry';
import { acceptedMessage, openAccount, testAdapters, uniqueAccount } from '../support/adapters';

/**
 * The settlement transaction against DynamoDB Local: conditions, cancellation reasons,
 * at-most-once journal, concurrent settlers. These are the behaviours that live in DynamoDB.
 */
const adapters = testAdapters();
const settleDeps = {
  ledger: adapters.ledger,
  store: adapters.payments,
  clock: systemClock,
  retry: defaultRetryPolicy,
  retryEnv: realRetryEnv,
};

const accepted = (debtor: string, creditor: string, amountMinor: number) =>
  acceptedMessage(adapters, { debtor, creditor, amountMinor, partnerId: 'partner-test' });

async function balance(accountId: string): Promise<number | undefined> {
  return (await adapters.ledger.getAccount(accountId))?.balanceMinor;
}

describe('DynamoLedger on DynamoDB Local', () => {
  it('settles in one transaction: balances, journal and payment status move together', async () => {
    const [d, c] = [uniqueAccount('d'), uniqueAccount('c')];
    await openAccount(adapters, d, 10_000);
    await openAccount(adapters, c, 0);
    const m = await accepted(d, c, 2_550);
    await expect(settlePayment(m, settleDeps)).resolves.toMatchObject({ status: 'SETTLED', replay: false });
    expect(await balance(d)).toBe(7_450);
    expect(await balance(c)).toBe(2_550);
    const entries = [...(await adapters.ledger.listEntries(d)), ...(await adapters.ledger.listEntries(c))];
    expect(entries.map((e) => e.amountMinor).sort((a, b) => a - b)).toEqual([-2_550, 2_550]);
    const payment = await adapters.payments.get(m.paymentId);
    expect(payment).toMatchObject({ status: 'SETTLED' });
    expect(payment?.settledAt).toBeDefined();
  });

  it('never settles twice: a second settle is a replay and moves nothing', async () => {
    const [d, c] = [uniqueAccount('d'), uniqueAccount('c')];
    await openAccount(adapters, d, 1_000);
    await openAccount(adapters, c, 0);
    const m = await accepted(d, c, 400);
    await settlePayment(m, settleDeps);
    await expect(settlePayment(m, settleDeps)).resolves.toMatchObject({ status: 'SETTLED', replay: true });
    expect(await balance(d)).toBe(600);
    expect(await adapters.ledger.listEntries(d)).toHaveLength(1);
  });

  it('lets exactly one of many concurrent settlers of one payment move the money', async () => {
    const [d, c] = [uniqueAccount('d'), uniqueAccount('c')];
    await openAccount(adapters, d, 1_000);
    await openAccount(adapters, c, 0);
    const m = await accepted(d, c, 100);
    const results = await Promise.all(Array.from({ length: 6 }, () => settlePayment(m, settleDeps)));
    expect(results.every((r) => r.status === 'SETTLED')).toBe(true);
    expect(results.filter((r) => !r.replay)).toHaveLength(1);
    expect(await balance(d)).toBe(900);
    expect(await balance(c)).toBe(100);
  });

  it.each([
    ['insufficient funds', { debtorBalance: 50 }, 'AM04'],
    ['a closed creditor account', { creditorStatus: 'CLOSED' as const }, 'AC04'],
    ['a blocked debtor account', { debtorStatus: 'BLOCKED' as const }, 'AC06'],
    ['a currency mismatch', { creditorCurrency: 'EUR' }, 'AM03'],
    ['an unknown creditor account', { noCreditor: true }, 'AC03'],
  ])('rejects %s with its ISO reason, balances untouched', async (_label, opts, code) => {
    const o = opts as {
      debtorBalance?: number;
      creditorStatus?: 'CLOSED';
      debtorStatus?: 'BLOCKED';
      creditorCurrency?: string;
      noCreditor?: boolean;
    };
    const [d, c] = [uniqueAccount('d'), uniqueAccount('c')];
    await openAccount(
      adapters,
      d,
      o.debtorBalance ?? 1_000,
      o.debtorStatus ? { status: o.debtorStatus } : {},
    );
    if (!o.noCreditor) {
      await openAccount(adapters, c, 0, {
        ...(o.creditorStatus ? { status: o.creditorStatus } : {}),
        ...(o.creditorCurrency ? { currency: o.creditorCurrency } : {}),
      });
    }
    const m = await accepted(d, c, 100);
    await expect(settlePayment(m, settleDeps)).resolves.toMatchObject({
      status: 'REJECTED',
      reasonCode: code,
    });
    expect(await balance(d)).toBe(o.debtorBalance ?? 1_000);
    expect(await adapters.ledger.listEntries(d)).toHaveLength(0);
    expect((await adapters.payments.get(m.paymentId))?.rejection?.code).toBe(code);
  });

  it('allows a debit into the overdraft limit and no further', async () => {
    const [d, c] = [uniqueAccount('d'), uniqueAccount('c')];
    await openAccount(adapters, d, 100, { overdraftLimitMinor: 50 });
    await openAccount(adapters, c, 0);
    await expect(settlePayment(await accepted(d, c, 150), settleDeps)).resolves.toMatchObject({
      status: 'SETTLED',
    });
    await expect(settlePayment(await accepted(d, c, 1), settleDeps)).resolves.toMatchObject({
      status: 'REJECTED',
      reasonCode: 'AM04',
    });
    expect(await balance(d)).toBe(-50);
  });

  it('refuses to settle after the deadline inside the transaction itself', async () => {
    const [d, c] = [uniqueAccount('d'), uniqueAccount('c')];
    await openAccount(adapters, d, 1_000);
    await openAccount(adapters, c, 0);
    const m = await accepted(d, c, 100);
    const late = new Date(Date.parse(m.deadline) + 1).toISOString();
    await expect(adapters.ledger.settle(m, late, 'attempt-1')).resolves.toEqual({
      kind: 'not-settleable',
      status: 'ACCEPTED',
      pastDeadline: true,
    });
    expect(await balance(d)).toBe(1_000);
  });

  it('treats a message that does not match the recorded payment as poison', async () => {
    const [d, c] = [uniqueAccount('d'), uniqueAccount('c')];
    await openAccount(adapters, d, 1_000);
    await openAccount(adapters, c, 0);
    const m = await accepted(d, c, 100);
    await expect(settlePayment({ ...m, amountMinor: 999 }, settleDeps)).rejects.toThrow('does not match');
    expect(await balance(d)).toBe(1_000);
  });

  it('deduplicates retries of one attempt (a lost response) with the ClientRequestToken, and only those', async () => {
    const [d, c] = [uniqueAccount('d'), uniqueAccount('c')];
    await openAccount(adapters, d, 1_000);
    await openAccount(adapters, c, 0);
    const m = await accepted(d, c, 100);
    const at = new Date().toISOString();
    await expect(adapters.ledger.settle(m, at, 'attempt-a')).resolves.toMatchObject({ kind: 'settled' });
    await expect(adapters.ledger.settle(m, at, 'attempt-a')).resolves.toMatchObject({ kind: 'settled' });
    await expect(adapters.ledger.settle(m, at, 'attempt-b')).resolves.toEqual({
      kind: 'not-settleable',
      status: 'SETTLED',
      pastDeadline: false,
    });
    expect(await balance(d)).toBe(900);
    expect(await adapters.ledger.listEntries(d)).toHaveLength(1);
  });

  it('settles many concurrent payments into one hot creditor account without losing any', async () => {
    const hot = uniqueAccount('hot');
    await openAccount(adapters, hot, 0);
    const debtors = Array.from({ length: 8 }, () => uniqueAccount('d'));
    for (const d of debtors) await openAccount(adapters, d, 1_000);
    const messages = await Promise.all(debtors.map((d) => accepted(d, hot, 10)));
    const results = await Promise.all(messages.map((m) => settlePayment(m, settleDeps)));
    expect(results.every((r) => r.status === 'SETTLED')).toBe(true);
    expect(await balance(hot)).toBe(80);
  });
});
