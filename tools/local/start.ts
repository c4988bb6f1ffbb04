/**
 * `npm start`: the whole pipeline locally, one command, no Docker, no AWS.
 *
 *   npm start                      in-memory data, HTTP API on $PORT (default 3000)
 *   npm start -- --persist         keep DynamoDB Local data in .local/dynamodb
 *   npm start -- --conflicts       transaction conflicts as on AWS (tools/local/emulators/dynamodb-conflicts.ts);
 *                                  --conflict-latency <ms> holds each transaction's items that much longer
 *                                  (env: RTP_DYNAMODB_CONFLICTS=1, RTP_DYNAMODB_CONFLICT_LATENCY_MS)
 *   PORT=4000 npm start            another HTTP port
 *
 * Ctrl-C stops everything (HTTP API, pollers, emulators, the java child).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { consoleLogger } from './logger';
import { localStateDir, repoRoot } from './paths';
import { startLocalStack } from './stack';

// Lambda runs nodejs22.x; locally Node 20 runs the SDK versions pinned by the lock file.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      persist: { type: 'boolean', default: false },
      concurrency: { type: 'string' },
      conflicts: { type: 'boolean' },
      'conflict-latency': { type: 'string' },
    },
    strict: true,
  });
  const logger = consoleLogger('local');
  const startedAt = Date.now();
  const stack = await startLocalStack({
    ...(values.persist ? { persistDir: path.join(localStateDir, 'dynamodb') } : {}),
    ...(values.concurrency ? { pollerConcurrency: Number(values.concurrency) } : {}),
    ...(values.conflicts === true || values['conflict-latency'] !== undefined
      ? {
          dynamodbConflicts: {
            ...(values['conflict-latency'] !== undefined
              ? { transactionLatencyMs: wholeMs(values['conflict-latency'], '--conflict-latency') }
              : {}),
          },
        }
      : {}),
    logger,
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.info(`\n[local] ${signal}: stopping...`);
    stack.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('[local] stop failed', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  const rel = (p: string) => path.relative(repoRoot, p) || '.';
  console.info(`
RTP pipeline running locally (ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s)

  HTTP API        ${stack.url}   (POST /payments, GET /payments/{id})
  DynamoDB Local  ${stack.endpoints.dynamodb}${stack.conflicts ? `   (conflict layer in front of ${stack.conflicts.upstream})` : ''}
  SQS (fauxqs)    ${stack.endpoints.sqs}
  demo partner    ${stack.partner.partnerId}
    hmac key      ${stack.partner.hmac.keyId}   secret ${stack.partner.hmac.secret}
    ed25519 key   ${stack.partner.ed25519.keyId}   private key ${rel(stack.partner.ed25519.privateKeyFile)}
  credentials     ${rel(path.join(localStateDir, 'partner.env'))} (read by npm run partner)

Send a signed payment and watch it settle (in another terminal):

  npm run partner -- send events/payments/demo-payment.json
  npm run partner -- status <paymentId from the answer>

Ctrl-C to stop.
`);
}

function wholeMs(value: string, flag: string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 0) throw new Error(`${flag} takes whole milliseconds, not ${value}`);
  return ms;
}

main().catch((error: unknown) => {
  console.error('[local] failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
