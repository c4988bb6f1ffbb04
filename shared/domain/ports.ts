import type { Account, JournalEntry } from './account';
import type { Payment, PaymentStatus, RawMessage, Rejection } from './payment';
import type { SettlementMessage } from './settlement-message';
import type { AccountFact } from './ledger-rules';

/**
 * Ports: what the domain needs from the outside world. Adapters (DynamoDB, SQS) implement them
 * in shared/adapters; tests pass in-memory fakes (shared/testing/fakes.ts) without mocking SDKs.
 */

/**
 * Partner references that identify a payment uniquely per partner: EndToEndId (unless it is
 * NOTPROVIDED), MsgId, UETR and the FedNow AppHdr BizMsgIdr.
 */
export type ReferenceKind = 'endToEndId' | 'msgId' | 'uetr' | 'bizMsgIdr';

export type CreateOutcome =
  | { readonly created: true }
  | {
      readonly created: false;
      readonly existing: Payment;
      /** Which of the payment's references was already taken (by `existing`). */
      readonly collidedOn: ReferenceKind;
    };

export type TransitionOutcome =
  { readonly applied: true } | { readonly applied: false; readonly current: Payment | undefined };

export interface PaymentStore {
  /**
   * Records a new payment in RECEIVED, with the raw message (audit) and its uniqueness keys:
   * the partner's EndToEndId (unless NOTPROVIDED), and its MsgId, UETR and BizMsgIdr when
   * given. If any key is taken, returns the payment that holds it and which key collided, and
   * writes nothing. findByReference('endToEndId', 'NOTPROVIDED') finds nothing.
   */
  create(payment: Payment, raw?: RawMessage): Promise<CreateOutcome>;
  get(paymentId: string): Promise<Payment | undefined>;
  findByReference(partnerId: string, kind: ReferenceKind, value: string): Promise<Payment | undefined>;
  /** The raw message the payment was received as, if kept. */
  getRawMessage(paymentId: string): Promise<RawMessage | undefined>;
  /** Ids of payments still RECEIVED / ACCEPTED whose deadline is before `nowMs` (at most `limit`). */
  findPastDeadline(nowMs: number, limit: number): Promise<string[]>;
  /**
   * Marks a payment for investigation (its settlement message is going to the dead-letter
   * queue), recording why. The status does not change: the deadline sweeper makes it terminal.
   */
  flagForInvestigation(paymentId: string, reason: string, at: string): Promise<void>;
  /** RECEIVED -> ACCEPTED (conditional). Applied once; later calls report the current state. */
  markAccepted(paymentId: string, at: string): Promise<TransitionOutcome>;
  /**
   * RECEIVED|ACCEPTED -> REJECTED with a reason (conditional). `onlyIfPastDeadline` makes the
   * write conditional on the deadline having passed (used by the sweeper to race the settler).
   */
  reject(
    paymentId: string,
    rejection: Rejection,
    at: string,
    options?: { onlyIfPastDeadline?: boolean },
  ): Promise<TransitionOutcome>;
}

/** Result of one settlement attempt against the ledger. */
export type LedgerOutcome =
  /** Money moved; payment SETTLED in the same transaction. */
  | { readonly kind: 'settled'; readonly settledAt: string }
  /** The payment is no longer settleable (already terminal, or past its deadline). */
  | {
      readonly kind: 'not-settleable';
      readonly status: PaymentStatus | undefined;
      readonly pastDeadline: boolean;
    }
  /**
   * The transfer broke a ledger condition: the state of each side as the ledger saw it
   * (CONDITIONS_HELD for a side whose condition held, undefined for an absent account). The
   * domain's ordered rules (shared/domain/ledger-rules.ts, refusalFor) choose the refusal and its
   * ISO reason: terminal, never retried. `cause`: the ledger's own error, if any.
   */
  | {
      readonly kind: 'conditions-failed';
      readonly debtor: AccountFact;
      readonly creditor: AccountFact;
      readonly cause?: unknown;
    };

export interface Ledger {
  /**
   * Moves the money for one payment atomically with its status change (ACCEPTED -> SETTLED).
   * Throws TransientError for conflicts / throttling / network failures (retry is safe).
   * `attemptId` identifies one settlement attempt and its retries: retries of an attempt are
   * deduplicated by DynamoDB (ClientRequestToken); a different attempt is not.
   */
  settle(message: SettlementMessage, at: string, attemptId: string): Promise<LedgerOutcome>;
  getAccount(accountId: string): Promise<Account | undefined>;
  /** The account's journal: its direct lines and its credit entries (folded or not). */
  listEntries(accountId: string): Promise<JournalEntry[]>;
  /**
   * The creditor's profile for choosing the credit path (mode, status, currency, owner): may be
   * a few seconds old (the DynamoDB adapter reads eventually consistently and caches it briefly).
   * Optional with settleInbound: a ledger without them credits every account directly.
   */
  creditProfile?(accountId: string): Promise<Account | undefined>;
  /**
   * Like settle, for an INBOUND creditor whose rules held on its recent profile: the debtor side
   * and the payment exactly as settle, and the credit as an immutable credit entry keyed by the
   * payment id (written only if absent); the creditor's account item is not written (nor checked:
   * a `conditions-failed` outcome always has creditor CONDITIONS_HELD).
   */
  settleInbound?(message: SettlementMessage, at: string, attemptId: string): Promise<LedgerOutcome>;
}

