import { payment } from '../../testing/builders';
import { paymentView } from './presenters';

describe('paymentView', () => {
  it('shows accounts as **** and their last 4 characters, the same length whatever the id', () => {
    const view = paymentView(payment({ paymentId: 'p', creditorAccount: 'DEUTDEFF:DE89370400440532013000' }));
    expect(view).toMatchObject({
      debtorAccount: '****0001',
      creditorAccount: '****3000',
      amount: { amountMinor: 1050, currency: 'USD', value: '10.50' },
    });
  });
});
