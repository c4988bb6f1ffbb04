import type { Payment } from './payment';
import type { ReferenceKind } from './ports';

/** ISO 20022: an EndToEndId of NOTPROVIDED means the originator gave none; it identifies nothing. */
export const END_TO_END_NOT_PROVIDED = 'NOTPROVIDED';

/** Whether a reference value identifies a payment (NOTPROVIDED as EndToEndId does not). */
export function isUniquenessKey(kind: ReferenceKind, value: string): boolean {
  return !(kind === 'endToEndId' && value === END_TO_END_NOT_PROVIDED);
}

/** The references of a payment that are uniqueness keys (EndToEndId unless NOTPROVIDED, MsgId, UETR, BizMsgIdr). */
export function uniqueReferences(
  payment: Pick<Payment, 'references'>,
): { kind: ReferenceKind; value: string }[] {
  const r = payment.references;
  const all: [ReferenceKind, string | undefined][] = [
    ['endToEndId', r.endToEndId],
    ['msgId', r.msgId],
    ['uetr', r.uetr],
    ['bizMsgIdr', r.bizMsgIdr],
  ];
  return all.flatMap(([kind, value]) =>
    value !== undefined && isUniquenessKey(kind, value) ? [{ kind, value }] : [],
  );
}