/** Credits per fold transaction at most: a DynamoDB transaction holds <= 100 items (99 marks + the account). */
export const MAX_FOLD_BATCH = 99;

/** The answer of one fold transaction (CreditFolds.commitFold). */
export type FoldCommit =
  /** Committed: the credits are in the balance and each carries its fold mark. */
  | { readonly kind: 'folded'; readonly foldSeq: number }
  /** Another fold committed since the account was read (its foldSeq moved): nothing written. */
  | { readonly kind: 'seq-moved' }
  /** These entries already carry a fold mark: nothing written. */
  | { readonly kind: 'already-folded'; readonly paymentIds: readonly string[] }
  /** No such account: nothing written. */
  | { readonly kind: 'no-account' };

/** The folder's view of the ledger: credit entries not folded yet, and the fold transaction. */
export interface CreditFolds {
  /** Consistent read of the account (its foldSeq included). */
  getAccount(accountId: string): Promise<Account | undefined>;
  /** Up to `limit` credit entries of the account without a fold mark (consistent reads). */
  unfoldedCredits(accountId: string, limit: number): Promise<JournalEntry[]>;
  /**
   * ONE atomic write: balance and available += the credits' sum, foldSeq = account.foldSeq + 1,
   * version + 1, only if the account's foldSeq is still `account`'s; one fold mark per credit
   * (stamped `at`), each only if absent. At most MAX_FOLD_BATCH credits. Throws TransientError
   * on a conflict (e.g. with a debit of the account) or throttling: retrying the same call (same
   * arguments) is safe, and deduplicated by the DynamoDB adapter's ClientRequestToken.
   */
  commitFold(account: Account, credits: readonly JournalEntry[], at: string): Promise<FoldCommit>;
}

export interface PaymentQueue {
  /** Enqueues on the FIFO queue: group = debtor account, dedup id = payment id. */
  enqueue(message: SettlementMessage): Promise<void>;
}

export interface VisibilityChange {
  readonly receiptHandle: string;
  readonly visibilityTimeoutSeconds: number;
}

/** Changes the visibility of received messages (the settle consumer's retry backoff). */
export interface MessageVisibility {
  /**
   * Resolves with the number of entries SQS refused; throws when a call fails or takes longer
   * than `timeoutMs` (the caller's remaining time: the call must never outlive the invocation).
   */
  change(changes: readonly VisibilityChange[], timeoutMs?: number): Promise<number>;
}

/**
 * A settlement message that can never succeed (poison), on its way to the dead-letter queue: sent
 * there by the settle consumer itself, so the rest of its message group need not wait behind it.
 */
export interface DeadLetter {
  /** The original body, byte for byte (the DLQ message is what the redrive tool puts back). */
  readonly body: string;
  /** The original message group: per-debtor order is kept in the DLQ and on a redrive. */
  readonly messageGroupId: string;
  /** The original message id: the deduplication id is derived from it (a redelivery sends nothing new). */
  readonly sourceMessageId: string;
  /** The receive (ApproximateReceiveCount) on which it was found to be poison. */
  readonly receiveCount: number;
  /** Why it can never succeed: a closed set of short codes (shared/edges/queue/failure-class.ts). */
  readonly reason: string;
  /** The error, short and printable: `<name>: <message>`. */
  readonly detail: string;
  /** The original message's string attributes (paymentId, partnerId), kept for the redrive tool. */
  readonly attributes: Readonly<Record<string, string>>;
}

/** The payments dead-letter queue (FIFO). */
export interface DeadLetterQueue {
  /**
   * Sends one dead letter; resolves once SQS has it. Sending the same letter again (same
   * sourceMessageId) within the FIFO deduplication window (5 minutes) adds nothing. Throws when the
   * call fails or takes longer than `timeoutMs` (it must never outlive the invocation).
   */
  send(letter: DeadLetter, timeoutMs: number): Promise<void>;
}

/** Counts requests per key and second; refuses beyond the limit (fixed one-second windows). */
export interface RateLimiter {
  /** True when the request fits in this second's budget (and counts it), false when over. */
  consume(key: string, limitPerSecond: number, nowMs: number): Promise<boolean>;
}

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
