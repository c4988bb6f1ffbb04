/**
 * How many settlements per second one hot creditor account sustains on DynamoDB Local: N
 * payments from N different debtors into one account, settled with C concurrent settlers
 * (transaction conflicts on the hot item are retried with backoff, never surfaced). The
 * measurement is hot-settle.ts's (`npm run bench -- --hot-account` prints it with and without
 * the conflict layer).
 *
 *   npx tsx tools/bench/hot-account.ts [--payments 300] [--concurrency 8] [--conflicts [--conflict-latency <ms>] [--conflict-max-hold <ms>]] [--inbound]
 *
 * `--conflicts` puts the conflict layer (tools/local/emulators/dynamodb-conflicts.ts) in front of DynamoDB
 * Local: concurrent transactions on the hot item then conflict as on AWS (DynamoDB Local alone
 * serialises them and never does); `--conflict-latency` holds each transaction's items that many
 * milliseconds longer. The line printed counts the conflicts the layer raised.
 *
 * `--inbound` measures the same load twice: into a DIRECT creditor (today's transaction, the
 * creditor's item in every settlement), then into an INBOUND one (credit entries,
 * docs/design/hot-accounts-and-regions.md), whose entries are then folded (the balance checked).
 */
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_HOLD_MS } from '../local/emulators/dynamodb-conflicts';
import { hotAccountLine, measureHotAccount } from './hot-settle';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

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
  const options = {
    payments: Number(values.payments),
    concurrency: Number(values.concurrency),
    ...(values.conflicts === true
      ? {
          conflicts: {
            transactionLatencyMs: Number(values['conflict-latency']),
            maxHoldMs: Number(values['conflict-max-hold']),
          },
        }
      : {}),
  };
  for (const creditMode of values.inbound === true
    ? (['DIRECT', 'INBOUND'] as const)
    : (['DIRECT'] as const)) {
    console.log(`hot account: ${hotAccountLine(await measureHotAccount({ ...options, creditMode }))}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
