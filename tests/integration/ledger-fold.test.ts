import { foldCredits } from '../../shared/app/fold';
import { settlePayment } from '../../shared/app/settle';
import { DynamoCreditFolds } from '../../shared/adapters/dynamodb/fold';
import type { CurrencyCode } from '../../shared/domain/currency';
import { systemClock } from '../../shared/domain/ports';
import { defaultRetryPolicy, realRetryEnv } from '../../shared/domain/retry';
import type { DataAdapters } from '../../shared/wiring/data';
import { startConflictProxy, type ConflictProxyHandle } from '../../tools/local/emulators/dynamodb-conflicts';
import { acceptedMessage, testAdapters, testConfig, uniqueAccount } from '../support/adapters';
import { standInEnv } from '../support/stand-ins';

/**
 * The fold transaction against DynamoDB Local behind the conflict-faithful layer (concurrent
 * transactions on one item conflict as on AWS; each holds its items HOLD_MS longer): idempotent
 * per entry, conditional on foldSeq, safe against a duplicate, a lost response, a second folder
 * and a debit of the same account; conservation after folding.
 */
const HOLD_MS = 50;
const OPENING = 1_000;
let proxy: ConflictProxyHandle;
let adapters: DataAdapters;
let folds: DynamoCreditFolds;

beforeAll(async () => {
  proxy = await startConflictProxy({
    upstream: standInEnv().RTP_DYNAMODB_ENDPOINT,
    transactionLatencyMs: HOLD_MS,
    maxHoldMs: 2_000,
  });
  const config = testConfig({ RTP_DYNAMODB_ENDPOINT: proxy.endpoint });
  adapters = testAdapters(config);
  folds = new DynamoCreditFolds(adapters.clients.documents, config.tables.ledger);
});

afterAll(async () => {
  await proxy.stop();
});

const retry = { ...defaultRetryPolicy, maxAttempts: 50 };
const settleDeps = () => ({
  ledger: adapters.ledger,
  store: adapters.payments,
  clock: systemClock,
  retry,
  retryEnv: realRetryEnv,
  inboundCredits: true,
});
const foldDeps = () => ({ folds, clock: systemClock, retry, retryEnv: realRetryEnv });

async function open(accountId: string, balanceMinor: number, inbound = false) {
  await adapters.ledger.putAccount({
    accountId,
    ownerPartnerId: 'partner-test',
    currency: 'USD' as CurrencyCode,
    status: 'OPEN',
    balanceMinor,
    overdraftLimitMinor: 0,
    ...(inbound ? { creditMode: 'INBOUND' as const } : {}),
  });
}

const pay = async (debtor: string, creditor: string, amountMinor: number) =>
  settlePayment(
    await acceptedMessage(adapters, { debtor, creditor, amountMinor, partnerId: 'partner-test' }),
    settleDeps(),
  );

/** A hot INBOUND account credited `n` times (amounts 1..n) by n debtors; returns ids and sum. */
async function hotWithCredits(n: number) {
  const hot = uniqueAccount('hot');
  await open(hot, OPENING, true);
  const debtors = Array.from({ length: n }, () => uniqueAccount('d'));
  await Promise.all(debtors.map((d) => open(d, 100)));
  const results = await Promise.all(debtors.map((d, i) => pay(d, hot, i + 1)));
  expect(results.every((r) => r.status === 'SETTLED')).toBe(true);
  return { hot, debtors, credited: (n * (n + 1)) / 2 };
}

/** balance + U = opening + journal for the hot account; returns U. */
async function unfoldedAndCheck(hot: string): Promise<number> {
  const account = await folds.getAccount(hot);
  const journal = await adapters.ledger.listEntries(hot);
  const unfolded = (await folds.unfoldedCredits(hot, 1_000)).reduce((s, e) => s + e.amountMinor, 0);
  expect((account?.balanceMinor ?? NaN) + unfolded).toBe(
    OPENING + journal.reduce((s, e) => s + e.amountMinor, 0),
  );
  return unfolded;
}

