import { randomUUID } from 'node:crypto';
import { InternalError, TransientError } from '../domain/errors';
import { creditModeOf } from '../domain/account';
import { creditorRulesHold, refusalFor, type LedgerRuleId } from '../domain/ledger-rules';
import type { PaymentStatus, Rejection } from '../domain/payment';
import type { Clock, Ledger, LedgerOutcome, PaymentStore } from '../domain/ports';
import type { ReasonCode } from '../domain/reasons';
import { withRetry, type RetryEnv, type RetryPolicy } from '../domain/retry';
import type { SettlementMessage } from '../domain/settlement-message';

export interface SettleDeps {
  readonly ledger: Ledger;
  readonly store: PaymentStore;
  readonly clock: Clock;
  readonly retry: RetryPolicy;
  readonly retryEnv: RetryEnv;
  /**
   * How long a ledger transaction may be in flight between being sent and committing (at most the
   * DynamoDB client's request timeout, shared/adapters/aws-clients.ts). No transaction is sent later
   * than this before the deadline, so none commits after it (default DEFAULT_COMMIT_MARGIN_MS).
   */
  readonly commitMarginMs?: number;
  /**
   * Credit INBOUND creditors with credit entries (docs/design/hot-accounts-and-regions.md). Off
   * by default: nothing folds entries in the pipeline yet (design step 4, the trigger), so an
   * INBOUND account's credits would stay unfolded; and off, settle reads no creditor profile
   * (one GetItem fewer per payment).
   */
  readonly inboundCredits?: boolean;
}

/**
 * ledgerCommitMarginMs of the production SDK settings (aws-clients.ts): 2 attempts x (300 ms connect
 * + 800 ms request) + 100 ms backoff.
 */
export const DEFAULT_COMMIT_MARGIN_MS = 2_300;

export interface SettleResult {
  readonly paymentId: string;
  readonly status: Extract<PaymentStatus, 'SETTLED' | 'REJECTED'>;
  readonly reasonCode?: ReasonCode;
  /** True when the payment was already terminal: nothing was written this time. */
  readonly replay: boolean;
  /** The ledger rule that refused it (operators' logs only; the partner sees reasonCode). */
  readonly rule?: LedgerRuleId;
}

/** Rejection used when a payment cannot settle before its deadline. */
export const DEADLINE_REJECTION: Rejection = {
  code: 'AB06',
  message: 'payment could not be settled before its deadline',
};

/**
 * Settles one payment: moves the money and marks it SETTLED in one ledger transaction, or
 * records a terminal rejection with its ISO reason. Safe to run any number of times for the
 * same message, concurrently or after a crash at any point: the ledger transaction's
 * conditions make SETTLED happen at most once, and every later run only reports the outcome.
 *
 * Errors: TransientError after the retry budget (the message is redelivered later);
 * InternalError when the message cannot be reconciled with the recorded payment (poison: the
 * settle consumer sends it to the dead-letter queue at once, shared/edges/queue/failure-class.ts).
 */
export async function settlePayment(message: SettlementMessage, deps: SettleDeps): Promise<SettleResult> {
  const now = deps.clock.now();
  const at = new Date(now).toISOString();
  const deadlineMs = Date.parse(message.deadline);
  const commitMarginMs = deps.commitMarginMs ?? DEFAULT_COMMIT_MARGIN_MS;

  if (now > deadlineMs) return reject(message.paymentId, DEADLINE_REJECTION, at, deps);

  // Retries are bounded by time, not by a small count: they go on while the payment's deadline
  // and the invocation allow. One attempt id and the same `at` for every retry: identical
  // requests, so a retry after a lost response is deduplicated by DynamoDB (ClientRequestToken)
  // and reports the settlement. `at` is when settlement started, so the transaction's own
  // `deadlineEpochMs >= :nowMs` condition alone would let a late retry commit after the
  // deadline: no attempt is therefore SENT unless it can commit before the deadline (the commit
  // margin: the DynamoDB client's worst case from send to answer). Past that point the payment
  // is rejected AB06 at once: a settlement never commits after its deadline.
  const attemptId = randomUUID();
  // The credit path is chosen once per attempt id: its retries must be identical requests.
  let path: CreditPath | undefined;
  const invocationBudget = () => deps.retryEnv.remainingMs?.() ?? Number.POSITIVE_INFINITY;
  const deadlineBudget = () => deadlineMs - commitMarginMs - deps.clock.now();
  const retryEnv = {
    ...deps.retryEnv,
    remainingMs: () => Math.min(invocationBudget(), deadlineBudget()),
  };
  const outcome = await withRetry(
    async (): Promise<LedgerOutcome | { readonly kind: 'too-late' }> => {
      const sentAt = deps.clock.now();
      if (sentAt + commitMarginMs > deadlineMs) return { kind: 'too-late' };
      if (invocationBudget() <= 0) {
        // No time left in this invocation for a transaction: the record is retried by the queue.
        throw new TransientError('no time left in this invocation to settle');
      }
      path ??= deps.inboundCredits === true ? await creditPath(message, deps.ledger) : 'DIRECT';
      if (path === 'INBOUND' && deps.ledger.settleInbound)
        return deps.ledger.settleInbound(message, at, attemptId);
      return deps.ledger.settle(message, at, attemptId);
    },
    deps.retry,
    retryEnv,
  ).catch((error: unknown) => {
    // Out of retries because no attempt could still be sent in time: the payment cannot settle
    // before its deadline; reject it now rather than on a redelivery.
    if (
      error instanceof TransientError &&
      deadlineBudget() <= deps.retry.maxDelayMs &&
      deadlineBudget() <= invocationBudget()
    )
      return { kind: 'too-late' } as const;
    throw error;
  });
  if (outcome.kind === 'too-late') return reject(message.paymentId, DEADLINE_REJECTION, at, deps);
  return settled(outcome, message, at, deps);
}

