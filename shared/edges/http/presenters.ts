import { formatDecimalAmount } from '../../domain/money';
import type { Payment } from '../../domain/payment';

/** Shows only the last 4 characters of an account id: enough to recognise, never the number. */
export function maskAccount(accountId: string): string {
  const tail = accountId.slice(-4);
  return `${'*'.repeat(Math.max(0, Math.min(accountId.length - 4, 8)))}${tail}`;
}

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
