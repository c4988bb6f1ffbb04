import { settlePayment } from '../../shared/app/settle';
import type { DataAdapters } from '../../shared/wiring/data';
import { standInEnv } from '../support/stand-ins';
import { systemClock } from '../../shared/domain/ports';
import { realRetryEnv, defaultRetryPolicy } from '../../shared/domain/retry';
import { startConflictProxy, type ConflictProxyHandle } from '../../tools/local/emulators/dynamodb-conflicts';
import { acceptedMessage, testAdapters, testConfig, uniqueAccount } from '../support/adapters';
import type { CreditMode } from '../../shared/domain/account';
import type { CurrencyCode } from '../../shared/domain/currency';

/**
 * Settlement into an INBOUND creditor against DynamoDB Local, behind the conflict-faithful layer
 * (tools/local/emulators/dynamodb-conflicts.ts: concurrent transactions on one item conflict as
 * on AWS; each transaction holds its items HOLD_MS longer, so concurrent ones overlap).
 */
const HOLD_MS = 100;
const N = 8;
let proxy: ConflictProxyHandle;
let adapters: DataAdapters;

beforeAll(async () => {
  proxy = await startConflictProxy({
    upstream: standInEnv().RTP_DYNAMODB_ENDPOINT,
    transactionLatencyMs: HOLD_MS,
    maxHoldMs: 2_000,
  });
  adapters = testAdapters(testConfig({ RTP_DYNAMODB_ENDPOINT: proxy.endpoint }));
});

afterAll(async () => {
  await proxy.stop();
});

const deps = () => ({
  ledger: adapters.ledger,
  store: adapters.payments,
  clock: systemClock,
  retry: { ...defaultRetryPolicy, maxAttempts: 50 },
  retryEnv: realRetryEnv,
  inboundCredits: true,
});

async function open(
  accountId: string,
  balanceMinor: number,
  creditMode?: CreditMode,
  owner = 'partner-test',
) {
  await adapters.ledger.putAccount({
    accountId,
    ownerPartnerId: owner,
    currency: 'USD' as CurrencyCode,
    status: 'OPEN',
    balanceMinor,
    overdraftLimitMinor: 0,
    ...(creditMode ? { creditMode } : {}),
  });
}

/** N debtors paying one creditor `amount(i)` each, settled all at once. */
async function hotRun(creditMode: CreditMode | undefined) {
  const creditor = uniqueAccount('hot');
  await open(creditor, 0, creditMode, 'merchant-bank');
  const debtors = Array.from({ length: N }, () => uniqueAccount('d'));
  await Promise.all(debtors.map((d) => open(d, 1_000)));
  const messages = await Promise.all(
    debtors.map((d, i) =>
      acceptedMessage(adapters, { debtor: d, creditor, amountMinor: 10 + i, partnerId: 'partner-test' }),
    ),
  );
  await adapters.ledger.creditProfile?.(creditor); // warm the profile cache, as a running settler has it
  const before = proxy.stats().transactWriteConflicts;
  const results = await Promise.all(messages.map((m) => settlePayment(m, deps())));
  const conflicts = proxy.stats().transactWriteConflicts - before;
  return { creditor, debtors, messages, results, conflicts };
}

