/**
 * How many settlements per second one hot creditor account sustains on DynamoDB Local: N
 * payments from N different debtors into one account, settled with C concurrent settlers
 * (transaction conflicts on the hot item are retried with backoff, never surfaced).
 *
 *   npx tsx tools/bench/hot-account.ts [--payments 300] [--concurrency 8] [--conflicts [--conflict-latency <ms>] [--conflict-max-hold <ms>]] [--inbound]
 *
 * `--conflicts` puts the conflict layer (tools/local/emulators/dynamodb-conflicts.ts) in front of DynamoDB
 * Local: concurrent transactions on the hot item then conflict as on AWS (DynamoDB Local alone
 * serialises them and never does); `--conflict-latency` holds each transaction's items that many
 * milliseconds longer. The line printed counts the conflicts the layer raised.
 *
 * `--inbound` runs the same load twice in one process: into a DIRECT creditor (today's
 * transaction, the creditor's item in every settlement), then into an INBOUND one (credit
 * entries, docs/design/hot-accounts-and-regions.md), and folds the INBOUND creditor's entries
 * afterwards (one folder, batches of 99), checking the balance.
 */
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { localDynamoDbClient, localSqsClient } from '../local/aws-clients';
import { provisionResources } from '../local/cloudformation';
import { startDynamoDbLocal } from '../local/emulators/dynamodb';
import {
  DEFAULT_MAX_HOLD_MS,
  startConflictProxy,
  type ConflictProxyHandle,
} from '../local/emulators/dynamodb-conflicts';
import { loadServerlessConfig } from '../local/serverless-config';
import { DynamoLedger } from '../../shared/adapters/dynamodb/ledger';
import { DynamoPaymentStore } from '../../shared/adapters/dynamodb/payment-store';
import type { CurrencyCode } from '../../shared/domain/currency';
import { TransientError } from '../../shared/domain/errors';
import { systemClock } from '../../shared/domain/ports';
import { defaultRetryPolicy, realRetryEnv } from '../../shared/domain/retry';
import { settlePayment } from '../../shared/app/settle';
import { submitPayment } from '../../shared/app/submit';
import { FakeQueue } from '../../shared/testing/fakes';
import { DynamoCreditFolds } from '../../shared/adapters/dynamodb/fold';
import { foldCredits } from '../../shared/app/fold';
import type { CreditMode } from '../../shared/domain/account';
import type { SettlementMessage } from '../../shared/domain/settlement-message';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const USD = 'USD' as CurrencyCode;

type Bench = {
  readonly ledger: DynamoLedger;
  readonly store: DynamoPaymentStore;
  readonly folds: DynamoCreditFolds;
  readonly layer: ConflictProxyHandle | undefined;
  readonly concurrency: number;
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      payments: { type: 'string', default: '300' },
      concurrency: { type: 'string', default: '8' },
      conflicts: { type: 'boolean', default: false },
      'conflict-latency': { type: 'string', default: '0' },
      'conflict-max-hold': { type: 'string', default: String(DEFAULT_MAX_HOLD_MS) },
      inbound: { type: 'boolean', default: false },
    },
  });
  const n = Number(values.payments);
  const db = await startDynamoDbLocal();
  let layer: ConflictProxyHandle | undefined;
  try {
    if (values.conflicts === true) {
      layer = await startConflictProxy({
        upstream: db.endpoint,
        transactionLatencyMs: Number(values['conflict-latency']),
        maxHoldMs: Number(values['conflict-max-hold']),
      });
    }
    const client = localDynamoDbClient(layer?.endpoint ?? db.endpoint);
    const tables = await provisionTables(client);
    const documents = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    const bench: Bench = {
      ledger: new DynamoLedger(documents, tables),
      store: new DynamoPaymentStore(documents, tables.payments),
      folds: new DynamoCreditFolds(documents, tables.ledger),
      layer,
      concurrency: Number(values.concurrency),
    };
    const layerLine =
      layer === undefined
        ? 'conflict layer off'
        : `conflict layer on (+${values['conflict-latency']} ms, hold <= ${values['conflict-max-hold']} ms)`;
    console.log(`hot account bench: ${n} payments from ${n} debtors into one creditor; ${layerLine}`);
    // DIRECT first, then (with --inbound) INBOUND on the same DynamoDB Local and layer.
    for (const mode of values.inbound === true ? (['DIRECT', 'INBOUND'] as const) : (['DIRECT'] as const)) {
      await runMode(bench, mode, n);
    }
    client.destroy();
  } finally {
    await layer?.stop();
    await db.stop();
  }
}

