/**
 * How many settlements per second one hot creditor account sustains on DynamoDB Local: N
 * payments from N different debtors into one account, settled with C concurrent settlers
 * (transaction conflicts on the hot item are retried with backoff, never surfaced). The
 * measurement behind `tools/bench/hot-account.ts` and the bench's `--hot-account` line.
 *
 * It starts its own DynamoDB Local (tables only, from serverless.yml; no queue), and with
 * `conflicts` the conflict layer (tools/local/emulators/dynamodb-conflicts.ts) in front of it:
 * concurrent transactions on the hot item then conflict as on AWS (DynamoDB Local alone
 * serialises them and never does); `transactionLatencyMs` holds each transaction's items that
 * many milliseconds longer.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { localDynamoDbClient, localSqsClient } from '../local/aws-clients';
import { provisionResources } from '../local/cloudformation';
import { startDynamoDbLocal } from '../local/emulators/dynamodb';
import { startConflictProxy, type ConflictProxyHandle } from '../local/emulators/dynamodb-conflicts';
import { loadServerlessConfig } from '../local/serverless-config';
import { DynamoLedger } from '../../shared/adapters/dynamodb/ledger';
import { DynamoPaymentStore } from '../../shared/adapters/dynamodb/payment-store';
import type { CurrencyCode } from '../../shared/domain/currency';
import { TransientError } from '../../shared/domain/errors';
import { systemClock } from '../../shared/domain/ports';
import type { SettlementMessage } from '../../shared/domain/settlement-message';
import { defaultRetryPolicy, realRetryEnv } from '../../shared/domain/retry';
import { settlePayment } from '../../shared/app/settle';
import { submitPayment } from '../../shared/app/submit';
import { FakeQueue } from '../../shared/testing/fakes';
import { DynamoCreditFolds } from '../../shared/adapters/dynamodb/fold';
import { foldCredits } from '../../shared/app/fold';
import type { CreditMode } from '../../shared/domain/account';

const USD = 'USD' as CurrencyCode;

export interface HotAccountOptions {
  readonly payments: number;
  readonly concurrency: number;
  readonly conflicts?: { readonly transactionLatencyMs: number; readonly maxHoldMs?: number };
  /**
   * The hot creditor's credit mode (default DIRECT: its item in every settlement). INBOUND: each
   * settlement writes a credit entry instead (docs/design/hot-accounts-and-regions.md), folded
   * into the balance after the settlements (one folder, batches of 99).
   */
  readonly creditMode?: CreditMode;
}

export interface HotAccountFigure {
  readonly payments: number;
  readonly concurrency: number;
  readonly conflictLayer: boolean;
  readonly transactionLatencyMs?: number;
  readonly settled: number;
  readonly seconds: number;
  readonly settlesPerSecond: number;
  /** Backoff sleeps of the settle retry loop (each one follows a transient failure, mostly conflicts). */
  readonly retries: number;
  /** Settle attempts out of retries (the message went back to the end of the line). */
  readonly exhausted: number;
  /** What the conflict layer raised (with the layer on). */
  readonly layer?: {
    readonly transactWrites: number;
    readonly transactWriteConflicts: number;
    readonly singleWriteConflicts: number;
  };
  /** INBOUND: the fold of the entries after the settlements (a backlog drain: no trigger yet). */
  readonly fold?: { readonly folded: number; readonly transactions: number; readonly seconds: number };
  readonly creditMode: CreditMode;
  readonly balanceMinor?: number;
  /** The hot account's balance is the number of payments (1 minor unit each). */
  readonly balanceOk: boolean;
}

/** The bench's hot-account section: the same measurement without and with the conflict layer. */
export interface HotAccountReport {
  readonly off: HotAccountFigure;
  readonly on: HotAccountFigure;
}

type Ledger = DynamoLedger;
type Store = DynamoPaymentStore;

