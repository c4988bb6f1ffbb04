import { InternalError } from '../domain/errors';
import type { ReasonCode } from '../domain/reasons';
import { locateMessage, type Envelope, type MessageSpec } from './envelope';
import { isRoutingNumberShape } from './formats';
import { toMirror, type IsoNode } from './mirror';
import { NS, PACS002_MSG_NM_ID, PACS008_MSG_NM_ID } from './namespaces';
import type { Transport } from './pacs008';
import type { Rail } from './rails';
import { parseXml, type XmlLimits } from './xml';
import { el, opt, renderXml, toJsonMirror, withPrefix, type XNode } from './xml-build';

/**
 * pacs.002.001.10 FIToFIPmtStsRpt status reports, shaped like the rail's own samples:
 *  - FedNow (fixtures/fednow/*pacs.002*): original group info INSIDE the transaction,
 *    `TxInfAndSts/OrgnlGrpInf`, agents with `ClrSysId/Cd = USABA`;
 *  - TCH RTP (fixtures/rtp/pacs002.*): `OrgnlGrpInfAndSts` (with OrgnlNbOfTxs 1) next to
 *    `TxInfAndSts`, agents by bare `MmbId`; as TCH's usage schema requires: OrgnlInstrId
 *    (NOTPROVIDED if unknown) and AccptncDtTm (the report time if not given) always, no
 *    OrgnlEndToEndId, one AddtlInf line, AppHdr BizMsgIdr `B...`.
 * Reason codes go in `StsRsnInf/Rsn/Cd`, free text in `StsRsnInf/AddtlInf` (Max105Text, split).
 * Every shape is checked against its XSD in pacs002-schema.test.ts.
 */

/**
 * Transaction statuses we send: ISO ExternalPaymentTransactionStatus1Code values. FedNow uses
 * ACTC / ACSP / ACSC / RJCT; TCH RTP only its own subset (TCH_TRANSACTION_STATUSES). Which
 * payment state becomes which status on which rail is decided in ONE place:
 * shared/app/status-report.ts ISO_STATUS.
 */
export type TransactionStatus = 'ACTC' | 'ACSP' | 'ACSC' | 'RCVD' | 'RJCT';

/**
 * TCH's pacs.002 usage schema (schema/xsd/rtp/messages_urn_iso_std_iso_20022_tech_xsd_pacs_002_001_10.xsd):
 * ExternalPaymentTransactionStatus1Code admits only these TxSts values, and
 * ExternalStatusReason1Code only these StsRsnInf/Rsn/Cd values (pacs002-schema.test.ts checks
 * both lists against the XSD).
 */
export const TCH_TRANSACTION_STATUSES = ['ACTC', 'ACWP', 'RCVD', 'RJCT'] as const;
export const TCH_STATUS_REASONS = [
  'AC02',
  'AC03',
  'AC04',
  'AC06',
  'AC11',
  'AC13',
  'AC14',
  'AG01',
  'AG03',
  'AGNT',
  'AM02',
  'AM04',
  'AM09',
  'AM12',
  'AM13',
  'AM14',
  'BE04',
  'BE06',
  'BE07',
  'BE10',
  'BE11',
  'BE16',
  'BE17',
  'DS0H',
  'DS24',
  'DT04',
  'DUPL',
  'FF02',
  'FF08',
  'MD07',
  'NARR',
  'RC01',
  'RC02',
  'RC03',
  'RC04',
  'SL03',
  'TK01',
  'TK02',
  'TK03',
  'TK04',
  'TK05',
  'TK06',
  'TK07',
  'TK08',
  'TK09',
  'TM01',
] as const;
export type TchStatusReason = (typeof TCH_STATUS_REASONS)[number];

export function isTchStatusReason(code: string): code is TchStatusReason {
  return (TCH_STATUS_REASONS as readonly string[]).includes(code);
}

/** A status reason code in a report: one of ours, or (RTP) one of TCH's list. */
export type StatusReasonCode = ReasonCode | TchStatusReason;

export interface StatusReportInput {
  /** MsgId of this report (new, unique). */
  readonly msgId: string;
  /** CreDtTm of this report (ISO date-time). */
  readonly createdAt: string;
  readonly original: {
    readonly msgId: string;
    /** Default `pacs.008.001.08`. */
    readonly msgNmId?: string;
    readonly creDtTm?: string;
    readonly endToEndId: string;
    readonly txId?: string;
    readonly uetr?: string;
    readonly instrId?: string;
  };
  readonly status: TransactionStatus;
  /** Mandatory when status is RJCT. */
  readonly reason?: { readonly code: StatusReasonCode; readonly additionalInfo?: string };
  readonly acceptanceDateTime?: string;
  /** Effective interbank settlement date (ISO date), e.g. with ACSC. Never sent on RTP (TCH has none). */
  readonly settlementDate?: string;
  /** Routing number or BIC of the agent sending this report. */
  readonly instructingAgent?: string;
  /** Routing number or BIC of the agent receiving it. */
  readonly instructedAgent?: string;
  /**
   * TCH AppHdr Fr / To: 11-character participant ids (head.001.001.01 usage Min11Max11Text),
   * ours and the partner's. Used in the TCH envelope only, where the agents' 9-digit routing
   * numbers do not fit.
   */
  readonly participants?: { readonly from?: string; readonly to?: string };
}

