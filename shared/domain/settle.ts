import { randomUUID } from 'node:crypto';
import { InternalError } from './errors';
import type { LedgerRuleId } from './ledger-rules';
import type { PaymentStatus, Rejection, SettlementMessage } from './payment';
import type { Clock, Ledger, PaymentStore } from './ports';
import type { ReasonCode } from './reasons';
import { withRetry, type RetryEnv, type RetryPolicy } from './retry';

export interface SettleDeps {
  readonly ledger: Ledger;
  readonly store: PaymentStore;
  readonly clock: Clock;
  readonly retry: RetryPolicy;
  readonly retryEnv: RetryEnv;
}

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
 * InternalError when the message cannot be reconciled with the recorded payment (poison:
 * it ends in the dead-letter queue after maxReceiveCount).
 */
export async function settlePayment(message: SettlementMessage, deps: SettleDeps): Promise<SettleResult> {
  const now = deps.clock.now();
  const at = new Date(now).toISOString();

  if (now > Date.parse(message.deadline)) return reject(message.paymentId, DEADLINE_REJECTION, at, deps);

  // One attempt id and the same `at` for every retry: identical requests, deduplicated by the
  // ledger's ClientRequestToken if a response was lost.
  // No retry may start after the deadline: a settlement is decided before it, or rejected.
  const attemptId = randomUUID();
  const deadlineMs = Date.parse(message.deadline);
  const retryEnv = {
    ...deps.retryEnv,
    remainingMs: () =>
      Math.min(deps.retryEnv.remainingMs?.() ?? Number.POSITIVE_INFINITY, deadlineMs - deps.clock.now()),
  };
  const outcome = await withRetry(() => deps.ledger.settle(message, at, attemptId), deps.retry, retryEnv);
  switch (outcome.kind) {
    case 'settled':
      return { paymentId: message.paymentId, status: 'SETTLED', replay: false };
    case 'refused': {
      const result = await reject(
        message.paymentId,
        { code: outcome.code, message: outcome.message },
        at,
        deps,
      );
      return result.replay ? result : { ...result, rule: outcome.rule };
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
