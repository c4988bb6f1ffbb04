import { USD } from '../../testing/builders';
import { paymentView } from './presenters';

describe('paymentView', () => {
  it('shows accounts as **** and their last 4 characters, the same length whatever the id', () => {
    const view = paymentView({
      paymentId: 'p',
      partnerId: 'bank-a',
      references: { endToEndId: 'E2E-1' },
      debtorAccount: '021000021:1000001',
      creditorAccount: 'DEUTDEFF:DE89370400440532013000',
      amount: { amountMinor: 1050, currency: USD },
      source: 'json',
      contentHash: 'h',
      status: 'ACCEPTED',
      createdAt: '2026-11-18T15:00:00.000Z',
      deadline: '2026-11-18T15:00:15.000Z',
      version: 2,
    });
    expect(view).toMatchObject({
      debtorAccount: '****0001',
      creditorAccount: '****3000',
      amount: { amountMinor: 1050, currency: 'USD', value: '10.50' },
    });
  });
});