/** The JSON form of a status report: `{ "FIToFIPmtStsRpt": { ... } }` (same rules as pacs.008). */
export interface Pacs002Json {
  readonly FIToFIPmtStsRpt: IsoNode;
}

function agent(name: string, id: string | undefined, rail: Rail): XNode | undefined {
  if (id === undefined) return undefined;
  if (!isRoutingNumberShape(id)) return el(name, [el('FinInstnId', [el('BICFI', id)])]);
  const clrSysId = rail === 'fednow' ? el('ClrSysId', [el('Cd', 'USABA')]) : undefined;
  return el(name, [el('FinInstnId', [el('ClrSysMmbId', [clrSysId, el('MmbId', id)])])]);
}

/** Max105Text chunks, by code point. */
function chunks(text: string, size = 105): string[] {
  const chars = [...text];
  const out: string[] = [];
  for (let i = 0; i < chars.length && out.length < 10; i += size) out.push(chars.slice(i, i + size).join(''));
  return out;
}

/** One Max105Text line, cut with an ellipsis (TCH allows a single AddtlInf). */
function oneLine(text: string): string {
  const chars = [...text];
  return chars.length <= 105 ? text : `${chars.slice(0, 104).join('')}…`;
}

function statusReason(input: StatusReportInput, rail: Rail): XNode | undefined {
  if (input.status === 'RJCT' && !input.reason)
    throw new InternalError('a RJCT status report needs a reason code');
  if (!input.reason) return undefined;
  const text = input.reason.additionalInfo;
  const info = !text
    ? []
    : rail === 'rtp'
      ? [el('AddtlInf', oneLine(text))]
      : chunks(text).map((t) => el('AddtlInf', t));
  return el('StsRsnInf', [el('Rsn', [el('Cd', input.reason.code)]), ...info]);
}

/**
 * A guard, not a mapping (that is status-report.ts ISO_STATUS): an RTP report outside TCH's
 * vocabulary is a bug, never sent.
 */
function assertTchVocabulary(input: StatusReportInput): void {
  if (!(TCH_TRANSACTION_STATUSES as readonly string[]).includes(input.status))
    throw new InternalError(`TxSts ${input.status} is not in TCH's ExternalPaymentTransactionStatus1Code`);
  if (input.reason && !isTchStatusReason(input.reason.code))
    throw new InternalError(`reason ${input.reason.code} is not in TCH's ExternalStatusReason1Code`);
}

/** The FIToFIPmtStsRpt element (unprefixed local names). */
export function statusReportTree(input: StatusReportInput, rail: Rail): XNode {
  if (rail === 'rtp') assertTchVocabulary(input);
  const o = input.original;
  const groupInfo = [
    el('OrgnlMsgId', o.msgId),
    el('OrgnlMsgNmId', o.msgNmId ?? PACS008_MSG_NM_ID),
    opt('OrgnlCreDtTm', o.creDtTm),
  ];
  // TCH's usage schema (PaymentTransaction110_TCH): OrgnlInstrId and AccptncDtTm mandatory,
  // no OrgnlEndToEndId. ISO / FedNow: OrgnlEndToEndId as the samples, the rest optional.
  const rtp = rail === 'rtp';
  const tx = el('TxInfAndSts', [
    rtp ? undefined : el('OrgnlGrpInf', groupInfo),
    rtp ? el('OrgnlInstrId', o.instrId ?? 'NOTPROVIDED') : opt('OrgnlInstrId', o.instrId),
    rtp ? undefined : el('OrgnlEndToEndId', o.endToEndId),
    opt('OrgnlTxId', o.txId),
    opt('OrgnlUETR', o.uetr),
    el('TxSts', input.status),
    statusReason(input, rail),
    opt('AccptncDtTm', input.acceptanceDateTime ?? (rtp ? input.createdAt : undefined)),
    // TCH's PaymentTransaction110_TCH has no FctvIntrBkSttlmDt: on RTP, acceptance is settlement.
    input.settlementDate && !rtp ? el('FctvIntrBkSttlmDt', [el('Dt', input.settlementDate)]) : undefined,
    agent('InstgAgt', input.instructingAgent, rail),
    agent('InstdAgt', input.instructedAgent, rail),
  ]);
  return el('FIToFIPmtStsRpt', [
    el('GrpHdr', [el('MsgId', input.msgId), el('CreDtTm', input.createdAt)]),
    rail === 'rtp' ? el('OrgnlGrpInfAndSts', [...groupInfo, el('OrgnlNbOfTxs', '1')]) : undefined,
    tx,
  ]);
}

