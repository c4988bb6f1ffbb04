import { createHash } from 'node:crypto';
import {
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { Account, JournalEntry } from '../../domain/account';
import { isCurrencyCode, type CurrencyCode } from '../../domain/currency';
import { InternalError } from '../../domain/errors';
import { CONDITIONS_HELD, transferRuleBroken } from '../../domain/ledger-rules';
import type { Ledger, LedgerOutcome } from '../../domain/ports';
import { rethrowAws } from '../aws-errors';
import { LruTtlCache } from '../lru-cache';
import { conditionFailures, type CancellationReason } from './errors';
import { creditEntryItem, listCreditEntries, queryEntries, toJournalEntry } from './credit-entries';
import { eventItem, paymentKey, plainItem } from './payment-items';
import type { SettlementMessage } from '../../domain/settlement-message';

/**
 * Double-entry ledger on DynamoDB.
 *
 * Ledger table layout:
 *   pk = ACCT#<accountId>  sk = ACCOUNT            balance, available (= balance + overdraft), status
 *   pk = ACCT#<accountId>  sk = ENTRY#<paymentId>  immutable journal line (signed amount)
 *
 * A settlement is ONE TransactWriteItems across the payments and ledger tables:
 *   [0] payment: RECEIVED|ACCEPTED -> SETTLED, only before its deadline, only if the message
 *       matches the recorded payment (amount, currency, accounts)
 *   [1] debtor:  open, same currency, available >= amount; balance -= amount
 *   [2] creditor: open, same currency; balance += amount
 *   [3] [4] journal lines (debit, credit), each put only if absent
 *   [5] the payment's SETTLED event
 * The per-item CancellationReasons tell a business refusal from a conflict without reading.
 *
 * For an INBOUND creditor (settleInbound: docs/design/hot-accounts-and-regions.md §4.2) the
 * creditor's item is not in the transaction, so concurrent credits to one account share no item:
 *   [0] payment, [1] debtor, [2] debtor journal line, as above
 *   [3] the creditor's credit entry (credit-entries.ts), put only if absent, keyed by paymentId
 *   [4] the payment's SETTLED event
 * The creditor's rules were checked by the caller on its recent profile (creditProfile).
 */
export const accountKey = (accountId: string) => ({ pk: `ACCT#${accountId}`, sk: 'ACCOUNT' });
export const entryKey = (accountId: string, paymentId: string) => ({
  pk: `ACCT#${accountId}`,
  sk: `ENTRY#${paymentId}`,
});

const AccountItemSchema = z.object({
  accountId: z.string(),
  ownerPartnerId: z.string(),
  currency: z.string().check(z.refine(isCurrencyCode)),
  status: z.enum(['OPEN', 'BLOCKED', 'CLOSED']),
  balanceMinor: z.int(),
  overdraftLimitMinor: z.int().check(z.gte(0)),
  version: z.int(),
  creditMode: z.optional(z.enum(['DIRECT', 'INBOUND'])),
  foldSeq: z.optional(z.int().check(z.gte(0))),
});

export function fromAccountItem(item: Record<string, unknown>): Account {
  const parsed = AccountItemSchema.safeParse(item);
  if (!parsed.success) throw new InternalError('corrupt account item');
  const { creditMode, foldSeq, ...rest } = parsed.data;
  return {
    ...rest,
    currency: rest.currency as CurrencyCode,
    ...(creditMode === undefined ? {} : { creditMode }),
    ...(foldSeq === undefined ? {} : { foldSeq }),
  };
}

/** How long a creditor's profile is cached per container (DynamoLedger.creditProfile). */
export const CREDIT_PROFILE_TTL_MS = 5_000;
/** Creditor profiles kept per container (about 1 KB each). */
const PROFILE_CACHE_ENTRIES = 10_000;

/**
 * ClientRequestToken: derived from the payment id and the attempt, so retries of one attempt
 * (identical parameters) are deduplicated by DynamoDB for 10 minutes (a retry after a lost
 * response answers success instead of a failed condition), while any other attempt, concurrent
 * or later, is decided by the payment's status condition.
 */
export function settlementToken(paymentId: string, attemptId: string): string {
  return createHash('sha256').update(`${paymentId}|${attemptId}`).digest('hex').slice(0, 36);
}

export class DynamoLedger implements Ledger {
  /** Creditor profiles (bounded: a container meets many creditors; least recently used go first). */
  private readonly profiles: LruTtlCache<Account | undefined>;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: { readonly payments: string; readonly ledger: string },
    private readonly options: { readonly profileTtlMs?: number; readonly now?: () => number } = {},
  ) {
    this.profiles = new LruTtlCache({ maxEntries: PROFILE_CACHE_ENTRIES, now: options.now ?? Date.now });
  }

  async settleInbound(m: SettlementMessage, at: string, attemptId: string): Promise<LedgerOutcome> {
    return this.#settleWith(m, at, attemptId, inboundSettlementItems, interpretInboundCancellation);
  }

  /**
   * The account as read at most profileTtlMs ago (eventually consistent GetItem, cached per
   * container; an absent account is cached too). A plain GetItem never conflicts with a
   * transaction, so reading a hot creditor costs read units, not contention.
   */
  async creditProfile(accountId: string): Promise<Account | undefined> {
    return this.profiles.getOrLoad(
      accountId,
      async () => {
        try {
          const out = await this.db.send(
            new GetCommand({ TableName: this.tables.ledger, Key: accountKey(accountId) }),
          );
          return out.Item ? fromAccountItem(out.Item) : undefined;
        } catch (error) {
          return rethrowAws(error, 'get credit profile');
        }
      },
      () => this.options.profileTtlMs ?? CREDIT_PROFILE_TTL_MS,
    );
  }

  async settle(m: SettlementMessage, at: string, attemptId: string): Promise<LedgerOutcome> {
    return this.#settleWith(m, at, attemptId, settlementItems, interpretCancellation);
  }

  /** One settlement transaction (direct or inbound items) and the reading of its cancellation. */
  async #settleWith(
    m: SettlementMessage,
    at: string,
    attemptId: string,
    items: typeof settlementItems,
    interpret: typeof interpretCancellation,
  ): Promise<LedgerOutcome> {
    // Rules that need no account state (e.g. a self-transfer) are decided before any write.
    if (transferRuleBroken(m))
      return { kind: 'conditions-failed', debtor: CONDITIONS_HELD, creditor: CONDITIONS_HELD };
    const nowMs = Date.parse(at);
    try {
      await this.db.send(
        new TransactWriteCommand({
          ClientRequestToken: settlementToken(m.paymentId, attemptId),
          TransactItems: items(this.tables, m, at, nowMs),
        }),
      );
      return { kind: 'settled', settledAt: at };
    } catch (error) {
      return interpret(conditionFailures(error, 'settle'), nowMs, error);
    }
  }

  async getAccount(accountId: string): Promise<Account | undefined> {
    try {
      const out = await this.db.send(
        new GetCommand({ TableName: this.tables.ledger, Key: accountKey(accountId), ConsistentRead: true }),
      );
      return out.Item ? fromAccountItem(out.Item) : undefined;
    } catch (error) {
      return rethrowAws(error, 'get account');
    }
  }

  /** The account's direct journal lines, then its credit entries (folded or not). */
  async listEntries(accountId: string): Promise<JournalEntry[]> {
    const direct = await queryEntries(this.db, this.tables.ledger, `ACCT#${accountId}`);
    const credits = await listCreditEntries(this.db, this.tables.ledger, accountId);
    return [...direct.map(toJournalEntry), ...credits];
  }

  /**
   * Opens (or replaces) an account, at fold 0. Used by seeding and tests, never by the payment
   * flow. A replaced account's credit entries and fold marks are not touched.
   */
  async putAccount(account: Omit<Account, 'version' | 'foldSeq'>): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tables.ledger,
        Item: {
          ...accountKey(account.accountId),
          type: 'ACCOUNT',
          ...account,
          availableMinor: account.balanceMinor + account.overdraftLimitMinor,
          version: 0,
          foldSeq: 0,
        },
      }),
    );
  }
}

