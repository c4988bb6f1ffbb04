import { generateKeyPairSync } from 'node:crypto';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { DynamoLedger, entryKey } from '../shared/adapters/dynamodb/ledger';
import { DynamoLedgerFunding } from '../shared/adapters/dynamodb/ledger-funding';
import { DynamoPartnerRegistry } from '../shared/adapters/dynamodb/partner-registry';
import { DynamoPaymentStore } from '../shared/adapters/dynamodb/payment-store';
import type { Account, JournalEntry } from '../shared/domain/account';
import type { CurrencyCode } from '../shared/domain/currency';
import type { Payment, SettlementMessage } from '../shared/domain/payment';
import { systemClock, type Clock } from '../shared/domain/ports';
import { submitPayment } from '../shared/app/submit';
import { parseJsonPayment } from '../shared/app/json-payment';
import { PartnerClient } from '../shared/partner-client';
import {
  PROBE_CURRENCY,
  PROBE_EQUITY_ACCOUNT,
  PROBE_EQUITY_OVERDRAFT_MINOR,
  PROBE_OPENING_BALANCE_MINOR,
  PROBE_PARTNER,
  PROBE_TOP_UP_BELOW_MINOR,
  isProbeAccount,
  probeKeyId,
} from './probe-identity';
import type { LedgerReader, ProbeFixtures, ProbeRecorder, ProbeSigner } from './ports';
import { PROBE_BASE_URL } from './synthetic-events';

export interface DynamoProbeStoreOptions {
  readonly documents: DynamoDBDocumentClient;
  readonly tables: { readonly payments: string; readonly ledger: string; readonly partners: string };
  /** The stage's SLA: probe payments get the same deadline real ones do. */
  readonly slaSeconds: number;
  readonly clock?: Clock;
  /** When a probe account is topped up (below `minimumMinor`), and to what (defaults: probe-identity.ts). */
  readonly funding?: { readonly minimumMinor: number; readonly targetMinor: number };
}

const EntrySchema = z.object({
  accountId: z.string(),
  paymentId: z.string(),
  amountMinor: z.int(),
  currency: z.string(),
  counterpartyAccountId: z.string(),
  postedAt: z.string(),
});

/**
 * The release probe's DynamoDB side (the pre-traffic hook's ports): reads payments, accounts and
 * journal lines through the service's own adapters; records probe payments through the domain's
 * own submit logic (with a queue that keeps the message instead of sending it); keeps the probe
 * partner, its accounts and its per-run key. Writes only probe items: every account id is checked
 * to be a probe account before it is written, and the hook's IAM role is limited to those keys
 * (infra/deployments.yml).
 */
export class DynamoProbeStore implements LedgerReader, ProbeRecorder, ProbeFixtures {
  private readonly payments: DynamoPaymentStore;
  private readonly ledger: DynamoLedger;
  private readonly funding: DynamoLedgerFunding;
  private readonly registry: DynamoPartnerRegistry;
  private readonly clock: Clock;

  constructor(private readonly options: DynamoProbeStoreOptions) {
    this.payments = new DynamoPaymentStore(options.documents, options.tables.payments);
    this.ledger = new DynamoLedger(options.documents, {
      payments: options.tables.payments,
      ledger: options.tables.ledger,
    });
    this.funding = new DynamoLedgerFunding(options.documents, options.tables.ledger);
    // Keys are only written here, never resolved: no secret source is needed.
    this.registry = new DynamoPartnerRegistry(
      options.documents,
      options.tables.partners,
      { get: async () => undefined },
      {
        cacheSeconds: 0,
        secretPrefix: 'release-probe/unused/',
      },
    );
    this.clock = options.clock ?? systemClock;
  }

  getPayment(paymentId: string): Promise<Payment | undefined> {
    return this.payments.get(paymentId);
  }

  getAccount(accountId: string): Promise<Account | undefined> {
    return this.ledger.getAccount(accountId);
  }

  async getEntry(accountId: string, paymentId: string): Promise<JournalEntry | undefined> {
    const out = await this.options.documents.send(
      new GetCommand({
        TableName: this.options.tables.ledger,
        Key: entryKey(accountId, paymentId),
        ConsistentRead: true,
      }),
    );
    if (out.Item === undefined) return undefined;
    const parsed = EntrySchema.safeParse(out.Item);
    if (!parsed.success) throw new Error(`corrupt journal line ${accountId} / ${paymentId}`);
    return { ...parsed.data, currency: parsed.data.currency as CurrencyCode };
  }

