import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { isCurrencyCode } from './currency';
import { MalformedRequestError } from './errors';
import type { Payment } from './payment';

/*
 * The queue contract between submit and settle, in one place: the message, how a payment becomes
 * one, its ordering key (the message group) and its validation on receipt. The SQS adapter
 * (shared/adapters/sqs/payment-queue.ts) only encodes and sends it.
 */

/** The message carried on the FIFO queue from submit to settle. Versioned for mixed deploys. */
export interface SettlementMessage {
  readonly v: 1;
  readonly paymentId: string;
  readonly partnerId: string;
  readonly debtorAccount: string;
  readonly creditorAccount: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly deadline: string;
  readonly acceptedAt: string;
  readonly endToEndId: string;
  readonly msgId?: string;
}

export function toSettlementMessage(payment: Payment, acceptedAt: string): SettlementMessage {
  return {
    v: 1,
    paymentId: payment.paymentId,
    partnerId: payment.partnerId,
    debtorAccount: payment.debtorAccount,
    creditorAccount: payment.creditorAccount,
    amountMinor: payment.amount.amountMinor,
    currency: payment.amount.currency,
    deadline: payment.deadline,
    acceptedAt,
    endToEndId: payment.references.endToEndId,
    ...(payment.references.msgId !== undefined ? { msgId: payment.references.msgId } : {}),
  };
}

/**
 * Message group of a payment on the FIFO queue: the debtor account, hashed so the account
 * number never shows in SQS metadata. One group per debtor gives per-debtor ordering and
 * means no two consumers ever debit the same account at once.
 */
export function messageGroupId(debtorAccount: string): string {
  return createHash('sha256').update(debtorAccount).digest('hex').slice(0, 32);
}

/**
 * The queue contract between submit and settle, validated on receipt. Versioned (`v`): a new
 * version of the service must keep accepting the previous version while a deploy shifts traffic.
 */
const SettlementMessageV1 = z.object({
  v: z.literal(1),
  paymentId: z.string().check(z.minLength(1)),
  partnerId: z.string().check(z.minLength(1)),
  debtorAccount: z.string().check(z.minLength(1)),
  creditorAccount: z.string().check(z.minLength(1)),
  amountMinor: z.int().check(z.positive(), z.lte(Number.MAX_SAFE_INTEGER)),
  currency: z.string().check(z.refine(isCurrencyCode)),
  deadline: z.iso.datetime(),
  acceptedAt: z.iso.datetime(),
  endToEndId: z.string().check(z.minLength(1)),
  msgId: z.optional(z.string()),
});

export function parseSettlementMessage(body: string): SettlementMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new MalformedRequestError('settlement message is not JSON');
  }
  const parsed = SettlementMessageV1.safeParse(json);
  if (!parsed.success) {
    throw new MalformedRequestError(
      `invalid settlement message: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
    );
  }
  return parsed.data;
}
