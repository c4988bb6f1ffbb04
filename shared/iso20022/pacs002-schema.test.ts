import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RAILS_CONFIG } from '../config/rails';
import type { Payment, PaymentStatus } from '../domain/payment';
import { REASON_CODES, type ReasonCode } from '../domain/reasons';
import { reportForMessage, reportForPayment } from '../app/status-report';
import { instruction } from '../testing/builders';
import type { Envelope } from './envelope';
import {
  buildPacs002Reply,
  PACS002_SPEC,
  TCH_STATUS_REASONS,
  TCH_TRANSACTION_STATUSES,
  type StatusReportInput,
} from './pacs002';
import type { Rail } from './rails';
import { messageSchemaIssues } from './schema';

/**
 * What we SEND validates too: every pacs.002 shape we build, in every envelope, against the
 * pacs.002 schema of its rail (bare Document / FedNow envelope: ISO pacs.002.001.10 +
 * head.001.001.02; TCH Message: TCH's usage schema, AppHdr strictly: no empty elements), for
 * every payment state and every reason code: no tolerated deviation.
 */
const FEDNOW_REFS = {
  msgId: '20230604011104238Sc01Step1MsgId',
  creDtTm: '2023-06-04T10:55:26-04:00',
  endToEndId: 'Scenario01EtoEId001',
  instrId: 'Scenario01InstrId001',
  uetr: '8a562c67-ca16-48ba-b074-65581be6f011',
};
const RTP_REFS = {
  msgId: 'M20230713234567891T1BOTS02083825666',
  creDtTm: '2023-07-13T15:29:36',
  endToEndId: 'EOTS',
  instrId: '20230713234567891T1BCXIA01868416991',
  txId: '20230713234567891T1BCXIA01868416991',
};

const STATES: readonly PaymentStatus[] = ['RECEIVED', 'ACCEPTED', 'SETTLED', 'REJECTED'];
const PARTNER_PARTICIPANT = '234567891T1';

/** A report on a message (immediate answer, refusal) in a given state. */
function report(rail: Rail, state: PaymentStatus, code: ReasonCode = 'AC03'): StatusReportInput {
  const refs = rail === 'rtp' ? RTP_REFS : FEDNOW_REFS;
  return reportForMessage(refs, state, {
    rail,
    now: Date.parse('2023-07-13T19:29:37Z'),
    agents: { instructing: '011104238', instructed: '021040078' },
    ...(rail === 'rtp' ? { participant: PARTNER_PARTICIPANT } : {}),
    ...(state === 'REJECTED'
      ? { reason: { code, info: `creditor account <unknown> & closed ${'x'.repeat(150)}` } }
      : {}),
  });
}

/** A report on a stored payment in a given state (status queries, resends). */
function paymentReport(rail: Rail, state: PaymentStatus): StatusReportInput {
  const refs = rail === 'rtp' ? RTP_REFS : FEDNOW_REFS;
  const payment: Payment = {
    ...instruction({ references: refs, source: 'pacs.008' }),
    iso: {
      rail,
      envelope: rail === 'rtp' ? 'tch' : 'fednow',
      format: 'xml',
      msgNmId: 'pacs.008.001.08',
      creDtTm: refs.creDtTm,
      instructingAgent: '011104238',
      instructedAgent: '021040078',
      ...(rail === 'rtp' ? { senderParticipantId: PARTNER_PARTICIPANT } : {}),
    },
    paymentId: 'p1',
    status: state,
    createdAt: '2023-07-13T19:29:36.100Z',
    acceptedAt: '2023-07-13T19:29:36.200Z',
    deadline: '2023-07-13T19:29:51.100Z',
    version: 2,
    ...(state === 'SETTLED' ? { settledAt: '2023-07-13T19:29:36.900Z' } : {}),
    ...(state === 'REJECTED'
      ? { rejectedAt: '2023-07-13T19:29:36.900Z', rejection: { code: 'AM04', message: 'insufficient funds' } }
      : {}),
  };
  return reportForPayment(payment, Date.parse('2023-07-13T19:29:37Z'));
}

const SHAPES: ReadonlyArray<readonly [Envelope, Rail]> = [
  ['document', 'fednow'],
  ['fednow', 'fednow'],
  ['tch', 'rtp'],
  ['document', 'rtp'],
];

function issuesOf(input: StatusReportInput, envelope: Envelope, rail: Rail) {
  const reply = buildPacs002Reply(input, { format: 'xml', envelope }, rail);
  return messageSchemaIssues(reply.body, PACS002_SPEC, { strictAppHdr: true });
}