type Tables = { readonly payments: string; readonly ledger: string };

/** The settlement's TransactItems, in the order of the class comment ([0] payment ... [5] event). */
function settlementItems(tables: Tables, m: SettlementMessage, at: string, nowMs: number) {
  return [
    { Update: paymentSettles(tables.payments, m, at, nowMs) },
    { Update: debtorDebit(tables.ledger, m) },
    { Update: creditorCredit(tables.ledger, m) },
    putIfAbsent(tables.ledger, journalLine(m.debtorAccount, m, -m.amountMinor, m.creditorAccount, at)),
    putIfAbsent(tables.ledger, journalLine(m.creditorAccount, m, m.amountMinor, m.debtorAccount, at)),
    putIfAbsent(tables.payments, eventItem(m.paymentId, 'SETTLED', at)),
  ];
}

/** The INBOUND variant's TransactItems ([0] payment ... [4] event: the class comment). */
function inboundSettlementItems(tables: Tables, m: SettlementMessage, at: string, nowMs: number) {
  return [
    { Update: paymentSettles(tables.payments, m, at, nowMs) },
    { Update: debtorDebit(tables.ledger, m) },
    putIfAbsent(tables.ledger, journalLine(m.debtorAccount, m, -m.amountMinor, m.creditorAccount, at)),
    putIfAbsent(tables.ledger, creditEntryItem(m, at)),
    putIfAbsent(tables.payments, eventItem(m.paymentId, 'SETTLED', at)),
  ];
}

/** [0] RECEIVED|ACCEPTED -> SETTLED, before its deadline, only if the message matches the payment. */
function paymentSettles(table: string, m: SettlementMessage, at: string, nowMs: number) {
  return {
    TableName: table,
    Key: paymentKey(m.paymentId),
    UpdateExpression: 'SET #status = :settled, settledAt = :at, version = version + :one REMOVE sweepShard',
    ConditionExpression:
      '#status IN (:received, :accepted) AND deadlineEpochMs >= :nowMs AND amountMinor = :amt' +
      ' AND currency = :cur AND debtorAccount = :debtor AND creditorAccount = :creditor',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':settled': 'SETTLED',
      ':received': 'RECEIVED',
      ':accepted': 'ACCEPTED',
      ':at': at,
      ':one': 1,
      ':nowMs': nowMs,
      ':amt': m.amountMinor,
      ':cur': m.currency,
      ':debtor': m.debtorAccount,
      ':creditor': m.creditorAccount,
    },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  };
}