describe('folding credit entries on DynamoDB Local, conflict layer on', () => {
  it('folds in batches of at most K, conserving balance + unfolded, until nothing is left', async () => {
    const { hot, debtors, credited } = await hotWithCredits(12);
    expect(await unfoldedAndCheck(hot)).toBe(credited);
    const seen: number[] = [];
    for (
      let r = await foldCredits(hot, foldDeps(), 5);
      r.folded > 0;
      r = await foldCredits(hot, foldDeps(), 5)
    ) {
      seen.push(r.folded);
      await unfoldedAndCheck(hot);
    }
    expect(seen).toEqual([5, 5, 2]);
    expect(await unfoldedAndCheck(hot)).toBe(0);
    expect(await folds.getAccount(hot)).toMatchObject({ balanceMinor: OPENING + credited, foldSeq: 3 });
    const debtorTotal = (await Promise.all(debtors.map((d) => adapters.ledger.getAccount(d)))).reduce(
      (s, a) => s + (a?.balanceMinor ?? NaN),
      0,
    );
    expect(debtorTotal + OPENING + credited).toBe(OPENING + 12 * 100);
  });

  it('refuses a duplicate fold: stale foldSeq, then entries already marked; nothing is written', async () => {
    const { hot } = await hotWithCredits(3);
    const before = await folds.getAccount(hot);
    if (!before) throw new Error('no account');
    const credits = await folds.unfoldedCredits(hot, 10);
    await expect(folds.commitFold(before, credits, '2026-12-06T00:00:00.000Z')).resolves.toEqual({
      kind: 'folded',
      foldSeq: 1,
    });
    await expect(folds.commitFold(before, credits, '2026-12-06T00:00:01.000Z')).resolves.toEqual({
      kind: 'seq-moved',
    });
    const after = await folds.getAccount(hot);
    if (!after) throw new Error('no account');
    await expect(folds.commitFold(after, credits.slice(0, 2), '2026-12-06T00:00:02.000Z')).resolves.toEqual({
      kind: 'already-folded',
      paymentIds: credits.slice(0, 2).map((c) => c.paymentId),
    });
    expect(await folds.getAccount(hot)).toMatchObject({ balanceMinor: OPENING + 6, foldSeq: 1 });
    await expect(foldCredits(hot, foldDeps())).resolves.toMatchObject({ folded: 0 });
    expect(await unfoldedAndCheck(hot)).toBe(0);
  });

  it('a crash after the commit (the response lost, the same request sent again) counts the credits once', async () => {
    const { hot } = await hotWithCredits(2);
    const account = await folds.getAccount(hot);
    if (!account) throw new Error('no account');
    const credits = await folds.unfoldedCredits(hot, 10);
    const at = new Date().toISOString();
    await folds.commitFold(account, credits, at);
    // The identical request again (an SDK or use-case retry): deduplicated by its token, or
    // refused by the foldSeq condition; either way nothing more is added.
    const again = await folds.commitFold(account, credits, at);
    expect(['folded', 'seq-moved']).toContain(again.kind);
    expect(await folds.getAccount(hot)).toMatchObject({ balanceMinor: OPENING + 3, foldSeq: 1 });
    // The next run (the redelivered trigger) finds nothing.
    await expect(foldCredits(hot, foldDeps())).resolves.toMatchObject({ folded: 0 });
  });

  it('two concurrent folders: every entry folded exactly once', async () => {
    const { hot, credited } = await hotWithCredits(8);
    const results = await Promise.all([foldCredits(hot, foldDeps()), foldCredits(hot, foldDeps())]);
    expect(results.reduce((s, r) => s + r.folded, 0)).toBe(8);
    expect(await unfoldedAndCheck(hot)).toBe(0);
    expect(await folds.getAccount(hot)).toMatchObject({ balanceMinor: OPENING + credited, foldSeq: 1 });
  });

  it('a debit of the account during the fold: both apply, neither is lost', async () => {
    const { hot, credited } = await hotWithCredits(6);
    const sink = uniqueAccount('sink');
    await open(sink, 0);
    const [folded, debit] = await Promise.all([foldCredits(hot, foldDeps()), pay(hot, sink, 400)]);
    expect(folded.folded).toBe(6);
    expect(debit.status).toBe('SETTLED');
    expect((await folds.getAccount(hot))?.balanceMinor).toBe(OPENING + credited - 400);
    expect((await adapters.ledger.getAccount(sink))?.balanceMinor).toBe(400);
    expect(await unfoldedAndCheck(hot)).toBe(0);
  });

  it('never lets the account spend what is not folded yet', async () => {
    const { hot, credited } = await hotWithCredits(4);
    const sink = uniqueAccount('sink');
    await open(sink, 0);
    await expect(pay(hot, sink, OPENING + 1)).resolves.toMatchObject({
      status: 'REJECTED',
      reasonCode: 'AM04',
    });
    await foldCredits(hot, foldDeps());
    await expect(pay(hot, sink, OPENING + credited)).resolves.toMatchObject({ status: 'SETTLED' });
    expect((await folds.getAccount(hot))?.balanceMinor).toBe(0);
  });

  it('folds nothing into an account that does not exist', async () => {
    await expect(foldCredits(uniqueAccount('none'), foldDeps())).resolves.toMatchObject({ folded: 0 });
  });
});
