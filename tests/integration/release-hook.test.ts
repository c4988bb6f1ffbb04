import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { registerClientInstrumentation } from '../../shared/adapters/instrumentation';
import { createSettleHandler } from '../../shared/edges/queue/settle-consumer';
import { systemClock } from '../../shared/domain/ports';
import { defaultRetryPolicy } from '../../shared/domain/retry';
import { buildDataAdapters } from '../../shared/wiring/data';
import type { LocalStack } from '../../tools/local/stack';
import { createProbeStore } from '../../release/wiring/pre-traffic';
import { InProcessInvoker, type InProcessFunction } from '../../release/local/in-process-invoker';
import { PROBED_FUNCTIONS, type ProbedFunction } from '../../release/domain/ports';
import {
  PROBE_ACCOUNTS,
  PROBE_EQUITY_ACCOUNT,
  PROBE_PARTNER,
  isProbeAccount,
} from '../../release/domain/probe-identity';
import { checkSteadyState } from '../../release/app/pre-traffic/steady-state';
import type { SteadyStateReport } from '../../release/domain/steady-state';
import { openAccount, testAdapters, testConfig, uniqueAccount } from '../support/adapters';
import { startTestStack } from '../support/local-stack';

/**
 * The pre-traffic hook's checking logic (release/app/pre-traffic/steady-state.ts) against the whole local
 * stack: the functions' real handlers play "the new version" (invoked in-process, as the hook
 * invokes a published version), the local stack's SQS poller plays the live settle alias, and
 * DynamoDB Local holds real and probe accounts side by side.
 */
let stack: LocalStack;
let adapters: ReturnType<typeof testAdapters>;
let store: ReturnType<typeof createProbeStore>;
let healthy: Record<ProbedFunction, InProcessFunction>;