/**
 * AppHdr Fr / To (mandatory in head.001). An agent we do not know (the RJCT of a message refused
 * before its agents could be read) is `FinInstnId/Othr/Id NOTPROVIDED` in head.001.001.02 (valid
 * ISO); TCH's usage schema admits only a member id, so there it stays absent (README: TCH answers
 * such messages with admi.002, which we do not build).
 */
function appHdrParty(name: string, id: string | undefined, envelope: Envelope): XNode | undefined {
  if (id === undefined) {
    if (envelope === 'tch') return undefined;
    return el(name, [el('FIId', [el('FinInstnId', [el('Othr', [el('Id', 'NOTPROVIDED')])])])]);
  }
  const fin =
    envelope === 'tch' || isRoutingNumberShape(id) ? el('ClrSysMmbId', [el('MmbId', id)]) : el('BICFI', id);
  return el(name, [el('FIId', [el('FinInstnId', [fin])])]);
}

/**
 * TCH's BizMsgIdr pattern is `B` + YYYYMMDD + 11 characters + any: the report's MsgId
 * (`M` + the same) with its first letter changed, as in TCH's own messages.
 */
function bizMsgIdr(msgId: string, envelope: Envelope): string {
  return envelope === 'tch' && msgId.startsWith('M') ? `B${msgId.slice(1)}` : msgId;
}

/**
 * head.001 Business Application Header children for this report. FedNow: Fr / To are the agents'
 * routing numbers. TCH: the 11-character participant ids (`participants`), never the 9-digit
 * routing number (TCH's Min11Max11Text MmbId).
 */
function appHdrChildren(input: StatusReportInput, envelope: Envelope): XNode[] {
  const tch = envelope === 'tch';
  return [
    appHdrParty('Fr', tch ? input.participants?.from : input.instructingAgent, envelope),
    appHdrParty('To', tch ? input.participants?.to : input.instructedAgent, envelope),
    el('BizMsgIdr', bizMsgIdr(input.msgId, envelope)),
    el('MsgDefIdr', PACS002_MSG_NM_ID),
    el('CreDt', input.createdAt),
  ].filter((n): n is XNode => n !== undefined);
}

/** Wraps the report like the partner's message: bare Document, FedNow envelope, or TCH Message. */
function envelopeTree(input: StatusReportInput, rail: Rail, envelope: Envelope): XNode {
  const report = statusReportTree(input, rail);
  if (envelope === 'tch') {
    const appHdr = {
      name: 'AppHdr',
      children: appHdrChildren(input, envelope).map((c) => withPrefix(c, 'head')),
    };
    return el('Message', [appHdr, el('MessageStatusReport', [withPrefix(report, 'ps')])], {
      xmlns: NS.tch,
      'xmlns:head': NS.head001v01,
      'xmlns:ps': NS.pacs002,
    });
  }
  const document = el('Document', [report], { xmlns: NS.pacs002 });
  if (envelope === 'document') return document;
  const appHdr = el('AppHdr', appHdrChildren(input, envelope), { xmlns: NS.head001v02 });
  return el(
    'FedNowOutgoing',
    [el('FedNowOutgoingMessage', [el('FedNowPaymentStatus', [appHdr, document])])],
    {
      xmlns: NS.fednowOutgoing,
    },
  );
}

export function buildPacs002Xml(
  input: StatusReportInput,
  style: { readonly rail: Rail; readonly envelope: Envelope },
): string {
  return renderXml(envelopeTree(input, style.rail, style.envelope));
}

export function buildPacs002Json(input: StatusReportInput, rail: Rail): Pacs002Json {
  return { FIToFIPmtStsRpt: toJsonMirror(statusReportTree(input, rail)) };
}

/** The answer in the partner's own format: XML in its envelope, or the JSON form. */
export function buildPacs002Reply(
  input: StatusReportInput,
  transport: Transport,
  rail: Rail,
): { readonly contentType: string; readonly body: string } {
  if (transport.format === 'json') {
    return {
      contentType: 'application/json; charset=utf-8',
      body: JSON.stringify(buildPacs002Json(input, rail)),
    };
  }
  return {
    contentType: 'application/xml; charset=utf-8',
    body: buildPacs002Xml(input, { rail, envelope: transport.envelope }),
  };
}

export const PACS002_SPEC: MessageSpec = {
  label: 'pacs.002',
  namespace: NS.pacs002,
  root: 'FIToFIPmtStsRpt',
  msgDefIdr: PACS002_MSG_NM_ID,
  fednowWrapper: 'FedNowPaymentStatus',
  tchWrapper: 'MessageStatusReport',
};

/** Reads a pacs.002 (ours or a rail's) back into its envelope kind and JSON mirror form. */
export function parsePacs002Xml(
  body: string | Buffer,
  limits: XmlLimits = {},
): { readonly envelope: Envelope } & Pacs002Json {
  const located = locateMessage(parseXml(body, limits), PACS002_SPEC);
  return { envelope: located.envelope, FIToFIPmtStsRpt: toMirror(located.message, NS.pacs002) };
}
