import { FEDNOW_SCENARIO1, RTP_PACS008, fixture } from './__fixtures__';
import { parsePacs008Xml } from './pacs008';
import { restampPacs008, withDebtor } from './restamp';
import { validatePacs008 } from './validate';

const NOW = Date.parse('2026-07-01T14:00:00Z'); // 10:00 EDT

describe('restampPacs008', () => {
  it('FedNow: CreDtTm with the Eastern offset, business day, MsgId for today, fresh E2E and UETR', () => {
    const { body, refs, rail } = restampPacs008(fixture(FEDNOW_SCENARIO1), { now: NOW });
    expect(rail).toBe('fednow');
    const hdr = parsePacs008Xml(body).document.FIToFICstmrCdtTrf;
    expect(hdr.GrpHdr?.CreDtTm).toBe('2026-07-01T10:00:00-04:00');
    expect(hdr.GrpHdr?.MsgId).toMatch(/^20260701011104238[A-Z0-9]{14}$/);
    expect(hdr.CdtTrfTxInf?.IntrBkSttlmDt).toBe('2026-07-01');
    expect(hdr.CdtTrfTxInf?.PmtId?.EndToEndId).toBe(refs.endToEndId);
    expect(refs.uetr).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // Nothing else changes.
    const strip = (x: string) =>
      x.replace(/<(\w+:)?(MsgId|CreDtTm|IntrBkSttlmDt|EndToEndId|UETR)>[^<]*</g, '<$2><');
    expect(strip(body)).toBe(strip(fixture(FEDNOW_SCENARIO1)));
  });

  it('RTP: keeps the offset-less local time and the M + date + participant convention', () => {
    const { body, rail } = restampPacs008(fixture(RTP_PACS008), { now: NOW });
    expect(rail).toBe('rtp');
    const doc = parsePacs008Xml(body).document.FIToFICstmrCdtTrf;
    expect(doc.GrpHdr?.CreDtTm).toBe('2026-07-01T10:00:00');
    expect(doc.GrpHdr?.MsgId).toMatch(/^M20260701234567891T1[A-Z0-9]+$/);
    expect(doc.GrpHdr?.MsgId?.length).toBeLessThanOrEqual(35);
  });

  it('a fresh EndToEndId never looks like an IBAN (log redaction would mask it)', () => {
    for (let i = 0; i < 200; i++) {
      const { endToEndId } = restampPacs008(fixture(FEDNOW_SCENARIO1), { now: NOW }).refs;
      expect(endToEndId).toMatch(/^E2E[A-Z0-9]{13,32}$/);
      expect(endToEndId).not.toMatch(/^[A-Z]{2}\d{2}/);
    }
  });

  it('two restamps never share a reference', () => {
    const a = restampPacs008(fixture(FEDNOW_SCENARIO1), { now: NOW }).refs;
    const b = restampPacs008(fixture(FEDNOW_SCENARIO1), { now: NOW }).refs;
    expect([a.msgId, a.endToEndId, a.uetr]).not.toContain(b.msgId);
    expect(a.endToEndId).not.toBe(b.endToEndId);
    expect(a.uetr).not.toBe(b.uetr);
  });
});

describe('withDebtor', () => {
  it('re-points a sample at the sender’s own debtor account, which the intake then accepts', () => {
    const now = Date.parse('2026-12-02T15:00:00Z');
    const xml = withDebtor(restampPacs008(fixture(FEDNOW_SCENARIO1), { now }).body, {
      routing: '021000021',
      account: '1000001',
    });
    const validated = validatePacs008(parsePacs008Xml(xml), {
      partner: { partnerId: 'demo-bank', agentIds: ['021000021', 'DEMOUS33XXX'] },
      now,
    });
    expect(validated.debtor).toMatchObject({ agentMemberId: '021000021', accountId: '1000001' });
    expect(validated.instructingAgentId).toBe('021000021');
    expect(validated.references.msgId.slice(8, 17)).toBe('021000021');
  });
});
