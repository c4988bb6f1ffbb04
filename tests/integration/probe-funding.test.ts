import { randomUUID } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoLedger } from '../../shared/adapters/dynamodb/ledger';
import type { CurrencyCode } from '../../shared/domain/currency';
import { createProbeStore } from '../../release/wiring/pre-traffic';
import {
  PROBE_ACCOUNTS,
  PROBE_EQUITY_ACCOUNT,
  PROBE_OPENING_BALANCE_MINOR,
  PROBE_PARTNER,
} from '../../release/domain/probe-identity';
import { testAdapters, testConfig } from '../support/adapters';
import { testPartnerRegistry } from '../support/local-stack';
import { createPkSkTable } from '../support/stand-ins';
import { InvalidPartnerError } from '../../shared/domain/partner';

/**
 * The release probe's accounts are funded by journaled transfers from its equity account, never
 * by a plain put: against DynamoDB Local, on a ledger table of this file's own (so "the sum of
 * every balance in the ledger" is exact even while other test files write the shared one).
 */
const config = testConfig();
const adapters = testAdapters(config);
const documents = adapters.clients.documents;
let ledgerTable: string;

beforeEach(async () => {
  ledgerTable = `probe-funding-${randomUUID()}`;
  await createPkSkTable(adapters.clients.dynamodb, ledgerTable);
});

afterEach(async () => {
  await adapters.clients.dynamodb.send(new DeleteTableCommand({ TableName: ledgerTable }));
});

function storeFor(funding?: { minimumMinor: number; targetMinor: number }) {
  return createProbeStore({
    documents,
    tables: { payments: config.tables.payments, ledger: ledgerTable, partners: config.tables.partners },
    slaSeconds: config.slaSeconds,
    ...(funding ? { funding } : {}),
  });
}

interface LedgerView {
  balances: Map<string, number>;
  owners: Map<string, string>;
  entries: { accountId: string; paymentId: string; amountMinor: number; counterpartyAccountId: string }[];
}

async function scanLedger(): Promise<LedgerView> {
  const view: LedgerView = { balances: new Map(), owners: new Map(), entries: [] };
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new ScanCommand({ TableName: ledgerTable, ExclusiveStartKey: startKey, ConsistentRead: true }),
    );
    for (const item of page.Items ?? []) {
      if (item.type === 'ACCOUNT') {
        view.balances.set(String(item.accountId), Number(item.balanceMinor));
        view.owners.set(String(item.accountId), String(item.ownerPartnerId));
      } else if (item.type === 'ENTRY') {
        view.entries.push({
          accountId: String(item.accountId),
          paymentId: String(item.paymentId),
          amountMinor: Number(item.amountMinor),
          counterpartyAccountId: String(item.counterpartyAccountId),
        });
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return view;
}

const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);

/** Zero-sum, and every account's balance is the sum of its journal lines. */
function expectBalanced(view: LedgerView) {
  expect(sum(view.balances.values())).toBe(0);
  expect(sum(view.entries.map((e) => e.amountMinor))).toBe(0);
  for (const [accountId, balance] of view.balances) {
    expect([accountId, balance]).toEqual([
      accountId,
      sum(view.entries.filter((e) => e.accountId === accountId).map((e) => e.amountMinor)),
    ]);
  }
}

const probeIds = Object.values(PROBE_ACCOUNTS).flatMap((pair) => [pair.debtor, pair.creditor]);

