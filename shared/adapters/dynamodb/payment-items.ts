import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import * as z from 'zod/mini';
import { isCurrencyCode, type CurrencyCode } from '../../domain/currency';
import { InternalError } from '../../domain/errors';
import type { IsoOrigin, Payment, PaymentStatus } from '../../domain/payment';
import type { ReferenceKind } from '../../domain/ports';
import { uniqueReferences } from '../../domain/references';

export { isUniquenessKey, uniqueReferences } from '../../domain/references';
import { isReasonCode, type ReasonCode } from '../../domain/reasons';

/**
 * Payments table item layout (pk/sk single table):
 *
 *   pk = PAY#<paymentId>           sk = PAYMENT              the payment (current state)
 *   pk = PAY#<paymentId>           sk = EVENT#<n>#<STATUS>   one immutable item per state change
 *   pk = PAY#<paymentId>           sk = RAW                  the message as received (audit, immutable)
 *   pk = E2E#<partner>#<e2eId>     sk = KEY                  uniqueness of the partner's EndToEndId
 *   pk = MSG#<partner>#<msgId>     sk = KEY                  uniqueness of the partner's MsgId
 *   pk = UETR#<partner>#<uetr>     sk = KEY                  uniqueness of the UETR
 *   pk = BIZ#<partner>#<bizMsgIdr> sk = KEY                  uniqueness of the FedNow AppHdr BizMsgIdr
 *
 * An EndToEndId of NOTPROVIDED (ISO: the originator gave none) claims no key: two different
 * payments may both carry it, and a look-up by it finds nothing.
 *
 * Open payments (RECEIVED / ACCEPTED) also carry `sweepShard` = OPEN#<0..3>: the sparse
 * `byDeadline` index (sweepShard, deadlineEpochMs) lists exactly the payments that are not yet
 * terminal, by deadline, for the deadline sweeper. Every terminal transition REMOVEs it.
 *
 * Event sort keys are ordinal (1 RECEIVED, 2 ACCEPTED, 3 SETTLED|REJECTED): each transition
 * happens at most once, so a conditional put on the event item also guards the transition.
 */
export const paymentKey = (paymentId: string) => ({ pk: `PAY#${paymentId}`, sk: 'PAYMENT' });
export const SWEEP_SHARDS = 4;

/** Shard of the byDeadline index for a payment (spreads open payments over a few partitions). */
export function sweepShard(paymentId: string): string {
  let h = 0;
  for (let i = 0; i < paymentId.length; i++) h = (h * 31 + paymentId.charCodeAt(i)) >>> 0;
  return `OPEN#${h % SWEEP_SHARDS}`;
}

export const rawKey = (paymentId: string) => ({ pk: `PAY#${paymentId}`, sk: 'RAW' });

const KEY_PREFIX: Record<ReferenceKind, string> = {
  endToEndId: 'E2E',
  msgId: 'MSG',
  uetr: 'UETR',
  bizMsgIdr: 'BIZ',
};

export const referenceKey = (partnerId: string, kind: ReferenceKind, value: string) => ({
  pk: `${KEY_PREFIX[kind]}#${partnerId}#${kind === 'uetr' ? value.toLowerCase() : value}`,
  sk: 'KEY',
});

/** The uniqueness keys a payment claims (see uniqueReferences). */
export function referenceKeys(payment: Payment): { kind: ReferenceKind; key: { pk: string; sk: string } }[] {
  return uniqueReferences(payment).map(({ kind, value }) => ({
    kind,
    key: referenceKey(payment.partnerId, kind, value),
  }));
}

const EVENT_ORDINAL: Record<PaymentStatus, number> = { RECEIVED: 1, ACCEPTED: 2, SETTLED: 3, REJECTED: 3 };

export function eventItem(
  paymentId: string,
  status: PaymentStatus,
  at: string,
  detail?: Record<string, unknown>,
) {
  return {
    pk: `PAY#${paymentId}`,
    sk: `EVENT#${EVENT_ORDINAL[status]}#${status}`,
    type: 'PAYMENT_EVENT',
    paymentId,
    status,
    at,
    ...detail,
  };
}

