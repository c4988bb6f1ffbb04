import type { Payment } from '../../domain/payment';
import { instruction } from '../../testing/builders';
import { fromPaymentItem, toPaymentItem } from './payment-items';

/** Item shape: the ISO origin reads back whole, the additive senderParticipantId included. */
describe('payment items: IsoOrigin', () => {
  const payment: Payment = {
    ...instruction({ source: 'pacs.008' }),
    iso: {
      rail: 'rtp',
      envelope: 'tch',
      format: 'xml',
      msgNmId: 'pacs.008.001.08',
      instructingAgent: '234567891',
      instructedAgent: '000000010',
      senderParticipantId: '234567891T1',
    },
    paymentId: 'p1',
    status: 'ACCEPTED',
    createdAt: '2026-12-04T12:00:00.000Z',
    deadline: '2026-12-04T12:00:15.000Z',
    version: 2,
  };

  it('keeps the sender participant id through a write and a read', () => {
    const item = JSON.parse(JSON.stringify(toPaymentItem(payment))) as Record<string, unknown>;
    expect(fromPaymentItem(item).iso).toEqual(payment.iso);
  });

  it('reads an item written before the field existed (docs/release.md rule 3)', () => {
    const older: Payment = {
      ...payment,
      iso: { rail: 'rtp', envelope: 'tch', format: 'xml', msgNmId: 'pacs.008.001.08' },
    };
    const item = JSON.parse(JSON.stringify(toPaymentItem(older))) as Record<string, unknown>;
    expect(fromPaymentItem(item).iso).toEqual(older.iso);
  });
});
