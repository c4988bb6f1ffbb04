import { generateKeyPairSync } from 'node:crypto';
import type { Account, JournalEntry } from '../../shared/domain/account';
import type { CurrencyCode } from '../../shared/domain/currency';
import type { Payment } from '../../shared/domain/payment';
import { systemClock, type Clock } from '../../shared/domain/ports';
import { PartnerClient } from '../../shared/partner-client';
import type {
  LedgerReader,
  ProbeFixtures,
  ProbeFunding,
  ProbeLedgerReads,
  ProbePayments,
  ProbeRecorder,
  ProbeRegistry,
  ProbeSigner,
  ProbeSubmit,
  QueuedProbeMessage,
} from '../domain/ports';
import {
  PROBE_CURRENCY,
  PROBE_EQUITY_ACCOUNT,
  PROBE_EQUITY_OVERDRAFT_MINOR,
  PROBE_OPENING_BALANCE_MINOR,
  PROBE_PARTNER,
  PROBE_TOP_UP_BELOW_MINOR,
  isProbeAccount,
  probeKeyId,
} from '../domain/probe-identity';
import { PROBE_BASE_URL } from '../domain/synthetic-events';

export interface ProbeStoreDeps {
  readonly payments: ProbePayments;
  readonly ledger: ProbeLedgerReads;
  readonly funding: ProbeFunding;
  readonly registry: ProbeRegistry;
  /** The service's own submit (release/wiring/pre-traffic.ts binds shared/app's). */
  readonly submit: ProbeSubmit;
  readonly clock?: Clock;
  /** When a probe account is topped up (below `minimumMinor`), and to what (defaults: probe-identity.ts). */
  readonly topUp?: { readonly minimumMinor: number; readonly targetMinor: number };
}

/**
 * The release probe's bookkeeping (the pre-traffic check's ledger, recorder and fixtures ports):
 * reads payments, accounts and journal lines; records probe payments through the service's own
 * submit (whose queue keeps the message instead of sending it); keeps the probe partner, its
 * accounts and its per-run key. Writes only probe items: every account id is checked to be a
 * probe account before it is written, and the hook's IAM role is limited to those keys
 * (infra/deployments.yml).
 */
export class ProbeStore implements LedgerReader, ProbeRecorder, ProbeFixtures {
  private readonly clock: Clock;

  constructor(private readonly deps: ProbeStoreDeps) {
    this.clock = deps.clock ?? systemClock;
  }

  getPayment(paymentId: string): Promise<Payment | undefined> {
    return this.deps.payments.get(paymentId);
  }

  getAccount(accountId: string): Promise<Account | undefined> {
    return this.deps.ledger.getAccount(accountId);
  }

  getEntry(accountId: string, paymentId: string): Promise<JournalEntry | undefined> {
    return this.deps.ledger.getEntry(accountId, paymentId);
  }

  async recordAccepted(input: {
    endToEndId: string;
    debtorAccount: string;
    creditorAccount: string;
    amountMinor: number;
  }): Promise<{ payment: Payment } & QueuedProbeMessage> {
    if (!isProbeAccount(input.debtorAccount) || !isProbeAccount(input.creditorAccount)) {
      throw new Error('the release probe records payments between probe accounts only');
    }
    if (input.debtorAccount === PROBE_EQUITY_ACCOUNT || input.creditorAccount === PROBE_EQUITY_ACCOUNT)
      throw new Error('the probe equity account funds probe accounts only: no payment moves it');
    const { payment, queued } = await this.deps.submit({ ...input, currency: PROBE_CURRENCY });
    if (queued === undefined)
      throw new Error(`probe payment ${payment.paymentId} was recorded before: use a new EndToEndId`);
    return { payment, ...queued };
  }

  async close(paymentId: string, why: string): Promise<void> {
    const payment = await this.deps.payments.get(paymentId);
    if (payment === undefined || payment.status === 'SETTLED' || payment.status === 'REJECTED') return;
    if (payment.partnerId !== PROBE_PARTNER.partnerId) throw new Error(`${paymentId} is not a probe payment`);
    await this.deps.payments.reject(
      paymentId,
      { code: 'NARR', message: why },
      new Date(this.clock.now()).toISOString(),
    );
  }

  /**
   * The probe partner, its equity account and the given probe accounts, funded. Money is never
   * created: each account opens at 0 and is funded from PROBE_EQUITY_ACCOUNT by a journaled
   * transfer (shared/adapters/dynamodb/ledger-funding.ts), so the ledger stays zero-sum and each
   * account's balance is the sum of its journal lines. Re-running funds nothing twice: an account
   * is topped up (journaled) only once it is below the floor. An account opened by a plain put
   * before this (unbacked money) has that money journaled against the equity account once.
   */
  async ensure(accountIds: readonly string[]): Promise<void> {
    const { funding } = this.deps;
    await this.deps.registry.putPartner(PROBE_PARTNER);
    for (const accountId of accountIds) {
      if (!isProbeAccount(accountId)) throw new Error(`${accountId} is not a probe account`);
      if (accountId === PROBE_EQUITY_ACCOUNT)
        throw new Error('the probe equity account is no probe payment account');
    }
    const owner = { ownerPartnerId: PROBE_PARTNER.partnerId, currency: PROBE_CURRENCY as CurrencyCode };
    await funding.openAccount({
      accountId: PROBE_EQUITY_ACCOUNT,
      ...owner,
      overdraftLimitMinor: PROBE_EQUITY_OVERDRAFT_MINOR,
    });
    const at = new Date(this.clock.now()).toISOString();
    const { minimumMinor, targetMinor } = this.deps.topUp ?? {
      minimumMinor: PROBE_TOP_UP_BELOW_MINOR,
      targetMinor: PROBE_OPENING_BALANCE_MINOR,
    };
    for (const accountId of accountIds) {
      const opened = await funding.openAccount({ accountId, ...owner, overdraftLimitMinor: 0 });
      if (!opened) await funding.journalUnbackedBalance({ from: PROBE_EQUITY_ACCOUNT, to: accountId, at });
      await funding.fund({ from: PROBE_EQUITY_ACCOUNT, to: accountId, minimumMinor, targetMinor, at });
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
    await this.deps.registry.putKey({ ...record, status: 'ACTIVE' });
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
      retire: () => this.deps.registry.putKey({ ...record, status: 'RETIRED' }),
    };
  }
}
