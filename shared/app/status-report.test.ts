import { RAILS_CONFIG } from '../config/rails';
import type { Payment } from '../domain/payment';
import { REASON_CODES, type ReasonCode } from '../domain/reasons';
import { instruction } from '../testing/builders';
import { buildPacs002Json, buildPacs002Xml, isTchStatusReason, parsePacs002Xml } from '../iso20022';
import {
  ISO_STATUS,
  newStatusMsgId,
  railReasonCode,
  reportForMessage,
  reportForPayment,
  reportForResend,
  TCH_REASON,
} from './status-report';

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
  it('maps every payment status to an ISO transaction status, per rail', () => {
    expect(ISO_STATUS.fednow).toEqual({
      RECEIVED: 'ACTC',
      ACCEPTED: 'ACSP',
      SETTLED: 'ACSC',
      REJECTED: 'RJCT',
    });
    // TCH ExternalPaymentTransactionStatus1Code: ACTC ACWP RCVD RJCT; ACTC = accepted = settled.
    expect(ISO_STATUS.rtp).toEqual({ RECEIVED: 'RCVD', ACCEPTED: 'RCVD', SETTLED: 'ACTC', REJECTED: 'RJCT' });
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
    expect(newStatusMsgId('rtp', now)).toMatch(
      new RegExp(`^M20261121${RAILS_CONFIG.rtp.participantId}[A-Z0-9]+$`),
    );
    expect(newStatusMsgId('rtp', now).length).toBeLessThanOrEqual(35);
  });
});

describe('status reports on the RTP rail (TCH vocabulary)', () => {
  const rtp: Payment = {
    ...base,
    references: { endToEndId: 'EOTS', msgId: 'M20261121234567891T1BOTS02083825666', instrId: 'I1' },
    status: 'SETTLED',
    iso: {
      rail: 'rtp',
      envelope: 'tch',
      format: 'xml',
      msgNmId: 'pacs.008.001.08',
      instructingAgent: '234567891',
      instructedAgent: '000000010',
      senderParticipantId: '234567891T1',
    },
  };
  const now = Date.parse('2026-11-21T12:00:01Z');

  it('reports a settled RTP payment ACTC, without a settlement date, AccptncDtTm = when it settled', () => {
    const report = reportForPayment(rtp, now);
    expect(report).toMatchObject({ status: 'ACTC', acceptanceDateTime: rtp.settledAt });
    expect(report.settlementDate).toBeUndefined();
    const xml = buildPacs002Xml(report, { rail: 'rtp', envelope: 'tch' });
    expect(xml).toContain('<ps:TxSts>ACTC</ps:TxSts>');
    expect(xml).not.toContain('FctvIntrBkSttlmDt');
    expect(JSON.stringify(buildPacs002Json(report, 'rtp'))).toContain('"TxSts":"ACTC"');
  });

  it.each([['RECEIVED'], ['ACCEPTED']] as const)('reports an RTP payment in flight (%s) RCVD', (status) => {
    const report = reportForPayment({ ...rtp, status, settledAt: undefined }, now);
    expect(report).toMatchObject({ status: 'RCVD', acceptanceDateTime: rtp.acceptedAt });
    expect(JSON.stringify(buildPacs002Json(report, 'rtp'))).toContain('"TxSts":"RCVD"');
  });

  it('reports a rejected RTP payment RJCT with a reason TCH admits, the text unchanged', () => {
    const rejected: Payment = {
      ...rtp,
      status: 'REJECTED',
      settledAt: undefined,
      rejectedAt: '2026-11-21T12:00:00.400Z',
      rejection: { code: 'AB05', message: 'payment was not settled before its deadline' },
    };
    expect(reportForPayment(rejected, now)).toMatchObject({
      status: 'RJCT',
      reason: { code: 'TM01', additionalInfo: 'payment was not settled before its deadline' },
      acceptanceDateTime: '2026-11-21T12:00:00.400Z',
    });
    // FedNow keeps our own code.
    const fednow: Payment = {
      ...rejected,
      iso: { ...rtp.iso, rail: 'fednow', envelope: 'fednow' } as Payment['iso'],
    };
    expect(reportForPayment(fednow, now)).toMatchObject({ status: 'RJCT', reason: { code: 'AB05' } });
  });

  it('every reason code of ours becomes one in TCH ExternalStatusReason1Code; those TCH admits stay as they are', () => {
    for (const code of Object.keys(REASON_CODES) as ReasonCode[]) {
      const sent = railReasonCode('rtp', code);
      expect([code, isTchStatusReason(sent)]).toEqual([code, true]);
      if (isTchStatusReason(code)) expect([code, sent]).toEqual([code, code]);
      else expect([code, sent]).toEqual([code, TCH_REASON[code]]);
      expect(railReasonCode('fednow', code)).toBe(code);
    }
    expect(TCH_REASON).toEqual({
      AB05: 'TM01',
      AB06: 'TM01',
      AM03: 'AM12',
      CURR: 'AM12',
      FF01: 'FF02',
      DT01: 'DT04',
      RR04: 'NARR',
      CH11: 'NARR',
      MS03: 'NARR',
      NOAS: 'NARR',
    });
  });

  it('a code mapped to NARR without text carries the meaning of ours', () => {
    const report = reportForMessage({ msgId: 'M1', endToEndId: 'E1' }, 'REJECTED', {
      rail: 'rtp',
      now,
      reason: { code: 'MS03' },
    });
    expect(report.reason).toEqual({ code: 'NARR', additionalInfo: REASON_CODES.MS03 });
  });

  it('the immediate answer to an accepted pacs.008 is RCVD on RTP, ACTC on FedNow', () => {
    const refs = { msgId: 'M1', endToEndId: 'E1' };
    expect(reportForMessage(refs, 'RECEIVED', { rail: 'rtp', now }).status).toBe('RCVD');
    expect(reportForMessage(refs, 'RECEIVED', { rail: 'fednow', now }).status).toBe('ACTC');
  });

  it("addresses the TCH AppHdr from our participant id to the sender's recorded one", () => {
    expect(reportForPayment(rtp, now).participants).toEqual({
      from: RAILS_CONFIG.rtp.participantId,
      to: '234567891T1',
    });
    expect(reportForPayment(base, now).participants).toBeUndefined();
  });

  it('a TCH payment recorded before senderParticipantId existed is addressed to the id its MsgId carries', () => {
    const older: Payment['iso'] = { rail: 'rtp', envelope: 'tch', format: 'xml', msgNmId: 'pacs.008.001.08' };
    const report = reportForPayment({ ...rtp, iso: older }, now);
    expect(report.participants?.to).toBe('234567891T1');
  });

  it('answers an RTP resend with the current status in TCH vocabulary', () => {
    const refs = { msgId: 'M20261121234567891T1BOTS0RESENT', endToEndId: 'EOTS' };
    const opts = { rail: 'rtp' as const, now, participant: '234567891T1' };
    // (Answered HTTP 200 once final, 202 in flight: shared/edges/http/submit-route.test.ts.)
    expect(reportForResend(rtp, refs, opts)).toMatchObject({ status: 'ACTC' });
    expect(reportForResend({ ...rtp, status: 'ACCEPTED' }, refs, opts)).toMatchObject({
      status: 'RCVD',
      participants: { to: '234567891T1' },
    });
  });
});
