import { maskAccount } from '../../domain/account';
import { formatDecimalAmount } from '../../domain/money';
import type { Payment } from '../../domain/payment';

/** The JSON status view of a payment returned to its partner. */
export function paymentView(payment: Payment) {
  return {
    paymentId: payment.paymentId,
    status: payment.status,
    endToEndId: payment.references.endToEndId,
    ...(payment.references.msgId !== undefined ? { msgId: payment.references.msgId } : {}),
    ...(payment.references.uetr !== undefined ? { uetr: payment.references.uetr } : {}),
    amount: {
      amountMinor: payment.amount.amountMinor,
      currency: payment.amount.currency,
      value: formatDecimalAmount(payment.amount),
    },
    debtorAccount: maskAccount(payment.debtorAccount),
    creditorAccount: maskAccount(payment.creditorAccount),
    createdAt: payment.createdAt,
    deadline: payment.deadline,
    ...(payment.acceptedAt !== undefined ? { acceptedAt: payment.acceptedAt } : {}),
    ...(payment.settledAt !== undefined ? { settledAt: payment.settledAt } : {}),
    ...(payment.rejectedAt !== undefined ? { rejectedAt: payment.rejectedAt } : {}),
    ...(payment.rejection !== undefined ? { rejection: payment.rejection } : {}),
  };
}