/** [1] The debtor: owned by the instructing partner, open, same currency, enough available. */
function debtorDebit(table: string, m: SettlementMessage) {
  return {
    TableName: table,
    Key: accountKey(m.debtorAccount),
    UpdateExpression:
      'SET balanceMinor = balanceMinor - :amt, availableMinor = availableMinor - :amt, version = version + :one',
    // The ledger's own guard of ownership: only the account's owner debits it.
    ConditionExpression:
      'attribute_exists(pk) AND ownerPartnerId = :owner AND #status = :open' +
      ' AND currency = :cur AND availableMinor >= :amt',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':amt': m.amountMinor,
      ':one': 1,
      ':owner': m.partnerId,
      ':open': 'OPEN',
      ':cur': m.currency,
    },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  };
}

/** [2] The creditor: open, same currency. */
function creditorCredit(table: string, m: SettlementMessage) {
  return {
    TableName: table,
    Key: accountKey(m.creditorAccount),
    UpdateExpression:
      'SET balanceMinor = balanceMinor + :amt, availableMinor = availableMinor + :amt, version = version + :one',
    ConditionExpression: 'attribute_exists(pk) AND #status = :open AND currency = :cur',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':amt': m.amountMinor, ':one': 1, ':open': 'OPEN', ':cur': m.currency },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  };
}

function putIfAbsent(table: string, item: Record<string, unknown>) {
  return { Put: { TableName: table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } };
}

function journalLine(
  accountId: string,
  m: SettlementMessage,
  amountMinor: number,
  counterparty: string,
  at: string,
) {
  return {
    ...entryKey(accountId, m.paymentId),
    type: 'ENTRY',
    accountId,
    paymentId: m.paymentId,
    amountMinor,
    currency: m.currency,
    counterpartyAccountId: counterparty,
    postedAt: at,
  };
}

function failed(reason: CancellationReason | undefined): boolean {
  return reason?.Code === 'ConditionalCheckFailed';
}

/**
 * Turns the per-item cancellation reasons into a domain outcome (see the class comment): which
 * condition failed, with the state the transaction saw. The domain's rules choose any refusal.
 */
function interpretCancellation(
  reasons: readonly CancellationReason[],
  nowMs: number,
  error: unknown,
): LedgerOutcome {
  const [paymentReason, debtorReason, creditorReason] = reasons;
  if (failed(paymentReason)) return paymentNotSettleable(paymentReason, nowMs, error);
  if (failed(debtorReason) || failed(creditorReason)) {
    // The side whose condition held satisfies every rule of that side; the other side's item is
    // the state the transaction saw (ALL_OLD).
    return {
      kind: 'conditions-failed',
      debtor: failed(debtorReason) ? accountFact(debtorReason) : CONDITIONS_HELD,
      creditor: failed(creditorReason) ? accountFact(creditorReason) : CONDITIONS_HELD,
      cause: error,
    };
  }
  throw new InternalError('settle: journal already holds entries for an unsettled payment', { cause: error });
}

/**
 * The INBOUND variant's cancellation: the payment's and the debtor's conditions ([0], [1]) read as
 * in interpretCancellation; the creditor has no row (its rules held on its profile), and a failed
 * put of the debtor line or the credit entry with a settleable payment is the same bug as there.
 */
function interpretInboundCancellation(
  reasons: readonly CancellationReason[],
  nowMs: number,
  error: unknown,
): LedgerOutcome {
  return interpretCancellation(reasons.slice(0, 2), nowMs, error);
}

/** The payment's condition failed: terminal already, past its deadline, or (poison) not this message. */
function paymentNotSettleable(
  reason: CancellationReason | undefined,
  nowMs: number,
  error: unknown,
): LedgerOutcome {
  const payment = plainItem(reason?.Item);
  if (!payment) return { kind: 'not-settleable', status: undefined, pastDeadline: false };
  const status = payment.status;
  if (status === 'SETTLED' || status === 'REJECTED') {
    return { kind: 'not-settleable', status, pastDeadline: false };
  }
  if (typeof payment.deadlineEpochMs === 'number' && payment.deadlineEpochMs < nowMs) {
    return {
      kind: 'not-settleable',
      status: status === 'RECEIVED' ? 'RECEIVED' : 'ACCEPTED',
      pastDeadline: true,
    };
  }
  // Settleable status, in time, but the message does not match the recorded payment.
  throw new InternalError('settlement message does not match the recorded payment', { cause: error });
}

function accountFact(reason: CancellationReason | undefined): Account | undefined {
  const item = plainItem(reason?.Item);
  return item ? fromAccountItem(item) : undefined;
}
