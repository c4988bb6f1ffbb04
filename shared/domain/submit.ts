import { DuplicateError, PermanentEnqueueError } from './errors';
import { uuidv7 } from './ids';
import {
  toSettlementMessage,
  type Payment,
  type PaymentInstruction,
  type RawMessage,
  type Rejection,
} from './payment';
import type { Clock, PaymentQueue, PaymentStore } from './ports';

export interface SubmitDeps {
  readonly store: PaymentStore;
  readonly queue: PaymentQueue;
  readonly clock: Clock;
  /** Seconds from acceptance to the settlement deadline (the SLA). */
  readonly slaSeconds: number;
  readonly newId?: (now: number) => string;
}

export interface SubmitResult {
  readonly payment: Payment;
  /** True when this instruction had been received before (same partner, EndToEndId, content). */
  readonly duplicate: boolean;
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
 * The same EndToEndId (or MsgId, or UETR) with different content is refused as DUPL.
 */
export async function submitPayment(
  instruction: PaymentInstruction,
  deps: SubmitDeps,
  options: { raw?: RawMessage } = {},
): Promise<SubmitResult> {
  const now = deps.clock.now();
  const fresh: Payment = {
    ...instruction,
    paymentId: (deps.newId ?? uuidv7)(now),
    status: 'RECEIVED',
    createdAt: new Date(now).toISOString(),
    deadline: new Date(now + deps.slaSeconds * 1000).toISOString(),
    version: 1,
  };

  const created = await deps.store.create(fresh, options.raw);
  if (!created.created) {
    const existing = created.existing;
    if (existing.contentHash !== instruction.contentHash) {
      throw new DuplicateError(
        `a reference of this payment (EndToEndId '${instruction.references.endToEndId}', MsgId or UETR) ` +
          'was already used for a different payment',
      );
    }
    if (existing.status !== 'RECEIVED') return { payment: existing, duplicate: true };
    return { payment: await enqueueAndAccept(existing, deps), duplicate: true };
  }
  return { payment: await enqueueAndAccept(fresh, deps), duplicate: false };
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
