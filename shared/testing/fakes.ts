import { applyFold, foldSeqOf, type Account, type JournalEntry } from '../domain/account';
import { InternalError } from '../domain/errors';
import type { Payment, RawMessage, Rejection } from '../domain/payment';
import { CONDITIONS_HELD, firstRefusal } from '../domain/ledger-rules';
import { SETTLEABLE_STATUSES } from '../domain/payment';
import { MAX_FOLD_BATCH } from '../domain/ports';
import type {
  Clock,
  CreateOutcome,
  CreditFolds,
  FoldCommit,
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

/**
 * The in-memory ledger: direct credits (settle), credit entries of INBOUND creditors
 * (settleInbound) and their folds (CreditFolds), with the conditions of the DynamoDB adapters.
 */
export class FakeLedger implements Ledger, CreditFolds {
  readonly accounts = new Map<string, Mutable<Account>>();
  /** Direct journal lines (both sides of a DIRECT settlement, the debtor side of an INBOUND one). */
  readonly entries: JournalEntry[] = [];
  /** Credit entries of INBOUND creditors, immutable, one per (creditor, payment). */
  readonly credits: JournalEntry[] = [];
  /** Fold marks: `${accountId}#${paymentId}` -> the foldSeq that folded the credit entry. */
  readonly foldMarks = new Map<string, number>();
  /** Errors to throw from the next settle() / settleInbound() calls, in order (fault injection). */
  readonly failNext: Error[] = [];
  /**
   * Faults of the next commitFold() calls, in order: throw `error` before writing anything, or
   * after committing (a crash or a lost response after the commit).
   */
  readonly failNextFold: { readonly error: Error; readonly afterCommit: boolean }[] = [];
  settleCalls = 0;
  foldCalls = 0;

  constructor(private readonly store: FakePaymentStore) {}

  open(account: Omit<Account, 'version'>): void {
    this.accounts.set(account.accountId, { ...account, version: 0 });
  }

  async settle(m: SettlementMessage, at: string, _attemptId: string): Promise<LedgerOutcome> {
    const refused = this.paymentRefusal(m, at);
    if (refused) return refused;
    const debtor = this.accounts.get(m.debtorAccount);
    const creditor = this.accounts.get(m.creditorAccount);
    // The same ordered rules the DynamoDB ledger's conditions encode.
    if (firstRefusal(m, debtor, creditor)) return { kind: 'conditions-failed', debtor, creditor };
    if (!debtor || !creditor) throw new Error('ledger rules admitted a transfer without both accounts');
    this.debit(debtor, m, at);
    creditor.balanceMinor += m.amountMinor;
    creditor.version++;
    this.entries.push(this.line(m, creditor.accountId, m.amountMinor, debtor.accountId, at));
    this.markSettled(m, at);
    return { kind: 'settled', settledAt: at };
  }

  async creditProfile(accountId: string): Promise<Account | undefined> {
    const account = this.accounts.get(accountId);
    return account ? { ...account } : undefined;
  }

  async settleInbound(m: SettlementMessage, at: string, _attemptId: string): Promise<LedgerOutcome> {
    const refused = this.paymentRefusal(m, at);
    if (refused) return refused;
    const debtor = this.accounts.get(m.debtorAccount);
    // No condition on the creditor's item: its rules were checked on its profile.
    if (firstRefusal(m, debtor, CONDITIONS_HELD)) {
      return { kind: 'conditions-failed', debtor, creditor: CONDITIONS_HELD };
    }
    if (!debtor) throw new Error('ledger rules admitted a transfer without a debtor');
    if (this.credits.some((c) => c.accountId === m.creditorAccount && c.paymentId === m.paymentId)) {
      throw new InternalError('settle: journal already holds entries for an unsettled payment');
    }
    this.debit(debtor, m, at);
    this.credits.push(this.line(m, m.creditorAccount, m.amountMinor, debtor.accountId, at));
    this.markSettled(m, at);
    return { kind: 'settled', settledAt: at };
  }

  async getAccount(accountId: string): Promise<Account | undefined> {
    return this.accounts.get(accountId);
  }

  async listEntries(accountId: string): Promise<JournalEntry[]> {
    return [...this.entries, ...this.credits].filter((e) => e.accountId === accountId);
  }

  async unfoldedCredits(accountId: string, limit: number): Promise<JournalEntry[]> {
    return this.credits
      .filter((c) => c.accountId === accountId && !this.foldMarks.has(`${accountId}#${c.paymentId}`))
      .slice(0, limit);
  }

  async commitFold(account: Account, credits: readonly JournalEntry[], at: string): Promise<FoldCommit> {
    this.foldCalls++;
    if (credits.length === 0 || credits.length > MAX_FOLD_BATCH)
      throw new Error(`fold of ${credits.length} credits`);
    const fault = this.failNextFold.shift();
    if (fault && !fault.afterCommit) throw fault.error;
    const outcome = this.fold(account, credits, at);
    if (fault) throw fault.error;
    return outcome;
  }

  /** The fold transaction's conditions, then its writes (all or nothing). */
  private fold(account: Account, credits: readonly JournalEntry[], _at: string): FoldCommit {
    const current = this.accounts.get(account.accountId);
    if (!current) return { kind: 'no-account' };
    if (foldSeqOf(current) !== foldSeqOf(account)) return { kind: 'seq-moved' };
    const marked = credits.filter((c) => this.foldMarks.has(`${c.accountId}#${c.paymentId}`));
    if (marked.length > 0) return { kind: 'already-folded', paymentIds: marked.map((c) => c.paymentId) };
    const folded = applyFold(current, credits);
    // Only the fold's fields move: a debit committed since `account` was read stays in the balance.
    current.balanceMinor = folded.balanceMinor;
    current.foldSeq = folded.foldSeq;
    current.version = folded.version;
    for (const c of credits) this.foldMarks.set(`${c.accountId}#${c.paymentId}`, foldSeqOf(current));
    return { kind: 'folded', foldSeq: foldSeqOf(current) };
  }

  /** The payment's own conditions (and the fault injection of settle calls). */
  private paymentRefusal(m: SettlementMessage, at: string): LedgerOutcome | undefined {
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
    return undefined;
  }

  private debit(debtor: Mutable<Account>, m: SettlementMessage, at: string): void {
    debtor.balanceMinor -= m.amountMinor;
    debtor.version++;
    this.entries.push(this.line(m, debtor.accountId, -m.amountMinor, m.creditorAccount, at));
  }

  private line(
    m: SettlementMessage,
    accountId: string,
    amountMinor: number,
    counterparty: string,
    at: string,
  ): JournalEntry {
    // The rules admitted the transfer, so the message's currency is the debtor's.
    const currency = this.accounts.get(m.debtorAccount)?.currency;
    if (currency === undefined) throw new Error('journal line without a debtor account');
    return {
      accountId,
      paymentId: m.paymentId,
      amountMinor,
      currency,
      counterpartyAccountId: counterparty,
      postedAt: at,
    };
  }

  private markSettled(m: SettlementMessage, at: string): void {
    const p = this.store.payments.get(m.paymentId);
    if (!p) throw new Error('settled an unknown payment');
    this.store.payments.set(p.paymentId, { ...p, status: 'SETTLED', settledAt: at, version: p.version + 1 });
    this.store.events.push({ paymentId: p.paymentId, status: 'SETTLED', at });
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