/** The xs:enumeration values of a simpleType in a TCH XSD. */
function tchEnumeration(file: string, type: string): string[] {
  const xsd = readFileSync(join(__dirname, 'schema/xsd/rtp', file), 'utf8');
  const body = new RegExp(`<xs:simpleType name="${type}">([\\s\\S]*?)</xs:simpleType>`).exec(xsd)?.[1] ?? '';
  return [...body.matchAll(/<xs:enumeration value="([^"]+)"\/>/g)].map((m) => m[1] ?? '');
}

describe('pacs.002 we send: schema-valid', () => {
  it.each(SHAPES.flatMap(([envelope, rail]) => STATES.map((s) => [envelope, rail, s] as const)))(
    '%s envelope, %s rail, %s (report on a message)',
    (envelope, rail, state) => {
      expect(issuesOf(report(rail, state), envelope, rail)).toEqual([]);
    },
  );

  it.each(SHAPES.flatMap(([envelope, rail]) => STATES.map((s) => [envelope, rail, s] as const)))(
    '%s envelope, %s rail, %s (report on a stored payment)',
    (envelope, rail, state) => {
      expect(issuesOf(paymentReport(rail, state), envelope, rail)).toEqual([]);
    },
  );

  it.each(SHAPES)('every reason code of ours validates: %s envelope, %s rail', (envelope, rail) => {
    for (const code of Object.keys(REASON_CODES) as ReasonCode[]) {
      expect([code, issuesOf(report(rail, 'REJECTED', code), envelope, rail)]).toEqual([code, []]);
    }
  });

  it("TCH's vocabulary in pacs002.ts is the usage schema's, value for value", () => {
    const file = 'messages_urn_iso_std_iso_20022_tech_xsd_pacs_002_001_10.xsd';
    expect(tchEnumeration(file, 'ExternalPaymentTransactionStatus1Code')).toEqual([
      ...TCH_TRANSACTION_STATUSES,
    ]);
    expect(tchEnumeration(file, 'ExternalStatusReason1Code')).toEqual([...TCH_STATUS_REASONS]);
  });

  it("the TCH AppHdr is from our participant id to the partner's, both 11 characters", () => {
    const reply = buildPacs002Reply(report('rtp', 'RECEIVED'), { format: 'xml', envelope: 'tch' }, 'rtp');
    const ids = [
      ...reply.body.matchAll(
        /<head:(Fr|To)>\s*<head:FIId>\s*<head:FinInstnId>\s*<head:ClrSysMmbId>\s*<head:MmbId>([^<]*)</g,
      ),
    ];
    expect(ids.map((m) => [m[1], m[2]])).toEqual([
      ['Fr', RAILS_CONFIG.rtp.participantId],
      ['To', PARTNER_PARTICIPANT],
    ]);
    expect(reply.body).toContain(`<head:BizMsgIdr>B20230713${RAILS_CONFIG.rtp.participantId}`);
  });

  it("an RTP report outside TCH's vocabulary is refused by the builder, never sent", () => {
    const bad = { ...report('rtp', 'SETTLED'), status: 'ACSC' as const };
    expect(() => buildPacs002Reply(bad, { format: 'xml', envelope: 'tch' }, 'rtp')).toThrow(/TCH/);
    const badReason = { ...report('rtp', 'REJECTED'), reason: { code: 'AB05' as const } };
    expect(() => buildPacs002Reply(badReason, { format: 'json' }, 'rtp')).toThrow(/TCH/);
  });

  it('an intake RJCT that knows no agents still validates in the FedNow envelope (Fr/To NOTPROVIDED)', () => {
    const rjct = reportForMessage({ msgId: FEDNOW_REFS.msgId, endToEndId: 'E2E' }, 'REJECTED', {
      rail: 'fednow',
      now: Date.now(),
      reason: { code: 'FF01', info: 'GrpHdr.MsgId: schema: [facet maxLength] ...' },
    });
    for (const envelope of ['document', 'fednow'] as const) {
      const reply = buildPacs002Reply(rjct, { format: 'xml', envelope }, 'fednow');
      expect(messageSchemaIssues(reply.body, PACS002_SPEC, { strictAppHdr: true })).toEqual([]);
    }
  });

  it('the schema check is real: a broken report is caught', () => {
    const reply = buildPacs002Reply(
      report('fednow', 'RECEIVED'),
      { format: 'xml', envelope: 'document' },
      'fednow',
    );
    const broken = reply.body.replace('<TxSts>ACTC</TxSts>', '<TxSts>ACTC</TxSts><Bogus>1</Bogus>');
    expect(messageSchemaIssues(broken, PACS002_SPEC)).toEqual([
      expect.objectContaining({ field: 'TxInfAndSts.Bogus', code: 'FF01' }),
    ]);
  });
});
