import { ValidationError } from '../domain/errors';
import { parseJsonPayment } from './json-payment';

const valid = {
  endToEndId: 'E2E-2026-0001',
  debtorAccount: '021000021:12345678',
  creditorAccount: '011000015:87654321',
  amountMinor: 1050,
  currency: 'USD',
};

function issuesOf(body: unknown) {
  try {
    parseJsonPayment(body, 'p');
  } catch (error) {
    if (error instanceof ValidationError) return error.issues;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('parseJsonPayment', () => {
  it('maps a valid body to an instruction in integer minor units', () => {
    const i = parseJsonPayment(valid, 'partner-a');
    expect(i).toMatchObject({
      partnerId: 'partner-a',
      amount: { amountMinor: 1050, currency: 'USD' },
      references: { endToEndId: 'E2E-2026-0001' },
      source: 'json',
    });
    expect(i.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(parseJsonPayment({ ...valid }, 'partner-a').contentHash).toBe(i.contentHash);
    expect(parseJsonPayment({ ...valid, amountMinor: 1051 }, 'partner-a').contentHash).not.toBe(
      i.contentHash,
    );
  });

  it.each([
    [{ ...valid, amountMinor: 0 }, 'amountMinor', 'AM12'],
    [{ ...valid, amountMinor: -5 }, 'amountMinor', 'AM12'],
    [{ ...valid, amountMinor: 10.5 }, 'amountMinor', 'AM12'],
    [{ ...valid, amountMinor: '1050' }, 'amountMinor', 'AM12'],
    [{ ...valid, currency: 'XXX' }, 'currency', 'AM03'],
    [{ ...valid, currency: 'usd' }, 'currency', 'AM03'],
    [{ ...valid, debtorAccount: '' }, 'debtorAccount', 'AC02'],
    [{ ...valid, creditorAccount: 'has space' }, 'creditorAccount', 'AC03'],
    [{ ...valid, creditorAccount: valid.debtorAccount }, 'creditorAccount', 'AC03'],
    [{ ...valid, endToEndId: 'x'.repeat(36) }, 'endToEndId', 'FF01'],
    [{ ...valid, extra: 1 }, '(body)', 'FF01'],
  ])('refuses %o naming field %s with %s', (body, field, code) => {
    expect(issuesOf(body)).toEqual(expect.arrayContaining([expect.objectContaining({ field, code })]));
  });

  it.each([null, [], 'text', 42])('refuses a body that is not an object: %p', (body) => {
    expect(issuesOf(body).length).toBeGreaterThan(0);
  });

  it('names every missing field', () => {
    const fields = issuesOf({}).map((i) => i.field);
    expect(fields).toEqual(
      expect.arrayContaining(['endToEndId', 'debtorAccount', 'creditorAccount', 'amountMinor', 'currency']),
    );
  });
});
