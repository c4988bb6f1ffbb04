import { NotFoundError } from './errors';
import type { Payment } from './payment';
import type { PaymentStore, ReferenceKind } from './ports';

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