async function provisionTables(client: ReturnType<typeof localDynamoDbClient>) {
  const config = await loadServerlessConfig('local');
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
  return {
    payments: provisioned.tables.PaymentsTable?.name ?? '',
    ledger: provisioned.tables.LedgerTable?.name ?? '',
  };
}

/** N funded debtors, one payment each into a new creditor of `mode`: the settlement messages. */
async function prepare(bench: Bench, mode: CreditMode, n: number) {
  const hot = `hot-${mode.toLowerCase()}-${randomUUID()}`;
  const account = { currency: USD, status: 'OPEN' as const, overdraftLimitMinor: 0 };
  await bench.ledger.putAccount({
    ...account,
    accountId: hot,
    ownerPartnerId: 'merchant',
    balanceMinor: 0,
    creditMode: mode,
  });
  const queue = new FakeQueue();
  for (let i = 0; i < n; i++) {
    const debtor = `debtor-${i}-${randomUUID()}`;
    await bench.ledger.putAccount({
      ...account,
      accountId: debtor,
      ownerPartnerId: 'bench',
      balanceMinor: 1_000,
    });
    await submitPayment(
      {
        partnerId: 'bench',
        references: { endToEndId: `HOT-${i}-${randomUUID().slice(0, 8)}` },
        debtorAccount: debtor,
        creditorAccount: hot,
        amount: { amountMinor: 1, currency: USD },
        source: 'json',
        contentHash: randomUUID(),
      },
      { store: bench.store, queue, clock: systemClock, slaSeconds: 600 },
    );
  }
  return { hot, pending: [...queue.messages] };
}

async function runMode(bench: Bench, mode: CreditMode, n: number): Promise<void> {
  const { hot, pending } = await prepare(bench, mode, n);
  const conflictsBefore = bench.layer?.stats().transactWriteConflicts ?? 0;
  const { settled, retries, exhausted, seconds } = await settleAll(bench, pending);
  const conflicts = (bench.layer?.stats().transactWriteConflicts ?? 0) - conflictsBefore;
  const conflictLine = bench.layer
    ? `${conflicts} transactions cancelled with TransactionConflict`
    : 'no conflict layer';
  console.log(
    `${mode}: ${settled}/${n} settled in ${seconds.toFixed(1)} s = ${(settled / seconds).toFixed(1)} settles/s with ${bench.concurrency} settlers; retries ${retries}; retry budgets exhausted ${exhausted}; ${conflictLine}`,
  );
  if (mode === 'INBOUND') await foldAll(bench, hot);
  const balance = (await bench.ledger.getAccount(hot))?.balanceMinor;
  console.log(`${mode}: creditor balance ${balance} (expected ${n})`);
}

async function settleAll(bench: Bench, pending: SettlementMessage[]) {
  let settled = 0;
  let retries = 0;
  let exhausted = 0;
  const countingEnv = {
    ...realRetryEnv,
    sleep: (ms: number) => {
      retries++;
      return realRetryEnv.sleep(ms);
    },
  };
  const started = Date.now();
  await Promise.all(
    Array.from({ length: bench.concurrency }, async () => {
      for (let m = pending.shift(); m; m = pending.shift()) {
        const r = await settlePayment(m, {
          ledger: bench.ledger,
          store: bench.store,
          clock: systemClock,
          retry: { ...defaultRetryPolicy, maxAttempts: 20 },
          retryEnv: countingEnv,
        }).catch((error: unknown) => {
          // Out of retries: the queue would redeliver the message; here it goes to the back of the line.
          if (!(error instanceof TransientError)) throw error;
          exhausted++;
          pending.push(m);
          return undefined;
        });
        if (r?.status === 'SETTLED') settled++;
      }
    }),
  );
  return { settled, retries, exhausted, seconds: (Date.now() - started) / 1000 };
}

/**
 * Folds the INBOUND creditor's entries after the settlements (one folder, batches of 99). No
 * trigger exists yet (design step 4), so this is the drain time of a backlog, not a fold lag.
 */
async function foldAll(bench: Bench, hot: string): Promise<void> {
  const started = Date.now();
  let folded = 0;
  let transactions = 0;
  const deps = {
    folds: bench.folds,
    clock: systemClock,
    retry: { ...defaultRetryPolicy, maxAttempts: 20 },
    retryEnv: realRetryEnv,
  };
  for (let r = await foldCredits(hot, deps); r.folded > 0; r = await foldCredits(hot, deps)) {
    folded += r.folded;
    transactions++;
  }
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `INBOUND: folded ${folded} entries in ${transactions} fold transactions, ${seconds.toFixed(1)} s after the settlements (a backlog drain: no trigger yet, so no fold lag is measured)`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
