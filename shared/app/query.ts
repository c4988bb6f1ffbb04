import { MalformedRequestError, NotFoundError } from '../domain/errors';
import type { Payment } from '../domain/payment';
import type { PaymentStore, ReferenceKind } from '../domain/ports';

/**
 * A partner sees only its own payments: someone else's payment answers exactly like a
 * payment that does not exist, so ids cannot be probed.
 */
export async function getPaymentForPartner(
  store: PaymentStore,
  partnerId: string,
  paymentId: string,
): Promise<Payment> {
  const payment = await store.get(paymentId);
  if (!payment || payment.partnerId !== partnerId) throw new NotFoundError('payment not found');
  return payment;
}

/** Lookup by the partner's own reference; references are unique per partner, never across. */
export async function findPaymentForPartner(
  store: PaymentStore,
  partnerId: string,
  kind: ReferenceKind,
  value: string,
): Promise<Payment> {
  const payment = await store.findByReference(partnerId, kind, value);
  if (!payment || payment.partnerId !== partnerId) throw new NotFoundError('payment not found');
  return payment;
}

/**
 * What a status request (pacs.028) says about the payment it asks for: every reference the
 * partner gave, each of which must identify the same payment.
 */
export interface PaymentQueryReferences {
  readonly msgId?: string;
  readonly msgNmId?: string;
  readonly creDtTm?: string;
  readonly endToEndId?: string;
  readonly instrId?: string;
  readonly txId?: string;
  readonly uetr?: string;
}

export type QueryReferenceField = keyof PaymentQueryReferences;

const EXPLICIT_OFFSET = /(Z|[+-]\d{2}:\d{2})$/i;

/**
 * Two ISO date-times name the same instant: equal text, or both with an explicit offset (`Z` or
 * `±hh:mm`) and the same instant (`10:55:26-04:00` = `14:55:26.000Z`). A local time without an
 * offset (RTP sends them) matches only the same text: its instant is unknown.
 */
export function sameDateTime(a: string, b: string): boolean {
  if (a === b) return true;
  if (!EXPLICIT_OFFSET.test(a) || !EXPLICIT_OFFSET.test(b)) return false;
  const [ta, tb] = [Date.parse(a), Date.parse(b)];
  return Number.isFinite(ta) && ta === tb;
}

/**
 * The references of `refs` that do NOT identify `payment` (empty: every one does). A reference
 * the payment does not have (an InstrId the payment was sent without, a MsgNmId for a payment
 * that did not come as an ISO message) does not identify it. UETRs compare case-insensitively
 * (the UUID is the same), OrgnlCreDtTm as an instant (sameDateTime), the rest exactly.
 */
export function referenceMismatches(payment: Payment, refs: PaymentQueryReferences): QueryReferenceField[] {
  const own = payment.references;
  const checks: [QueryReferenceField, string | undefined, (given: string, have: string) => boolean][] = [
    ['msgId', own.msgId, (g, h) => g === h],
    ['msgNmId', payment.iso?.msgNmId, (g, h) => g === h],
    ['creDtTm', payment.iso?.creDtTm, sameDateTime],
    ['endToEndId', own.endToEndId, (g, h) => g === h],
    ['instrId', own.instrId, (g, h) => g === h],
    ['txId', own.txId, (g, h) => g === h],
    ['uetr', own.uetr, (g, h) => g.toLowerCase() === h.toLowerCase()],
  ];
  const mismatches: QueryReferenceField[] = [];
  for (const [field, have, same] of checks) {
    const given = refs[field];
    if (given === undefined) continue;
    if (have === undefined || !same(given, have)) mismatches.push(field);
  }
  return mismatches;
}

/**
 * The partner's payment that EVERY given reference identifies. It is read by one indexed
 * reference (UETR, else EndToEndId, else MsgId: each unique per partner) and then must carry all
 * the others: a request that mixes references of two payments, or names a reference never sent
 * next to one that was, is answered like an unknown payment (NotFoundError), never with the
 * status of whichever payment one of its references found. Throws MalformedRequestError if no
 * indexed reference is given.
 */
export async function findPaymentByEveryReference(
  store: PaymentStore,
  partnerId: string,
  refs: PaymentQueryReferences,
): Promise<Payment> {
  const [kind, value]: [ReferenceKind, string | undefined] =
    refs.uetr !== undefined
      ? ['uetr', refs.uetr]
      : refs.endToEndId !== undefined
        ? ['endToEndId', refs.endToEndId]
        : ['msgId', refs.msgId];
  if (value === undefined)
    throw new MalformedRequestError(
      'the status request names the payment by none of UETR, EndToEndId, MsgId',
    );
  const payment = await findPaymentForPartner(store, partnerId, kind, value);
  if (referenceMismatches(payment, refs).length > 0) throw new NotFoundError('payment not found');
  return payment;
}
