import type { AdmissionDecision } from '../domain/admission';
import { DuplicateError, OverloadedError, PermanentEnqueueError } from '../domain/errors';
import { uniqueReferences } from '../domain/references';
import { realRetryEnv, withRetry, type RetryEnv, type RetryPolicy } from '../domain/retry';
import { uuidv7 } from '../domain/ids';
import { type Payment, type PaymentInstruction, type RawMessage, type Rejection } from '../domain/payment';
import type { Clock, PaymentQueue, PaymentStore, ReferenceKind } from '../domain/ports';
import { toSettlementMessage } from '../domain/settlement-message';

/** At most ~150 ms of retries on a create conflict, within an API request's time. */
const CREATE_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 80 };

export interface SubmitDeps {
  readonly store: PaymentStore;
  readonly queue: PaymentQueue;
  readonly clock: Clock;
  /** Seconds from acceptance to the settlement deadline (the SLA). */
  readonly slaSeconds: number;
  readonly newId?: (now: number) => string;
  /** Sleep and randomness of the create retry (tests pass deterministic ones). */
  readonly retryEnv?: RetryEnv;
  /**
   * Admission control (shared/domain/admission.ts), asked before anything is written; absent =
   * admit everything.
   */
  readonly admission?: { check(partnerId: string): Promise<AdmissionDecision> };
}

export interface SubmitResult {
  readonly payment: Payment;
  /** True when this instruction had been received before (same partner, EndToEndId, content). */
  readonly duplicate: boolean;
}

/**
 * The settlement deadline: the earlier of acceptance + the SLA and the rail's own clock
 * (FedNow times a payment out 20 s after its CreDtTm, whatever our SLA says).
 */
export function paymentDeadline(nowMs: number, slaSeconds: number, railDeadline?: string): number {
  const sla = nowMs + slaSeconds * 1000;
  const rail = railDeadline !== undefined ? Date.parse(railDeadline) : Number.NaN;
  return Number.isNaN(rail) ? sla : Math.min(sla, rail);
}

/**
 * Records a validated instruction and puts it on the settlement queue.
 *
 * 1. create the payment in RECEIVED with its (partner, EndToEndId) uniqueness key;
 * 2. enqueue it (FIFO, dedup id = payment id);
 * 3. mark it ACCEPTED.
 * A crash or error between the steps leaves the payment RECEIVED; the partner's retry of the
 * same instruction finds it and completes steps 2-3 (the FIFO dedup id stops a double enqueue),
 * and a payment nobody completes is rejected by the deadline sweeper, never left hanging.
 * The same EndToEndId (unless NOTPROVIDED), MsgId, UETR or BizMsgIdr with different content is
 * refused as DUPL, naming the reference that collided.
 *
 * Before step 1, admission control may refuse a new instruction the pipeline cannot settle in
 * time (OverloadedError: 503 / 429 with Retry-After, nothing written, nothing queued). A resend
 * of a payment already recorded (same content) is never refused: it goes on as before and is
 * answered with its status.
 */
export async function submitPayment(
  instruction: PaymentInstruction,
  deps: SubmitDeps,
  options: { raw?: RawMessage } = {},
): Promise<SubmitResult> {
  if (deps.admission) {
    const decision = await deps.admission.check(instruction.partnerId);
    if (!decision.admit && !(await findRecorded(instruction, deps.store))) {
      throw new OverloadedError(decision.reason, decision.retryAfterSeconds);
    }
  }
  const now = deps.clock.now();
  const { railDeadline, ...rest } = instruction;
  const fresh: Payment = {
    ...rest,
    paymentId: (deps.newId ?? uuidv7)(now),
    status: 'RECEIVED',
    createdAt: new Date(now).toISOString(),
    deadline: new Date(paymentDeadline(now, deps.slaSeconds, railDeadline)).toISOString(),
    version: 1,
  };

  // A conflict with a concurrent identical submission (DynamoDB's TransactionConflict on a
  // uniqueness key) is retried briefly: the retry finds the payment the other one recorded.
  const created = await withRetry(
    () => deps.store.create(fresh, options.raw),
    CREATE_RETRY,
    deps.retryEnv ?? realRetryEnv,
  );
  if (!created.created) {
    const existing = created.existing;
    if (existing.contentHash !== instruction.contentHash) {
      throw new DuplicateError(duplicateMessage(created.collidedOn, instruction));
    }
    if (existing.status !== 'RECEIVED') return { payment: existing, duplicate: true };
    return { payment: await enqueueAndAccept(existing, deps), duplicate: true };
  }
  return { payment: await enqueueAndAccept(fresh, deps), duplicate: false };
}

const REFERENCE_NAMES: Readonly<Record<ReferenceKind, string>> = {
  endToEndId: 'EndToEndId',
  msgId: 'MsgId',
  uetr: 'UETR',
  bizMsgIdr: 'AppHdr BizMsgIdr',
};

/** DUPL text naming the reference that collided, e.g. "MsgId '2026...' was already used ...". */
export function duplicateMessage(kind: ReferenceKind, instruction: PaymentInstruction): string {
  const value = instruction.references[kind];
  return (
    `${REFERENCE_NAMES[kind]}${value !== undefined ? ` '${value}'` : ''} was already used ` +
    'for a different payment by this partner'
  );
}

/** What a payment the settlement queue refuses for good is rejected with (recorded, terminal). */
export const ENQUEUE_REFUSED_REJECTION: Rejection = {
  code: 'NARR',
  message: 'the settlement queue refused the payment: it was not queued and will not settle',
};

async function enqueueAndAccept(payment: Payment, deps: SubmitDeps): Promise<Payment> {
  const acceptedAt = new Date(deps.clock.now()).toISOString();
  try {
    await deps.queue.enqueue(toSettlementMessage(payment, acceptedAt));
  } catch (error) {
    if (!(error instanceof PermanentEnqueueError)) throw error;
    // A refusal no retry can cure: make the payment terminal now (the partner is told, not left
    // to wait for the deadline sweeper), never a 500.
    const outcome = await deps.store.reject(payment.paymentId, ENQUEUE_REFUSED_REJECTION, acceptedAt);
    if (outcome.applied) {
      return {
        ...payment,
        status: 'REJECTED',
        rejectedAt: acceptedAt,
        rejection: ENQUEUE_REFUSED_REJECTION,
        version: payment.version + 1,
      };
    }
    return outcome.current ?? payment;
  }
  const outcome = await deps.store.markAccepted(payment.paymentId, acceptedAt);
  if (outcome.applied) return { ...payment, status: 'ACCEPTED', acceptedAt, version: payment.version + 1 };
  // Someone else moved it on already (a concurrent retry, or settle was faster than us).
  return outcome.current ?? payment;
}

/**
 * The payment this instruction was already recorded as (same partner, a uniqueness reference it
 * holds, same content), if any: a resend. Read-only.
 */
export async function findRecorded(
  instruction: PaymentInstruction,
  store: Pick<PaymentStore, 'findByReference'>,
): Promise<Payment | undefined> {
  for (const { kind, value } of uniqueReferences(instruction)) {
    const found = await store.findByReference(instruction.partnerId, kind, value);
    if (found) return found.contentHash === instruction.contentHash ? found : undefined;
  }
  return undefined;
}