describe('settlement into an INBOUND creditor, conflict layer on', () => {
  it(`settles ${N} concurrent payments from different debtors without one conflict, all credits as entries`, async () => {
    const run = await hotRun('INBOUND');
    expect(run.results.map((r) => r.status)).toEqual(Array(N).fill('SETTLED'));
    expect(run.conflicts).toBe(0);
    const creditor = await adapters.ledger.getAccount(run.creditor);
    expect(creditor).toMatchObject({ balanceMinor: 0, version: 0, creditMode: 'INBOUND' });
    const entries = await adapters.ledger.listEntries(run.creditor);
    expect(entries).toHaveLength(N);
    expect(new Set(entries.map((e) => e.paymentId))).toEqual(new Set(run.messages.map((m) => m.paymentId)));
    // Conservation: balance + unfolded over the creditor and its debtors = the openings.
    const debtorBalances = await Promise.all(
      run.debtors.map(async (d) => (await adapters.ledger.getAccount(d))?.balanceMinor ?? NaN),
    );
    const unfolded = entries.reduce((s, e) => s + e.amountMinor, 0);
    expect(debtorBalances.reduce((s, b) => s + b, 0) + (creditor?.balanceMinor ?? NaN) + unfolded).toBe(
      N * 1_000,
    );
    for (const d of run.debtors) {
      expect((await adapters.ledger.listEntries(d)).map((e) => e.amountMinor)).toHaveLength(1);
    }
    const payments = await Promise.all(run.messages.map((m) => adapters.payments.get(m.paymentId)));
    expect(payments.every((p) => p?.status === 'SETTLED')).toBe(true);
  });

  it('the same run into a DIRECT creditor conflicts on the creditor item (the layer is on), and still settles all', async () => {
    const run = await hotRun(undefined);
    expect(run.results.map((r) => r.status)).toEqual(Array(N).fill('SETTLED'));
    expect(run.conflicts).toBeGreaterThan(0);
    const expected = Array.from({ length: N }, (_, i) => 10 + i).reduce((s, a) => s + a, 0);
    expect((await adapters.ledger.getAccount(run.creditor))?.balanceMinor).toBe(expected);
  });

  it('settles a replay of an INBOUND payment once: one entry, one debit', async () => {
    const [d, c] = [uniqueAccount('d'), uniqueAccount('c')];
    await open(d, 500);
    await open(c, 0, 'INBOUND');
    const m = await acceptedMessage(adapters, {
      debtor: d,
      creditor: c,
      amountMinor: 200,
      partnerId: 'partner-test',
    });
    const results = await Promise.all([
      settlePayment(m, deps()),
      settlePayment(m, deps()),
      settlePayment(m, deps()),
    ]);
    expect(results.filter((r) => r.status === 'SETTLED' && !r.replay)).toHaveLength(1);
    expect(await adapters.ledger.listEntries(c)).toHaveLength(1);
    expect((await adapters.ledger.getAccount(d))?.balanceMinor).toBe(300);
  });

  it("refuses an INBOUND payment whose debtor lacks funds (AM04) or is not the partner's (AC02), writing no entry", async () => {
    const [d, other, c] = [uniqueAccount('d'), uniqueAccount('o'), uniqueAccount('c')];
    await open(d, 50);
    await open(other, 5_000, undefined, 'another-bank');
    await open(c, 0, 'INBOUND');
    const poor = await acceptedMessage(adapters, {
      debtor: d,
      creditor: c,
      amountMinor: 200,
      partnerId: 'partner-test',
    });
    await expect(settlePayment(poor, deps())).resolves.toMatchObject({
      status: 'REJECTED',
      reasonCode: 'AM04',
    });
    const foreign = await acceptedMessage(adapters, {
      debtor: other,
      creditor: c,
      amountMinor: 200,
      partnerId: 'partner-test',
    });
    await expect(settlePayment(foreign, deps())).resolves.toMatchObject({
      status: 'REJECTED',
      reasonCode: 'AC02',
    });
    expect(await adapters.ledger.listEntries(c)).toEqual([]);
    expect((await adapters.ledger.getAccount(other))?.balanceMinor).toBe(5_000);
  });

  it('refuses through the direct transaction a creditor whose profile is already CLOSED', async () => {
    const [d, c] = [uniqueAccount('d'), uniqueAccount('c')];
    await open(d, 500);
    await adapters.ledger.putAccount({
      accountId: c,
      ownerPartnerId: 'partner-test',
      currency: 'USD' as CurrencyCode,
      status: 'CLOSED',
      balanceMinor: 0,
      overdraftLimitMinor: 0,
      creditMode: 'INBOUND',
    });
    const m = await acceptedMessage(adapters, {
      debtor: d,
      creditor: c,
      amountMinor: 100,
      partnerId: 'partner-test',
    });
    await expect(settlePayment(m, deps())).resolves.toMatchObject({
      status: 'REJECTED',
      reasonCode: 'AC04',
      rule: 'CREDITOR_CLOSED',
    });
    expect(await adapters.ledger.listEntries(c)).toEqual([]);
  });

  it('still writes the entry of a creditor closed after its profile was cached (the documented window)', async () => {
    const [d, c] = [uniqueAccount('d'), uniqueAccount('c')];
    await open(d, 500);
    await open(c, 0, 'INBOUND');
    await adapters.ledger.creditProfile?.(c);
    await adapters.ledger.putAccount({
      accountId: c,
      ownerPartnerId: 'partner-test',
      currency: 'USD' as CurrencyCode,
      status: 'CLOSED',
      balanceMinor: 0,
      overdraftLimitMinor: 0,
      creditMode: 'INBOUND',
    });
    const m = await acceptedMessage(adapters, {
      debtor: d,
      creditor: c,
      amountMinor: 100,
      partnerId: 'partner-test',
    });
    await expect(settlePayment(m, deps())).resolves.toMatchObject({ status: 'SETTLED' });
    expect((await adapters.ledger.listEntries(c)).map((e) => e.amountMinor)).toEqual([100]);
  });
});