export function toPaymentItem(payment: Payment): Record<string, unknown> {
  const r = payment.references;
  return {
    ...paymentKey(payment.paymentId),
    type: 'PAYMENT',
    paymentId: payment.paymentId,
    partnerId: payment.partnerId,
    status: payment.status,
    endToEndId: r.endToEndId,
    msgId: r.msgId,
    bizMsgIdr: r.bizMsgIdr,
    instrId: r.instrId,
    txId: r.txId,
    uetr: r.uetr,
    debtorAccount: payment.debtorAccount,
    creditorAccount: payment.creditorAccount,
    amountMinor: payment.amount.amountMinor,
    currency: payment.amount.currency,
    settlementDate: payment.settlementDate,
    source: payment.source,
    contentHash: payment.contentHash,
    createdAt: payment.createdAt,
    acceptedAt: payment.acceptedAt,
    settledAt: payment.settledAt,
    rejectedAt: payment.rejectedAt,
    deadline: payment.deadline,
    deadlineEpochMs: Date.parse(payment.deadline),
    sweepShard:
      payment.status === 'RECEIVED' || payment.status === 'ACCEPTED'
        ? sweepShard(payment.paymentId)
        : undefined,
    rejectionCode: payment.rejection?.code,
    rejectionMessage: payment.rejection?.message,
    iso: payment.iso,
    version: payment.version,
  };
}

const optionalString = z.optional(z.string());
const int = z.int();
const PaymentItemSchema = z.object({
  paymentId: z.string(),
  partnerId: z.string(),
  status: z.enum(['RECEIVED', 'ACCEPTED', 'SETTLED', 'REJECTED']),
  endToEndId: z.string(),
  msgId: optionalString,
  bizMsgIdr: optionalString,
  instrId: optionalString,
  txId: optionalString,
  uetr: optionalString,
  debtorAccount: z.string(),
  creditorAccount: z.string(),
  amountMinor: int,
  currency: z.string().check(z.refine(isCurrencyCode)),
  settlementDate: optionalString,
  source: z.enum(['json', 'pacs.008']),
  contentHash: z.string(),
  createdAt: z.string(),
  acceptedAt: optionalString,
  settledAt: optionalString,
  rejectedAt: optionalString,
  deadline: z.string(),
  rejectionCode: z.optional(z.custom<ReasonCode>((v) => typeof v === 'string' && isReasonCode(v))),
  rejectionMessage: optionalString,
  iso: z.optional(
    z.object({
      rail: z.enum(['fednow', 'rtp']),
      envelope: z.enum(['document', 'fednow', 'tch']),
      format: z.enum(['xml', 'json']),
      msgNmId: z.string(),
      creDtTm: optionalString,
      instructingAgent: optionalString,
      instructedAgent: optionalString,
      senderParticipantId: optionalString,
    }),
  ),
  version: int,
});

/** Reads a payment item back into the domain model, refusing corrupt data loudly. */
export function fromPaymentItem(item: Record<string, unknown>): Payment {
  const parsed = PaymentItemSchema.safeParse(item);
  if (!parsed.success) {
    throw new InternalError(`corrupt payment item: ${parsed.error.issues[0]?.path.join('.') ?? '?'}`);
  }
  const i = parsed.data;
  const references = {
    endToEndId: i.endToEndId,
    ...(i.msgId !== undefined ? { msgId: i.msgId } : {}),
    ...(i.bizMsgIdr !== undefined ? { bizMsgIdr: i.bizMsgIdr } : {}),
    ...(i.instrId !== undefined ? { instrId: i.instrId } : {}),
    ...(i.txId !== undefined ? { txId: i.txId } : {}),
    ...(i.uetr !== undefined ? { uetr: i.uetr } : {}),
  };
  return {
    paymentId: i.paymentId,
    partnerId: i.partnerId,
    status: i.status,
    references,
    debtorAccount: i.debtorAccount,
    creditorAccount: i.creditorAccount,
    amount: { amountMinor: i.amountMinor, currency: i.currency as CurrencyCode },
    ...(i.settlementDate !== undefined ? { settlementDate: i.settlementDate } : {}),
    source: i.source,
    contentHash: i.contentHash,
    createdAt: i.createdAt,
    ...(i.acceptedAt !== undefined ? { acceptedAt: i.acceptedAt } : {}),
    ...(i.settledAt !== undefined ? { settledAt: i.settledAt } : {}),
    ...(i.rejectedAt !== undefined ? { rejectedAt: i.rejectedAt } : {}),
    deadline: i.deadline,
    ...(i.rejectionCode !== undefined
      ? { rejection: { code: i.rejectionCode, message: i.rejectionMessage ?? '' } }
      : {}),
    ...(i.iso !== undefined ? { iso: withoutUndefined(i.iso) as IsoOrigin } : {}),
    version: i.version,
  };
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Items in TransactionCanceledException.CancellationReasons come back in the low-level
 * AttributeValue form even through the document client: normalise them.
 */
export function plainItem(item: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!item) return undefined;
  const looksRaw = Object.values(item).every(
    (v) => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 1,
  );
  return looksRaw ? unmarshall(item as Record<string, AttributeValue>) : item;
}