describe('release probe funding (journaled, zero-sum)', () => {
  it('opens every probe account at 0 and funds it from the equity account, one journaled transfer each', async () => {
    await storeFor().ensure(probeIds);
    const view = await scanLedger();

    expectBalanced(view);
    for (const id of probeIds) expect(view.balances.get(id)).toBe(PROBE_OPENING_BALANCE_MINOR);
    expect(view.balances.get(PROBE_EQUITY_ACCOUNT)).toBe(-PROBE_OPENING_BALANCE_MINOR * probeIds.length);
    // Every account here, the equity one included, is the probe's.
    expect(new Set(view.owners.values())).toEqual(new Set([PROBE_PARTNER.partnerId]));
    // One debit on the equity account and one credit on the probe account per funding.
    expect(view.entries).toHaveLength(2 * probeIds.length);
    for (const id of probeIds) {
      const credit = view.entries.filter((e) => e.accountId === id);
      expect(credit).toEqual([
        expect.objectContaining({
          amountMinor: PROBE_OPENING_BALANCE_MINOR,
          counterpartyAccountId: PROBE_EQUITY_ACCOUNT,
        }),
      ]);
      expect(view.entries).toContainEqual({
        accountId: PROBE_EQUITY_ACCOUNT,
        paymentId: credit[0]?.paymentId,
        amountMinor: -PROBE_OPENING_BALANCE_MINOR,
        counterpartyAccountId: id,
      });
    }
  });

  it('funds nothing twice: re-running (also concurrently) leaves balances and journal as they are', async () => {
    await storeFor().ensure(probeIds);
    const first = await scanLedger();
    await Promise.all([storeFor().ensure(probeIds), storeFor().ensure(probeIds)]);
    const again = await scanLedger();
    expect(again.balances).toEqual(first.balances);
    expect(again.entries).toHaveLength(first.entries.length);
    expectBalanced(again);
  });

  it('tops a drained probe account up to its target with a journaled transfer, only by what it lacks', async () => {
    const target = PROBE_OPENING_BALANCE_MINOR;
    const store = storeFor({ minimumMinor: target, targetMinor: target });
    const { debtor, creditor } = PROBE_ACCOUNTS.settle;
    await store.ensure([debtor, creditor]);
    // A probe payment settles on this table: the debtor goes 1 below its target.
    const { message } = await store.recordAccepted({
      endToEndId: `RLSPROBE-fund-${randomUUID().slice(0, 8)}`,
      debtorAccount: debtor,
      creditorAccount: creditor,
      amountMinor: 1,
    });
    const ledger = new DynamoLedger(documents, { payments: config.tables.payments, ledger: ledgerTable });
    expect(await ledger.settle(message, new Date().toISOString(), 'a1')).toMatchObject({ kind: 'settled' });
    const before = await scanLedger();
    expect(before.balances.get(debtor)).toBe(target - 1);
    expectBalanced(before);

    await store.ensure([debtor, creditor]);
    const after = await scanLedger();
    expect(after.balances.get(debtor)).toBe(target);
    expect(after.balances.get(creditor)).toBe(target + 1); // above target: left alone
    expect(after.balances.get(PROBE_EQUITY_ACCOUNT)).toBe(
      (before.balances.get(PROBE_EQUITY_ACCOUNT) ?? NaN) - 1,
    );
    const topUp = after.entries.filter((e) => !before.entries.some((b) => b.paymentId === e.paymentId));
    expect(topUp.map((e) => [e.accountId, e.amountMinor]).sort()).toEqual(
      [
        [debtor, 1],
        [PROBE_EQUITY_ACCOUNT, -1],
      ].sort(),
    );
    expectBalanced(after);
  });

  it('journals the unbacked money of a probe account opened by a plain put (before this change), once', async () => {
    const { debtor, creditor } = PROBE_ACCOUNTS.submit;
    const legacy = new DynamoLedger(documents, { payments: config.tables.payments, ledger: ledgerTable });
    for (const accountId of [debtor, creditor]) {
      await legacy.putAccount({
        accountId,
        ownerPartnerId: PROBE_PARTNER.partnerId,
        currency: 'USD' as CurrencyCode,
        status: 'OPEN',
        balanceMinor: PROBE_OPENING_BALANCE_MINOR,
        overdraftLimitMinor: 0,
      });
    }
    const store = storeFor();
    // One probe payment settled before the change: its journal lines are backed, the opening is not.
    const { message } = await store.recordAccepted({
      endToEndId: `RLSPROBE-lgcy-${randomUUID().slice(0, 8)}`,
      debtorAccount: debtor,
      creditorAccount: creditor,
      amountMinor: 1,
    });
    expect(await legacy.settle(message, new Date().toISOString(), 'a1')).toMatchObject({ kind: 'settled' });
    expect(sum((await scanLedger()).balances.values())).toBe(2 * PROBE_OPENING_BALANCE_MINOR);

    await store.ensure([debtor, creditor]);
    const after = await scanLedger();
    expectBalanced(after);
    // Balances are what they were: only the journal now explains them.
    expect(after.balances.get(debtor)).toBe(PROBE_OPENING_BALANCE_MINOR - 1);
    expect(after.balances.get(creditor)).toBe(PROBE_OPENING_BALANCE_MINOR + 1);
    expect(after.balances.get(PROBE_EQUITY_ACCOUNT)).toBe(-2 * PROBE_OPENING_BALANCE_MINOR);

    await store.ensure([debtor, creditor]);
    expect((await scanLedger()).entries).toHaveLength(after.entries.length);
  });

  it('refuses to open or fund anything that is not a probe account, or the equity account as a payment account', async () => {
    await expect(storeFor().ensure(['021000021:12345'])).rejects.toThrow(/not a probe account/);
    await expect(storeFor().ensure([PROBE_EQUITY_ACCOUNT])).rejects.toThrow(/equity/);
    expect((await scanLedger()).balances.size).toBe(0);
  });
});

describe('release probe identity: no real partner can be PROBE', () => {
  it('refuses to register a partner acting as PROBE, or as anything but routing numbers / BICs; writes nothing', async () => {
    const registry = testPartnerRegistry();
    const partnerId = `impostor-${randomUUID().slice(0, 8)}`;
    for (const agentIds of [['PROBE'], ['021000021', 'probe'], ['PROBE:release-settle-debtor'], ['bank-a']]) {
      await expect(
        registry.putPartner({ partnerId, name: 'x', status: 'ACTIVE', agentIds, currencies: ['USD'] }),
      ).rejects.toThrow(InvalidPartnerError);
    }
    expect(await registry.getPartner(partnerId)).toBeUndefined();
    // The probe partner itself registers (the hook does it on every run), and as PROBE only.
    await registry.putPartner(PROBE_PARTNER);
    await expect(registry.putPartner({ ...PROBE_PARTNER, agentIds: ['PROBE', '021000021'] })).rejects.toThrow(
      InvalidPartnerError,
    );
    expect(await registry.getPartner(PROBE_PARTNER.partnerId)).toMatchObject({ agentIds: ['PROBE'] });
  });
});
