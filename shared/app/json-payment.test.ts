import fc from 'fast-check';
import { NotPermittedError, ValidationError } from '../domain/errors';
import { httpStatusOf } from '../edges/http/errors';
import { DEFAULT_JSON_PAYMENT_RULES, parseJsonPayment } from './json-payment';

const partner = {
  partnerId: 'partner-a',
  agentIds: ['021000021', 'DEMOUS33XXX'],
  currencies: ['USD'],
  limitMinor: 1_000_000_00,
};

const valid = {
  endToEndId: 'E2E-2026-0001',
  debtorAccount: '021000021:12345678',
  creditorAccount: '011000015:87654321',
  amountMinor: 1050,
  currency: 'USD',
};

function refusalOf(body: unknown, who: Parameters<typeof parseJsonPayment>[1] = partner): ValidationError {
  try {
    parseJsonPayment(body, who);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

const issuesOf = (body: unknown, who: Parameters<typeof parseJsonPayment>[1] = partner) =>
  refusalOf(body, who).issues;

describe('parseJsonPayment', () => {
  it('maps a valid body to an instruction in integer minor units', () => {
    const i = parseJsonPayment(valid, partner);
    expect(i).toMatchObject({
      partnerId: 'partner-a',
      amount: { amountMinor: 1050, currency: 'USD' },
      references: { endToEndId: 'E2E-2026-0001' },
      source: 'json',
    });
    expect(i.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(parseJsonPayment({ ...valid }, partner).contentHash).toBe(i.contentHash);
    expect(parseJsonPayment({ ...valid, amountMinor: 1051 }, partner).contentHash).not.toBe(i.contentHash);
  });

  it('normalises the institution part of account ids (BIC case, BIC11 XXX)', () => {
    const i = parseJsonPayment(
      { ...valid, debtorAccount: 'demous33xxx:42', creditorAccount: 'deutdeffxxx:DE1' },
      partner,
    );
    expect(i.debtorAccount).toBe('DEMOUS33:42');
    expect(i.creditorAccount).toBe('DEUTDEFF:DE1');
  });

  it.each([
    [{ ...valid, amountMinor: 0 }, 'amountMinor', 'AM12'],
    [{ ...valid, amountMinor: -5 }, 'amountMinor', 'AM12'],
    [{ ...valid, amountMinor: 10.5 }, 'amountMinor', 'AM12'],
    [{ ...valid, amountMinor: '1050' }, 'amountMinor', 'AM12'],
    [{ ...valid, currency: 'XXX' }, 'currency', 'AM03'],
    [{ ...valid, currency: 'usd' }, 'currency', 'AM03'],
    [{ ...valid, currency: 'JPY' }, 'currency', 'AM03'],
    [{ ...valid, debtorAccount: '' }, 'debtorAccount', 'AC02'],
    [{ ...valid, debtorAccount: 'usd' }, 'debtorAccount', 'AC02'],
    [{ ...valid, debtorAccount: ':' }, 'debtorAccount', 'AC02'],
    [{ ...valid, debtorAccount: '021000021:' }, 'debtorAccount', 'AC02'],
    [{ ...valid, creditorAccount: 'has space' }, 'creditorAccount', 'AC03'],
    [{ ...valid, creditorAccount: '12345:678' }, 'creditorAccount', 'AC03'],
    [{ ...valid, creditorAccount: valid.debtorAccount }, 'creditorAccount', 'AC03'],
    [{ ...valid, amountMinor: 1_000_000_01 }, 'amountMinor', 'AM02'],
    [{ ...valid, amountMinor: DEFAULT_JSON_PAYMENT_RULES.networkLimitMinor + 1 }, 'amountMinor', 'AM02'],
    [{ ...valid, endToEndId: 'x'.repeat(36) }, 'endToEndId', 'FF01'],
    [{ ...valid, extra: 1 }, '(body)', 'FF01'],
  ])('refuses %o naming field %s with %s', (body, field, code) => {
    expect(issuesOf(body)).toEqual(expect.arrayContaining([expect.objectContaining({ field, code })]));
  });

  it('keeps probe accounts and real accounts apart', () => {
    expect(issuesOf({ ...valid, creditorAccount: 'PROBE:release-submit-creditor' })).toEqual([
      expect.objectContaining({ field: 'creditorAccount', code: 'AC03' }),
    ]);
    const probe = { partnerId: 'release-probe', agentIds: ['PROBE'], currencies: ['USD'] };
    const probePayment = {
      ...valid,
      debtorAccount: 'PROBE:release-submit-debtor',
      creditorAccount: 'PROBE:release-submit-creditor',
    };
    expect(parseJsonPayment(probePayment, probe).debtorAccount).toBe('PROBE:release-submit-debtor');
    expect(issuesOf({ ...probePayment, creditorAccount: '011000015:1' }, probe)).toEqual([
      expect.objectContaining({ field: 'creditorAccount', code: 'AC03' }),
    ]);
  });

  it('applies the partner limit below the network limit', () => {
    const small = { ...partner, limitMinor: 100 };
    expect(parseJsonPayment({ ...valid, amountMinor: 100 }, small).amount.amountMinor).toBe(100);
    expect(issuesOf({ ...valid, amountMinor: 101 }, small)).toEqual([
      expect.objectContaining({ field: 'amountMinor', code: 'AM02' }),
    ]);
  });

  it.each(['011000015:2000001', '011000015:2000009', '011000015:absent', 'PROBE:release-submit-debtor'])(
    'refuses a debtor account held at another institution (%s): 403 AGNT',
    (debtorAccount) => {
      const error = refusalOf({ ...valid, debtorAccount });
      expect(error).toBeInstanceOf(NotPermittedError);
      expect(httpStatusOf(error)).toBe(403);
      expect(error.issues).toEqual([expect.objectContaining({ field: 'debtorAccount', code: 'AGNT' })]);
    },
  );

  it('gives one and the same refusal for every foreign debtor account (no oracle)', () => {
    const foreignInstitution = fc.constantFrom('011000015', '026009593', 'BOFAUS3N', 'PROBE');
    const accountPart = fc.stringMatching(/^[A-Za-z0-9]{1,20}$/);
    fc.assert(
      fc.property(foreignInstitution, accountPart, fc.integer({ min: 1, max: 10_000 }), (inst, acct, amt) => {
        const error = refusalOf({ ...valid, debtorAccount: `${inst}:${acct}`, amountMinor: amt });
        expect(httpStatusOf(error)).toBe(403);
        expect(error.message).toBe(refusalOf({ ...valid, debtorAccount: '011000015:x' }).message);
        expect(error.issues).toEqual(refusalOf({ ...valid, debtorAccount: '011000015:x' }).issues);
      }),
      { seed: 11, numRuns: 200 },
    );
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