type CreditPath = 'DIRECT' | 'INBOUND';

/**
 * INBOUND when the creditor's recent profile is INBOUND and every creditor rule holds on it: the
 * credit becomes a credit entry, folded later (docs/design/hot-accounts-and-regions.md §4.2).
 * Otherwise DIRECT, today's transaction, whose conditions on the creditor's item decide: an
 * unknown, closed, blocked or foreign-currency creditor is refused exactly as before, whatever
 * its mode, and a stale profile costs at most a direct credit to an INBOUND account (both kinds
 * of credit may coexist). The profile is not a condition of the INBOUND transaction: a creditor
 * closed or blocked after it was read may still receive an entry (design §4.2).
 */
async function creditPath(message: SettlementMessage, ledger: Ledger): Promise<CreditPath> {
  if (!ledger.creditProfile || !ledger.settleInbound) return 'DIRECT';
  const profile = await ledger.creditProfile(message.creditorAccount);
  if (!profile || creditModeOf(profile) !== 'INBOUND') return 'DIRECT';
  return creditorRulesHold(message, profile) ? 'INBOUND' : 'DIRECT';
}

/** What the ledger's answer means for the payment. */
async function settled(
  outcome: LedgerOutcome,
  message: SettlementMessage,
  at: string,
  deps: SettleDeps,
): Promise<SettleResult> {
  switch (outcome.kind) {
    case 'settled':
      return { paymentId: message.paymentId, status: 'SETTLED', replay: false };
    case 'conditions-failed': {
      // The domain's ordered rules choose the refusal and its ISO reason.
      const refusal = refusalFor(message, outcome.debtor, outcome.creditor, outcome.cause);
      const rejection = { code: refusal.code, message: refusal.message };
      const result = await reject(message.paymentId, rejection, at, deps);
      return result.replay ? result : { ...result, rule: refusal.rule };
    }
    case 'not-settleable':
      if (outcome.pastDeadline) return reject(message.paymentId, DEADLINE_REJECTION, at, deps);
      if (outcome.status === undefined) {
        throw new InternalError(`settlement message for unknown payment ${message.paymentId}`);
      }
      return currentOutcome(message.paymentId, deps);
  }
}

async function reject(
  paymentId: string,
  rejection: Rejection,
  at: string,
  deps: SettleDeps,
): Promise<SettleResult> {
  const outcome = await withRetry(
    () => deps.store.reject(paymentId, rejection, at),
    deps.retry,
    deps.retryEnv,
  );
  if (outcome.applied) return { paymentId, status: 'REJECTED', reasonCode: rejection.code, replay: false };
  return currentOutcome(paymentId, deps);
}

/** The payment is already terminal (an earlier or concurrent run got there): report it. */
async function currentOutcome(paymentId: string, deps: SettleDeps): Promise<SettleResult> {
  const payment = await deps.store.get(paymentId);
  if (!payment) throw new InternalError(`settlement message for unknown payment ${paymentId}`);
  if (payment.status === 'SETTLED') return { paymentId, status: 'SETTLED', replay: true };
  if (payment.status === 'REJECTED') {
    return {
      paymentId,
      status: 'REJECTED',
      replay: true,
      ...(payment.rejection ? { reasonCode: payment.rejection.code } : {}),
    };
  }
  throw new InternalError(`payment ${paymentId} is ${payment.status} after a refused transition`);
}
