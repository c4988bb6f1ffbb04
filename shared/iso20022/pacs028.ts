import * as z from 'zod/mini';
import { MalformedRequestError, ValidationError } from '../domain/errors';
import { locateMessage, type MessageSpec } from './envelope';
import { isMaxText, isUetr } from './formats';
import { IssueList } from './issues';
import { guardJson, isPlainObject, many, obj, schemaIssues } from './json-guard';
import { toMirror } from './mirror';
import { NS } from './namespaces';
import { assertSchemaValid } from './schema';
import { DEFAULT_MAX_BYTES, decodeBody, parseXml, type XmlLimits } from './xml';

/** A pacs.028 FIToFIPmtStsReq, reduced to what a status lookup needs. */
export interface StatusRequest {
  /** MsgId of the request itself. */
  readonly msgId: string;
  /** References of the payment asked about (at least one is present). */
  readonly original: {
    readonly msgId?: string;
    readonly msgNmId?: string;
    /** OrgnlCreDtTm: when the original message was created (with its MsgId, it names the message). */
    readonly creDtTm?: string;
    readonly endToEndId?: string;
    readonly instrId?: string;
    readonly uetr?: string;
    readonly txId?: string;
  };
}

export const PACS028_SPEC: MessageSpec = {
  label: 'pacs.028',
  namespace: NS.pacs028,
  root: 'FIToFIPmtStsReq',
  msgDefIdr: 'pacs.028.001.03',
  fednowWrapper: 'FedNowPaymentStatusRequest',
};

const text = z.string();
const optionalText = z.optional(text);
const groupInfo = obj({
  OrgnlMsgId: optionalText,
  OrgnlMsgNmId: optionalText,
  OrgnlCreDtTm: optionalText,
});
const requestSchema = obj({
  GrpHdr: z.optional(obj({ MsgId: optionalText, CreDtTm: optionalText })),
  OrgnlGrpInf: z.optional(many(groupInfo)),
  TxInf: z.optional(
    many(
      obj({
        OrgnlGrpInf: z.optional(groupInfo),
        OrgnlInstrId: optionalText,
        OrgnlEndToEndId: optionalText,
        OrgnlTxId: optionalText,
        OrgnlUETR: optionalText,
      }),
    ),
  ),
});

function compact<T extends Record<string, string | undefined>>(value: T): { [K in keyof T]?: string } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== '')) as {
    [K in keyof T]?: string;
  };
}

/** FIToFIPmtStsReq mirror -> StatusRequest; one TxInf at most, and it must name the payment. */
function fromMirror(value: unknown): StatusRequest {
  const result = requestSchema.safeParse(isPlainObject(value) ? value : {});
  if (!result.success) throw schemaIssues(result.error);
  const { GrpHdr, OrgnlGrpInf, TxInf } = result.data;
  const issues = new IssueList();
  const msgId = issues.required(GrpHdr?.MsgId, 'GrpHdr.MsgId');
  if (msgId !== undefined && !isMaxText(msgId, 35))
    issues.add('GrpHdr.MsgId', 'FF01', 'MsgId must be 1..35 characters');
  if ((TxInf?.length ?? 0) > 1)
    issues.add('TxInf', 'FF01', 'one status request per message (a single TxInf)');
  const tx = TxInf?.[0];
  const group = tx?.OrgnlGrpInf ?? OrgnlGrpInf?.[0];
  const original = compact({
    msgId: group?.OrgnlMsgId,
    msgNmId: group?.OrgnlMsgNmId,
    creDtTm: group?.OrgnlCreDtTm,
    endToEndId: tx?.OrgnlEndToEndId,
    instrId: tx?.OrgnlInstrId,
    uetr: tx?.OrgnlUETR,
    txId: tx?.OrgnlTxId,
  });
  if (original.uetr !== undefined && !isUetr(original.uetr))
    issues.add('TxInf.OrgnlUETR', 'FF01', 'OrgnlUETR must be a UUID v4');
  if (!original.msgId && !original.endToEndId && !original.uetr && !original.txId) {
    issues.add(
      'TxInf',
      'FF01',
      'the request must name the payment: OrgnlMsgId, OrgnlEndToEndId, OrgnlUETR or OrgnlTxId',
    );
  }
  if (!issues.empty || msgId === undefined) throw new ValidationError(issues.items);
  return { msgId, original };
}

/** pacs.028.001.03 XML: bare Document, FedNow envelope or TCH Message; schema-validated first (FF01). */
export function parsePacs028Xml(body: string | Buffer, limits: XmlLimits = {}): StatusRequest {
  const text = decodeBody(body, limits.maxBytes ?? DEFAULT_MAX_BYTES);
  const root = parseXml(text, limits);
  const located = locateMessage(root, PACS028_SPEC);
  assertSchemaValid(text, root, located, PACS028_SPEC);
  return fromMirror(toMirror(located.message, NS.pacs028));
}

/** JSON form: `{ "FIToFIPmtStsReq": { "GrpHdr": {...}, "TxInf": {...} } }`. */
export function parsePacs028Json(body: unknown, limits: Pick<XmlLimits, 'maxDepth'> = {}): StatusRequest {
  guardJson(body, limits.maxDepth);
  if (!isPlainObject(body) || !isPlainObject(body.FIToFIPmtStsReq)) {
    throw new MalformedRequestError(
      'not a pacs.028 JSON message: expected an object with a FIToFIPmtStsReq object',
    );
  }
  return fromMirror(body.FIToFIPmtStsReq);
}
