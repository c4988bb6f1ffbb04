import { randomUUID } from 'node:crypto';
import { parseJsonPayment } from '../../shared/app/json-payment';
import { isoFormats, parsePaymentMessage, validatePacs008 } from '../../shared/iso20022';
import { ValidationError } from '../../shared/domain/errors';
import { buildPaymentBody, decimalAmount, fedNowMsgId, type PaymentFields } from './messages';
import { planWorld } from './world';

const world = planWorld({ partners: 3, accounts: 12, runId: 'abc123' });

function fields(invalid: boolean): PaymentFields {
  const debtor = world.accounts[1];
  const creditor = world.accounts[5];
  if (debtor === undefined || creditor === undefined) throw new Error('world too small');
  const createdAt = new Date();
  return {
    endToEndId: 'BENCH-abc123M1',
    msgId: fedNowMsgId(createdAt, debtor.routingNumber, 'abc123M1'),
    instrId: 'I-abc123M1',
    uetr: randomUUID(),
    debtor,
    creditor,
    amountMinor: 12_345,
    createdAt,
    invalid,
  };
}

describe('bench payment messages', () => {
  it('gives every partner a routing number with a valid ABA check digit', () => {
    expect(world.partners.every((p) => isoFormats.hasValidAbaCheckDigit(p.routingNumber))).toBe(true);
    expect(new Set(world.accounts.map((a) => a.ledgerId)).size).toBe(world.accounts.length);
  });

  it.each(['xml', 'json'] as const)(
    'builds a pacs.008 (%s) the intake accepts, with the accounts and amount asked for',
    (form) => {
      const f = fields(false);
      const body = buildPaymentBody(form, f);
      const parsed = parsePaymentMessage({ body: body.body, contentType: body.contentType });
      const valid = validatePacs008(parsed, {
        partner: { partnerId: 'p', agentIds: [f.debtor.routingNumber], currencies: ['USD'] },
        // The rail clock rules: CreDtTm within 20 s, IntrBkSttlmDt the FedNow business day.
        now: f.createdAt.getTime() + 1000,
      });
      expect(valid.amount.amountMinor).toBe(12_345);
      expect(valid.references.endToEndId).toBe(f.endToEndId);
      expect(`${valid.debtor.agentMemberId}:${valid.debtor.accountId}`).toBe(f.debtor.ledgerId);
      expect(`${valid.creditor.agentMemberId}:${valid.creditor.accountId}`).toBe(f.creditor.ledgerId);
    },
  );

  it.each(['xml', 'json'] as const)('makes an invalid pacs.008 (%s) the intake refuses with AM12', (form) => {
    const body = buildPaymentBody(form, fields(true));
    const parsed = parsePaymentMessage({ body: body.body, contentType: body.contentType });
    const f = fields(true);
    expect(() =>
      validatePacs008(parsed, {
        partner: { partnerId: 'p', agentIds: [f.debtor.routingNumber], currencies: ['USD'] },
      }),
    ).toThrow(ValidationError);
  });

  it('builds the simple JSON form, valid or not', () => {
    const ok = JSON.parse(buildPaymentBody('simple', fields(false)).body) as unknown;
    const partner = { partnerId: 'p', agentIds: [fields(false).debtor.routingNumber], currencies: ['USD'] };
    expect(parseJsonPayment(ok, partner).amount.amountMinor).toBe(12_345);
    const bad = JSON.parse(buildPaymentBody('simple', fields(true)).body) as unknown;
    expect(() => parseJsonPayment(bad, partner)).toThrow(ValidationError);
  });

  it('formats minor units as an ISO decimal amount', () => {
    expect(decimalAmount(5)).toBe('0.05');
    expect(decimalAmount(12_345)).toBe('123.45');
  });
});
