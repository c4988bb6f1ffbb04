/**
 * How many settlements per second one hot creditor account sustains on DynamoDB Local: N
 * payments from N different debtors into one account, settled with C concurrent settlers
 * (transaction conflicts on the hot item are retried with backoff, never surfaced).
 *
 *   npx tsx tools/bench/hot-account.ts [--payments 300] [--concurrency 8] [--conflicts [--conflict-latency <ms>] [--conflict-max-hold <ms>]]
 *
 * `--conflicts` puts the conflict layer (tools/local/emulators/dynamodb-conflicts.ts) in front of DynamoDB
 * Local: concurrent transactions on the hot item then conflict as on AWS (DynamoDB Local alone
 * serialises them and never does); `--conflict-latency` holds each transaction's items that many
 * milliseconds longer. The line printed counts the conflicts the layer raised.
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

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const USD = 'USD' as CurrencyCode;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      payments: { type: 'string', default: '300' },
      concurrency: { type: 'string', default: '8' },
      conflicts: { type: 'boolean', default: false },
      'conflict-latency': { type: 'string', default: '0' },
      'conflict-max-hold': { type: 'string', default: String(DEFAULT_MAX_HOLD_MS) },
    },
  });
  const n = Number(values.payments);
  const concurrency = Number(values.concurrency);
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
    const config = await loadServerlessConfig('local');
    const client = localDynamoDbClient(layer?.endpoint ?? db.endpoint);
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
    const documents = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    const ledger = new DynamoLedger(documents, tables);
    const store = new DynamoPaymentStore(documents, tables.payments);
    const hot = `hot-${randomUUID()}`;
    await ledger.putAccount({
      accountId: hot,
      ownerPartnerId: 'merchant',
      currency: USD,
      status: 'OPEN',
      balanceMinor: 0,
      overdraftLimitMinor: 0,
    });
    const queue = new FakeQueue();
    for (let i = 0; i < n; i++) {
      const debtor = `debtor-${i}-${randomUUID()}`;
      await ledger.putAccount({
        accountId: debtor,
        ownerPartnerId: 'bench',
        currency: USD,
        status: 'OPEN',
        balanceMinor: 1_000,
        overdraftLimitMinor: 0,
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
        { store, queue, clock: systemClock, slaSeconds: 600 },
      );
    }
    const pending = [...queue.messages];
    let settled = 0;
    let conflicts = 0;
    let exhausted = 0;
    const countingEnv = {
      ...realRetryEnv,
      sleep: (ms: number) => {
        conflicts++;
        return realRetryEnv.sleep(ms);
      },
    };
    const started = Date.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let m = pending.shift(); m; m = pending.shift()) {
          const r = await settlePayment(m, {
            ledger,
            store,
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
    const seconds = (Date.now() - started) / 1000;
    const balance = (await ledger.getAccount(hot))?.balanceMinor;
    const layerStats = layer?.stats();
    const layerLine =
      layerStats === undefined
        ? 'conflict layer off'
        : `conflict layer on (+${values['conflict-latency']} ms, hold <= ${values['conflict-max-hold']} ms): ${layerStats.transactWriteConflicts} of ${layerStats.transactWrites} transactions cancelled with TransactionConflict, ${layerStats.singleWriteConflicts} single writes refused`;
    console.log(
      `hot account: ${settled}/${n} settled in ${seconds.toFixed(1)} s = ${(settled / seconds).toFixed(1)} settles/s with ${concurrency} settlers; retries ${conflicts}; retry budgets exhausted ${exhausted}; ${layerLine}; balance ${balance} (expected ${n})`,
    );
    client.destroy();
  } finally {
    await layer?.stop();
    await db.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