async function provision(
  endpoint: string,
): Promise<{ ledger: Ledger; store: Store; folds: DynamoCreditFolds; destroy: () => void }> {
  const config = await loadServerlessConfig('local');
  const client = localDynamoDbClient(endpoint);
  // Tables only (no queue is involved): serverless.yml's own definitions.
  const tablesOnly = Object.fromEntries(
    Object.entries(config.resources.Resources).filter(([, r]) => r.Type === 'AWS::DynamoDB::Table'),
  );
  const sqs = localSqsClient('http://127.0.0.1:9'); // never called: no queue in tablesOnly
  const provisioned = await provisionResources(
    tablesOnly,
    { dynamodb: client, sqs },
    { region: 'us-east-1' },
  );
  const tables = {
    payments: provisioned.tables.PaymentsTable?.name ?? '',
    ledger: provisioned.tables.LedgerTable?.name ?? '',
  };
  const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return {
    ledger: new DynamoLedger(documents, tables),
    store: new DynamoPaymentStore(documents, tables.payments),
    folds: new DynamoCreditFolds(documents, tables.ledger),
    destroy: () => client.destroy(),
  };
}

/** The hot account and n funded debtors, each with one accepted payment of 1 minor unit into it. */
async function submitAll(
  ledger: Ledger,
  store: Store,
  hot: { readonly accountId: string; readonly creditMode: CreditMode },
  n: number,
): Promise<SettlementMessage[]> {
  const open = { currency: USD, status: 'OPEN', overdraftLimitMinor: 0 } as const;
  await ledger.putAccount({ ...hot, ownerPartnerId: 'merchant', balanceMinor: 0, ...open });
  const queue = new FakeQueue();
  for (let i = 0; i < n; i++) {
    const debtor = `debtor-${i}-${randomUUID()}`;
    await ledger.putAccount({ accountId: debtor, ownerPartnerId: 'bench', balanceMinor: 1_000, ...open });
    await submitPayment(
      {
        partnerId: 'bench',
        references: { endToEndId: `HOT-${i}-${randomUUID().slice(0, 8)}` },
        debtorAccount: debtor,
        creditorAccount: hot.accountId,
        amount: { amountMinor: 1, currency: USD },
        source: 'json',
        contentHash: randomUUID(),
      },
      { store, queue, clock: systemClock, slaSeconds: 600 },
    );
  }
  return [...queue.messages];
}

/** C settlers drain the messages; a message out of retries goes to the back of the line. */
async function settleAll(ledger: Ledger, store: Store, pending: SettlementMessage[], concurrency: number) {
  const counts = { settled: 0, retries: 0, exhausted: 0 };
  const retryEnv = {
    ...realRetryEnv,
    sleep: (ms: number) => {
      counts.retries++;
      return realRetryEnv.sleep(ms);
    },
  };
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let m = pending.shift(); m; m = pending.shift()) {
        const message = m;
        const r = await settlePayment(message, {
          ledger,
          store,
          clock: systemClock,
          retry: { ...defaultRetryPolicy, maxAttempts: 20 },
          retryEnv,
          inboundCredits: true,
        }).catch((error: unknown) => {
          // Out of retries: the queue would redeliver the message; here it goes to the back of the line.
          if (!(error instanceof TransientError)) throw error;
          counts.exhausted++;
          pending.push(message);
          return undefined;
        });
        if (r?.status === 'SETTLED') counts.settled++;
      }
    }),
  );
  return { ...counts, seconds: (Date.now() - started) / 1000 };
}

/** Folds every credit entry of the account (one folder, batches of 99), timed. */
async function foldAll(folds: DynamoCreditFolds, accountId: string) {
  const started = Date.now();
  const deps = {
    folds,
    clock: systemClock,
    retry: { ...defaultRetryPolicy, maxAttempts: 20 },
    retryEnv: realRetryEnv,
  };
  let folded = 0;
  let transactions = 0;
  for (let r = await foldCredits(accountId, deps); r.folded > 0; r = await foldCredits(accountId, deps)) {
    folded += r.folded;
    transactions++;
  }
  return { folded, transactions, seconds: (Date.now() - started) / 1000 };
}

