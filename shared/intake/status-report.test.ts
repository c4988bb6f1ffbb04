import type { Payment } from '../domain/payment';
import { instruction } from '../testing/builders';
import { buildPacs002Xml, parsePacs002Xml } from '../iso20022';
import { ISO_STATUS, newStatusMsgId, reportForPayment } from './status-report';

const base: Payment = {
  ...instruction({
    references: {
      endToEndId: 'E2E-1',
      msgId: '20260101011104238ABC',
      uetr: '8a562c67-ca16-48ba-b074-65581be6f011',
    },
  }),
  paymentId: 'p1',
  status: 'SETTLED',
  createdAt: '2026-11-21T12:00:00.000Z',
  acceptedAt: '2026-11-21T12:00:00.100Z',
  settledAt: '2026-11-21T12:00:00.300Z',
  deadline: '2026-11-21T12:00:15.000Z',
  version: 3,
  source: 'pacs.008',
  iso: {
    rail: 'fednow',
    envelope: 'document',
    format: 'xml',
    msgNmId: 'pacs.008.001.08',
    instructingAgent: '011104238',
    instructedAgent: '021040078',
  },
};

describe('status reports', () => {
  it('maps every payment status to an ISO transaction status', () => {
    expect(ISO_STATUS).toEqual({ RECEIVED: 'ACTC', ACCEPTED: 'ACSP', SETTLED: 'ACSC', REJECTED: 'RJCT' });
  });

  it('reports a settled payment as ACSC with its settlement date, addressed back to the instructing agent', () => {
    const report = reportForPayment(base, Date.parse('2026-11-21T12:00:01Z'));
    expect(report).toMatchObject({
      status: 'ACSC',
      settlementDate: '2026-11-21',
      acceptanceDateTime: base.acceptedAt,
      original: { msgId: '20260101011104238ABC', endToEndId: 'E2E-1', uetr: base.references.uetr },
      instructingAgent: '021040078',
      instructedAgent: '011104238',
    });
    const xml = buildPacs002Xml(report, { rail: 'fednow', envelope: 'document' });
    expect(JSON.stringify(parsePacs002Xml(xml).FIToFIPmtStsRpt)).toContain('"TxSts":"ACSC"');
  });

  it('reports a rejection with its reason code', () => {
    const report = reportForPayment(
      { ...base, status: 'REJECTED', rejection: { code: 'AM04', message: 'insufficient funds' } },
      Date.now(),
    );
    expect(report).toMatchObject({
      status: 'RJCT',
      reason: { code: 'AM04', additionalInfo: 'insufficient funds' },
    });
  });

  it('makes MsgIds that follow each rail convention', () => {
    const now = Date.parse('2026-11-21T12:00:00Z');
    expect(newStatusMsgId('fednow', now)).toMatch(/^20261121RTPPIPE01[A-Z0-9]{18}$/);
    expect(newStatusMsgId('rtp', now)).toMatch(/^M20261121[A-Z0-9]{11}[A-Z0-9]+$/);
    expect(newStatusMsgId('rtp', now).length).toBeLessThanOrEqual(35);
  });
});
