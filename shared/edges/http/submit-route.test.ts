import type { IsoAnswer, SubmitOutcome } from '../../app/submit-outcome';
import { DuplicateError, NotPermittedError, OverloadedError, ValidationError } from '../../domain/errors';
import type { Payment, PaymentStatus } from '../../domain/payment';
import { payment } from '../../testing/builders';
import { render } from './submit-route';

const PAYMENT: Payment = payment();
const answer = (reports: PaymentStatus): IsoAnswer => ({
  contentType: 'application/xml',
  body: `<pacs.002 reports="${reports}"/>`,
  reports,
});
const recorded = (kind: 'accepted' | 'duplicate', status: PaymentStatus, reports?: PaymentStatus) =>
  render({ kind, payment: { ...PAYMENT, status }, ...(reports ? { answer: answer(reports) } : {}) });

describe('render (POST /payments outcome -> HTTP)', () => {
  it('answers the JSON form 202 in flight, 200 once final, with Location and the JSON view', () => {
    for (const [status, code] of [
      ['RECEIVED', 202],
      ['ACCEPTED', 202],
      ['SETTLED', 200],
      ['REJECTED', 200],
    ] as const) {
      for (const kind of ['accepted', 'duplicate'] as const) {
        const r = recorded(kind, status);
        expect(r.statusCode).toBe(code);
        expect(r.headers).toMatchObject({
          'content-type': 'application/json',
          location: `/payments/${PAYMENT.paymentId}`,
          'cache-control': 'no-store',
        });
        expect(JSON.parse(String(r.body))).toMatchObject({ status, debtorAccount: '****0001' });
      }
    }
  });

  it('answers a pacs.008 by the state its pacs.002 reports: a new one RECEIVED is 202 even if settled already', () => {
    const fresh = recorded('accepted', 'SETTLED', 'RECEIVED');
    expect(fresh).toMatchObject({ statusCode: 202, body: '<pacs.002 reports="RECEIVED"/>' });
    expect(fresh.headers).toMatchObject({
      'content-type': 'application/xml',
      location: `/payments/${PAYMENT.paymentId}`,
    });
    expect(recorded('accepted', 'REJECTED', 'REJECTED').statusCode).toBe(200);
    expect(recorded('duplicate', 'SETTLED', 'SETTLED').statusCode).toBe(200);
    expect(recorded('duplicate', 'ACCEPTED', 'ACCEPTED').statusCode).toBe(202);
  });

  it('answers a refused pacs.008 with its pacs.002 RJCT and the status of its error, no Location', () => {
    const cases: ReadonlyArray<readonly [SubmitOutcome, number]> = [
      [
        { kind: 'refused', error: ValidationError.field('x', 'AB06', 'late'), answer: answer('REJECTED') },
        400,
      ],
      [{ kind: 'refused', error: new NotPermittedError([]), answer: answer('REJECTED') }, 403],
      [{ kind: 'refused', error: new DuplicateError('dupl'), answer: answer('REJECTED') }, 409],
      [{ kind: 'shed', error: new OverloadedError('overloaded', 3), answer: answer('REJECTED') }, 503],
      [{ kind: 'shed', error: new OverloadedError('partner_share', 1), answer: answer('REJECTED') }, 429],
    ];
    for (const [outcome, status] of cases) {
      const r = render(outcome);
      expect(r.statusCode).toBe(status);
      expect(r.body).toBe('<pacs.002 reports="REJECTED"/>');
      expect(r.headers['location']).toBeUndefined();
      expect(r.headers['retry-after']).toBe(
        outcome.kind === 'shed' ? String(outcome.error.retryAfterSeconds) : undefined,
      );
    }
  });

  it('throws the JSON form refusal, to be answered with its JSON error like any refused request', () => {
    const error = ValidationError.field('amountMinor', 'AM12', 'must be greater than zero');
    expect(() => render({ kind: 'refused', error })).toThrow(error);
    const shed = new OverloadedError('overloaded', 2);
    expect(() => render({ kind: 'shed', error: shed })).toThrow(shed);
  });
});