export async function measureHotAccount(options: HotAccountOptions): Promise<HotAccountFigure> {
  const db = await startDynamoDbLocal();
  let layer: ConflictProxyHandle | undefined;
  try {
    if (options.conflicts !== undefined) {
      layer = await startConflictProxy({
        upstream: db.endpoint,
        transactionLatencyMs: options.conflicts.transactionLatencyMs,
        ...(options.conflicts.maxHoldMs !== undefined ? { maxHoldMs: options.conflicts.maxHoldMs } : {}),
      });
    }
    const { ledger, store, folds, destroy } = await provision(layer?.endpoint ?? db.endpoint);
    try {
      const creditMode = options.creditMode ?? 'DIRECT';
      const hot = `hot-${randomUUID()}`;
      const pending = await submitAll(ledger, store, { accountId: hot, creditMode }, options.payments);
      const run = await settleAll(ledger, store, pending, options.concurrency);
      // The layer's counts cover the settlements only (the folds come after).
      const stats = layer?.stats();
      const fold = creditMode === 'INBOUND' ? await foldAll(folds, hot) : undefined;
      const balance = (await ledger.getAccount(hot))?.balanceMinor;
      return {
        creditMode,
        ...(fold ? { fold } : {}),
        payments: options.payments,
        concurrency: options.concurrency,
        conflictLayer: layer !== undefined,
        ...(options.conflicts ? { transactionLatencyMs: options.conflicts.transactionLatencyMs } : {}),
        settled: run.settled,
        seconds: run.seconds,
        settlesPerSecond: run.settled / Math.max(0.001, run.seconds),
        retries: run.retries,
        exhausted: run.exhausted,
        ...(stats
          ? {
              layer: {
                transactWrites: stats.transactWrites,
                transactWriteConflicts: stats.transactWriteConflicts,
                singleWriteConflicts: stats.singleWriteConflicts,
              },
            }
          : {}),
        ...(balance !== undefined ? { balanceMinor: balance } : {}),
        balanceOk: balance === options.payments,
      };
    } finally {
      destroy();
    }
  } finally {
    await layer?.stop();
    await db.stop();
  }
}

/** One line: settles/s, retries, what the layer raised, the balance check. */
export function hotAccountLine(f: HotAccountFigure): string {
  const layer =
    f.layer === undefined
      ? 'conflict layer off'
      : `conflict layer on (+${f.transactionLatencyMs ?? 0} ms): ${f.layer.transactWriteConflicts} of ${f.layer.transactWrites} transactions cancelled with TransactionConflict, ${f.layer.singleWriteConflicts} single writes refused`;
  const fold = f.fold
    ? `; folded ${f.fold.folded} entries in ${f.fold.transactions} fold transactions, ${f.fold.seconds.toFixed(1)} s after`
    : '';
  return (
    `${f.creditMode}: ${f.settled}/${f.payments} settled in ${f.seconds.toFixed(1)} s = ${f.settlesPerSecond.toFixed(1)} settles/s with ${f.concurrency} settlers; ` +
    `retries ${f.retries}; retry budgets exhausted ${f.exhausted}; ${layer}; balance ${f.balanceMinor ?? '?'} (expected ${f.payments}${f.balanceOk ? '' : ', WRONG'})${fold}`
  );
}

/** The measurement without, then with, the conflict layer (the bench's `--hot-account`). */
export async function measureHotAccountPair(
  settings: { readonly payments: number; readonly concurrency: number },
  transactionLatencyMs: number,
  say: (line: string) => void,
): Promise<HotAccountReport> {
  const off = await measureHotAccount(settings);
  say(`hot account, conflict layer off: ${hotAccountLine(off)}`);
  const on = await measureHotAccount({ ...settings, conflicts: { transactionLatencyMs } });
  say(`hot account, conflict layer on: ${hotAccountLine(on)}`);
  return { off, on };
}
