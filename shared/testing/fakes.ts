import type { Account, JournalEntry } from '../domain/account';
import type { Payment, RawMessage, Rejection } from '../domain/payment';
import { firstRefusal } from '../domain/ledger-rules';
import { SETTLEABLE_STATUSES } from '../domain/payment';
import type {
  Clock,
  CreateOutcome,
  Ledger,
  LedgerOutcome,
  PaymentQueue,
  PaymentStore,
  ReferenceKind,
  TransitionOutcome,
} from '../domain/ports';
import { isUniquenessKey, uniqueReferences } from '../domain/references';
import type { SettlementMessage } from '../domain/settlement-message';

/**
 * In-memory implementations of the domain ports, for unit tests of the domain logic.
 * They keep the same conditions as the DynamoDB adapters (whose behaviour is tested against
 * DynamoDB Local in tests/integration), so a domain test with fakes means the same thing.
 */
export class FakeClock implements Clock {
  constructor(public current = Date.parse('2026-11-21T12:00:00.000Z')) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

export class FakePaymentStore implements PaymentStore {
  readonly payments = new Map<string, Payment>();
  readonly keys = new Map<string, string>();
  readonly raw = new Map<string, RawMessage>();
  readonly events: { paymentId: string; status: string; at: string }[] = [];

  private static keysOf(payment: Payment): { kind: ReferenceKind; key: string }[] {
    return uniqueReferences(payment).map(({ kind, value }) => ({
      kind,
      key: `${payment.partnerId}#${kind}#${kind === 'uetr' ? value.toLowerCase() : value}`,
    }));
  }

  async create(payment: Payment, raw?: RawMessage): Promise<CreateOutcome> {
    const keys = FakePaymentStore.keysOf(payment);
    for (const { kind, key } of keys) {
      const holder = this.keys.get(key);
      const existing = holder === undefined ? undefined : this.payments.get(holder);
      if (existing) return { created: false, existing, collidedOn: kind };
    }
    this.payments.set(payment.paymentId, payment);
    for (const { key } of keys) this.keys.set(key, payment.paymentId);
    if (raw) this.raw.set(payment.paymentId, raw);
    this.events.push({ paymentId: payment.paymentId, status: 'RECEIVED', at: payment.createdAt });
    return { created: true };
  }

  async get(paymentId: string): Promise<Payment | undefined> {
    return this.payments.get(paymentId);
  }

  async findByReference(partnerId: string, kind: ReferenceKind, value: string): Promise<Payment | undefined> {
    if (!isUniquenessKey(kind, value)) return undefined;
    const id = this.keys.get(`${partnerId}#${kind}#${kind === 'uetr' ? value.toLowerCase() : value}`);
    return id === undefined ? undefined : this.payments.get(id);
  }

  async getRawMessage(paymentId: string): Promise<RawMessage | undefined> {
    return this.raw.get(paymentId);
  }

  readonly investigations = new Map<string, { reason: string; at: string }>();

  async findPastDeadline(nowMs: number, limit: number): Promise<string[]> {
    return [...this.payments.values()]
      .filter((p) => SETTLEABLE_STATUSES.includes(p.status) && Date.parse(p.deadline) < nowMs)
      .sort((a, b) => Date.parse(a.deadline) - Date.parse(b.deadline))
      .slice(0, limit)
      .map((p) => p.paymentId);
  }

  async flagForInvestigation(paymentId: string, reason: string, at: string): Promise<void> {
    if (this.payments.has(paymentId)) this.investigations.set(paymentId, { reason, at });
  }

  async markAccepted(paymentId: string, at: string): Promise<TransitionOutcome> {
    const p = this.payments.get(paymentId);
    if (!p || p.status !== 'RECEIVED') return { applied: false, current: p };
    this.payments.set(paymentId, { ...p, status: 'ACCEPTED', acceptedAt: at, version: p.version + 1 });
    this.events.push({ paymentId, status: 'ACCEPTED', at });
    return { applied: true };
  }

  async reject(
    paymentId: string,
    rejection: Rejection,
    at: string,
    options?: { onlyIfPastDeadline?: boolean },
  ): Promise<TransitionOutcome> {
    const p = this.payments.get(paymentId);
    if (!p || !SETTLEABLE_STATUSES.includes(p.status)) return { applied: false, current: p };
    if (options?.onlyIfPastDeadline && !(Date.parse(p.deadline) < Date.parse(at))) {
      return { applied: false, current: p };
    }
    this.payments.set(paymentId, {
      ...p,
      status: 'REJECTED',
      rejectedAt: at,
      rejection,
      version: p.version + 1,
    });
    this.events.push({ paymentId, status: 'REJECTED', at });
    return { applied: true };
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class FakeLedger implements Ledger {
  readonly accounts = new Map<string, Mutable<Account>>();
  readonly entries: JournalEntry[] = [];
  /** Errors to throw from the next settle() calls, in order (fault injection). */
  readonly failNext: Error[] = [];
  settleCalls = 0;

  constructor(private readonly store: FakePaymentStore) {}

  open(account: Omit<Account, 'version'>): void {
    this.accounts.set(account.accountId, { ...account, version: 0 });
  }

  async settle(m: SettlementMessage, at: string, _attemptId: string): Promise<LedgerOutcome> {
    this.settleCalls++;
    const injected = this.failNext.shift();
    if (injected) throw injected;
    const p = this.store.payments.get(m.paymentId);
    if (!p || !SETTLEABLE_STATUSES.includes(p.status)) {
      return { kind: 'not-settleable', status: p?.status, pastDeadline: false };
    }
    if (Date.parse(p.deadline) < Date.parse(at)) {
      return { kind: 'not-settleable', status: p.status, pastDeadline: true };
    }
    const debtor = this.accounts.get(m.debtorAccount);
    const creditor = this.accounts.get(m.creditorAccount);
    // The same ordered rules the DynamoDB ledger's conditions encode.
    if (firstRefusal(m, debtor, creditor)) return { kind: 'conditions-failed', debtor, creditor };
    if (!debtor || !creditor) throw new Error('ledger rules admitted a transfer without both accounts');
    debtor.balanceMinor -= m.amountMinor;
    creditor.balanceMinor += m.amountMinor;
    debtor.version++;
    creditor.version++;
    const base = { paymentId: m.paymentId, currency: debtor.currency, postedAt: at };
    this.entries.push({
      ...base,
      accountId: debtor.accountId,
      amountMinor: -m.amountMinor,
      counterpartyAccountId: creditor.accountId,
    });
    this.entries.push({
      ...base,
      accountId: creditor.accountId,
      amountMinor: m.amountMinor,
      counterpartyAccountId: debtor.accountId,
    });
    this.store.payments.set(p.paymentId, { ...p, status: 'SETTLED', settledAt: at, version: p.version + 1 });
    this.store.events.push({ paymentId: p.paymentId, status: 'SETTLED', at });
    return { kind: 'settled', settledAt: at };
  }

  async getAccount(accountId: string): Promise<Account | undefined> {
    return this.accounts.get(accountId);
  }

  async listEntries(accountId: string): Promise<JournalEntry[]> {
    return this.entries.filter((e) => e.accountId === accountId);
  }
}

export class FakeQueue implements PaymentQueue {
  readonly messages: SettlementMessage[] = [];
  readonly failNext: Error[] = [];
  async enqueue(message: SettlementMessage): Promise<void> {
    const injected = this.failNext.shift();
    if (injected) throw injected;
    // FIFO dedup by payment id, as SQS does within its 5-minute window.
    if (!this.messages.some((m) => m.paymentId === message.paymentId)) this.messages.push(message);
  }
}