  async recordAccepted(input: {
    endToEndId: string;
    debtorAccount: string;
    creditorAccount: string;
    amountMinor: number;
  }): Promise<{ payment: Payment; message: SettlementMessage }> {
    if (!isProbeAccount(input.debtorAccount) || !isProbeAccount(input.creditorAccount)) {
      throw new Error('the release probe records payments between probe accounts only');
    }
    if (input.debtorAccount === PROBE_EQUITY_ACCOUNT || input.creditorAccount === PROBE_EQUITY_ACCOUNT)
      throw new Error('the probe equity account funds probe accounts only: no payment moves it');
    const instruction = parseJsonPayment({ ...input, currency: PROBE_CURRENCY }, PROBE_PARTNER);
    let queued: SettlementMessage | undefined;
    const { payment } = await submitPayment(instruction, {
      store: this.payments,
      queue: {
        enqueue: async (message) => {
          queued = message;
        },
      },
      clock: this.clock,
      slaSeconds: this.options.slaSeconds,
    });
    if (queued === undefined)
      throw new Error(`probe payment ${payment.paymentId} was recorded before: use a new EndToEndId`);
    return { payment, message: queued };
  }

  async close(paymentId: string, why: string): Promise<void> {
    const payment = await this.payments.get(paymentId);
    if (payment === undefined || payment.status === 'SETTLED' || payment.status === 'REJECTED') return;
    if (payment.partnerId !== PROBE_PARTNER.partnerId) throw new Error(`${paymentId} is not a probe payment`);
    await this.payments.reject(
      paymentId,
      { code: 'NARR', message: why },
      new Date(this.clock.now()).toISOString(),
    );
  }

  /**
   * The probe partner, its equity account and the given probe accounts, funded. Money is never
   * created: each account opens at 0 and is funded from PROBE_EQUITY_ACCOUNT by a journaled
   * transfer (ledger-funding.ts), so the ledger stays zero-sum and each account's balance is the
   * sum of its journal lines. Re-running funds nothing twice: an account is topped up (journaled)
   * only once it is below the floor. An account opened by a plain put before this (unbacked
   * money) has that money journaled against the equity account once.
   */
  async ensure(accountIds: readonly string[]): Promise<void> {
    await this.registry.putPartner(PROBE_PARTNER);
    for (const accountId of accountIds) {
      if (!isProbeAccount(accountId)) throw new Error(`${accountId} is not a probe account`);
      if (accountId === PROBE_EQUITY_ACCOUNT)
        throw new Error('the probe equity account is no probe payment account');
    }
    const owner = { ownerPartnerId: PROBE_PARTNER.partnerId, currency: PROBE_CURRENCY as CurrencyCode };
    await this.funding.openAccount({
      accountId: PROBE_EQUITY_ACCOUNT,
      ...owner,
      overdraftLimitMinor: PROBE_EQUITY_OVERDRAFT_MINOR,
    });
    const at = new Date(this.clock.now()).toISOString();
    const { minimumMinor, targetMinor } = this.options.funding ?? {
      minimumMinor: PROBE_TOP_UP_BELOW_MINOR,
      targetMinor: PROBE_OPENING_BALANCE_MINOR,
    };
    for (const accountId of accountIds) {
      const opened = await this.funding.openAccount({ accountId, ...owner, overdraftLimitMinor: 0 });
      if (!opened)
        await this.funding.journalUnbackedBalance({ from: PROBE_EQUITY_ACCOUNT, to: accountId, at });
      await this.funding.fund({ from: PROBE_EQUITY_ACCOUNT, to: accountId, minimumMinor, targetMinor, at });
    }
  }

  async issueKey(runId: string): Promise<{ signer: ProbeSigner; retire(): Promise<void> }> {
    const keyId = probeKeyId(runId);
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const record = {
      keyId,
      partnerId: PROBE_PARTNER.partnerId,
      alg: 'ed25519' as const,
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
    await this.registry.putKey({ ...record, status: 'ACTIVE' });
    const client = new PartnerClient({
      baseUrl: PROBE_BASE_URL,
      keyId,
      alg: 'ed25519',
      privateKey,
      now: () => this.clock.now(),
    });
    return {
      signer: {
        prepare: (method, path, opts) =>
          client.prepare(method, path, {
            ...(opts?.body !== undefined ? { body: opts.body } : {}),
            ...(opts?.contentType !== undefined ? { contentType: opts.contentType } : {}),
            ...(opts?.accept !== undefined ? { accept: opts.accept } : {}),
          }),
      },
      retire: () => this.registry.putKey({ ...record, status: 'RETIRED' }),
    };
  }
}