beforeAll(async () => {
  stack = await startTestStack();
  const config = testConfig();
  adapters = testAdapters(config);
  store = createProbeStore({
    documents: adapters.clients.documents,
    tables: {
      payments: config.tables.payments,
      ledger: config.tables.ledger,
      partners: config.tables.partners,
    },
    slaSeconds: config.slaSeconds,
  });
  // The stack has set the functions' environment: their modules load as they do in Lambda.
  healthy = {
    submitPayment: {
      handler: (await import('../../functions/submit-payment/handler')).handler,
      timeoutSeconds: 6,
    },
    getPayment: { handler: (await import('../../functions/get-payment/handler')).handler, timeoutSeconds: 6 },
    paymentStatusRequest: {
      handler: (await import('../../functions/payment-status-request/handler')).handler,
      timeoutSeconds: 6,
    },
    settlePayment: {
      handler: (await import('../../functions/settle-payment/handler')).handler,
      timeoutSeconds: 6,
    },
    // Locally the sweeper gets a short time budget: one sweep, then it returns (60 s on AWS).
    sweepDeadlines: {
      handler: (await import('../../functions/sweep-deadlines/handler')).handler,
      timeoutSeconds: 7,
    },
  };
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

/** Accounts of real (non-probe) customers, with money on them, that no probe may touch. */
async function realAccounts(): Promise<string[]> {
  const ids = [uniqueAccount('021000021'), uniqueAccount('011000015'), uniqueAccount('021000021')];
  await openAccount(adapters, ids[0] ?? '', 1_000_000);
  await openAccount(adapters, ids[1] ?? '', 0);
  await openAccount(adapters, ids[2] ?? '', 25_00);
  return ids;
}

async function balances(ids: readonly string[]): Promise<Record<string, number | undefined>> {
  const out: Record<string, number | undefined> = {};
  for (const id of ids) out[id] = (await adapters.ledger.getAccount(id))?.balanceMinor;
  return out;
}

/** Every journal line of the given payments, wherever it was posted (a scan: DynamoDB Local only). */
async function journalLinesOf(
  paymentIds: readonly string[],
): Promise<{ accountId: string; paymentId: string; amountMinor: number }[]> {
  const lines: { accountId: string; paymentId: string; amountMinor: number }[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await adapters.clients.documents.send(
      new ScanCommand({
        TableName: testConfig().tables.ledger,
        ExclusiveStartKey: startKey,
        FilterExpression: '#type = :entry',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':entry': 'ENTRY' },
      }),
    );
    for (const item of page.Items ?? []) {
      if (paymentIds.includes(String(item.paymentId))) {
        lines.push({
          accountId: String(item.accountId),
          paymentId: String(item.paymentId),
          amountMinor: Number(item.amountMinor),
        });
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return lines;
}

/**
 * The probe's part of the ledger (every `PROBE:` account, its equity account included): its
 * balances and the sum of each account's journal lines (a scan: DynamoDB Local only).
 */
async function probeLedger(): Promise<{ balances: Map<string, number>; journal: Map<string, number> }> {
  const balances = new Map<string, number>();
  const journal = new Map<string, number>();
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await adapters.clients.documents.send(
      new ScanCommand({
        TableName: testConfig().tables.ledger,
        ExclusiveStartKey: startKey,
        FilterExpression: 'begins_with(pk, :probe)',
        ExpressionAttributeValues: { ':probe': 'ACCT#PROBE:' },
        ConsistentRead: true,
      }),
    );
    for (const item of page.Items ?? []) {
      const id = String(item.accountId);
      if (item.type === 'ACCOUNT') balances.set(id, Number(item.balanceMinor));
      if (item.type === 'ENTRY') journal.set(id, (journal.get(id) ?? 0) + Number(item.amountMinor));
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return { balances, journal };
}

const everyFunction = PROBED_FUNCTIONS.map((fn) => ({ fn, version: '$LATEST' }));

function failed(report: SteadyStateReport) {
  return report.checks.filter((c) => !c.ok);
}

describe('pre-traffic steady-state check on the local stack', () => {
  it('passes a healthy build: every function probed, probe money moved only between probe accounts', async () => {
    const real = await realAccounts();
    const realBefore = await balances(real);
    const probeIds = [...Object.values(PROBE_ACCOUNTS).flatMap((pair) => [pair.debtor, pair.creditor])];
    await store.ensure(probeIds);
    const probeBefore = await balances(probeIds);

    const report = await checkSteadyState(
      { invoker: new InProcessInvoker(healthy), fixtures: store, ledger: store, recorder: store },
      everyFunction,
    );

    expect(failed(report)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(new Set(report.checks.map((c) => c.fn))).toEqual(new Set([...PROBED_FUNCTIONS, 'fixtures']));
    expect(report.checks.length).toBeGreaterThanOrEqual(20);

    // Real accounts untouched; each probe pair moved exactly what its probe sent.
    expect(await balances(real)).toEqual(realBefore);
    const probeAfter = await balances(probeIds);
    for (const purpose of ['submit', 'settle'] as const) {
      const { debtor, creditor } = PROBE_ACCOUNTS[purpose];
      expect(probeAfter[debtor]).toBe((probeBefore[debtor] ?? NaN) - 1);
      expect(probeAfter[creditor]).toBe((probeBefore[creditor] ?? NaN) + 1);
    }
    // Lookup payments are closed, never settled.
    expect(probeAfter[PROBE_ACCOUNTS.lookup.debtor]).toBe(probeBefore[PROBE_ACCOUNTS.lookup.debtor]);

    // Every probe payment is terminal, the probe partner's, between probe accounts; every
    // journal line they caused is in a probe account.
    expect(report.paymentIds.length).toBe(4);
    for (const id of report.paymentIds) {
      const payment = await store.getPayment(id);
      expect(payment).toMatchObject({ partnerId: PROBE_PARTNER.partnerId });
      expect(['SETTLED', 'REJECTED']).toContain(payment?.status);
      expect(payment?.references.endToEndId).toMatch(/^RLSPROBE-/);
    }
    const lines = await journalLinesOf(report.paymentIds);
    expect(lines).toHaveLength(4);
    expect(lines.every((line) => isProbeAccount(line.accountId))).toBe(true);
    expect(lines.reduce((sum, line) => sum + line.amountMinor, 0)).toBe(0);

    // The probe created no money: its accounts were funded from its equity account by journaled
    // transfers, so its part of the ledger sums to zero and every balance is its journal's sum.
    const probe = await probeLedger();
    expect(probe.balances.get(PROBE_EQUITY_ACCOUNT)).toBeLessThan(0);
    expect([...probe.balances.values()].reduce((a, b) => a + b, 0)).toBe(0);
    for (const [accountId, balance] of probe.balances)
      expect([accountId, balance]).toEqual([accountId, probe.journal.get(accountId) ?? 0]);
  });

  it('fails a build whose settlement is broken (TransactWriteItems fails), closing its probe payment, touching no real account', async () => {
    const real = await realAccounts();
    const realBefore = await balances(real);
    const { debtor, creditor } = PROBE_ACCOUNTS.settle;
    await store.ensure([debtor, creditor]);
    const probeBefore = await balances([debtor, creditor]);

    // The "new version": the settle handler with clients whose every transaction fails.
    const unregister = registerClientInstrumentation({
      dynamodb: (client) =>
        client.middlewareStack.add(
          (next, context) => async (args) => {
            if (context.commandName === 'TransactWriteItemsCommand') {
              throw Object.assign(new Error('injected fault: this build cannot write a settlement'), {
                name: 'InjectedSettlementFault',
              });
            }
            return next(args);
          },
          { step: 'initialize', name: 'brokenSettlementBuild' },
        ),
    });
    let broken;
    try {
      broken = buildDataAdapters(testConfig());
    } finally {
      unregister();
    }
    const brokenSettle = createSettleHandler({
      store: broken.payments,
      ledger: broken.ledger,
      clock: systemClock,
      retry: defaultRetryPolicy,
      maxReceiveCount: 5,
      idempotency: { client: broken.clients.dynamodb, tableName: testConfig().tables.idempotency },
    });

    const report = await checkSteadyState(
      {
        invoker: new InProcessInvoker({
          ...healthy,
          settlePayment: { handler: brokenSettle, timeoutSeconds: 6 },
        }),
        fixtures: store,
        ledger: store,
        recorder: store,
      },
      [
        { fn: 'settlePayment', version: '42' },
        { fn: 'getPayment', version: '42' },
      ],
    );

    expect(report.ok).toBe(false);
    expect(failed(report)).toEqual([
      expect.objectContaining({ fn: 'settlePayment', step: 'settles an SQS batch with the probe payment' }),
    ]);
    // The other function of the same build still passed its own probe.
    expect(report.checks.filter((c) => c.fn === 'getPayment').every((c) => c.ok)).toBe(true);
    // Its probe payment was closed (never left for the sweeper), nothing moved anywhere.
    const [settleProbe] = report.paymentIds;
    expect(await store.getPayment(settleProbe ?? '')).toMatchObject({
      status: 'REJECTED',
      rejection: { code: 'NARR' },
    });
    expect(await balances([debtor, creditor])).toEqual(probeBefore);
    expect(await balances(real)).toEqual(realBefore);
    expect(await journalLinesOf(report.paymentIds)).toEqual([]);
  });
});
