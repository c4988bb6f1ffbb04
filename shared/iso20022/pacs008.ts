import { MalformedRequestError } from '../domain/errors';
import { locateMessage, type AppHeader, type Envelope, type MessageSpec } from './envelope';
import { guardJson, isPlainObject, schemaIssues } from './json-guard';
import { toMirror } from './mirror';
import { NS, PACS008_MSG_NM_ID } from './namespaces';
import { creditTransferSchema, type Pacs008Document } from './pacs008-model';
import { railForClearingSystem, type Rail } from './rails';
import { assertSchemaValid } from './schema';
import { DEFAULT_MAX_BYTES, decodeBody, parseXml, type XmlLimits } from './xml';

export type * from './pacs008-model';

/** How the message came in: XML (with its envelope, to mirror in the answer) or the JSON form. */
export type Transport = { readonly format: 'xml'; readonly envelope: Envelope } | { readonly format: 'json' };

export interface ParsedPacs008 {
  readonly transport: Transport;
  /** head.001 Business Application Header, when the envelope carried one. */
  readonly appHdr?: AppHeader;
  /** The message in its typed JSON form (first CdtTrfTxInf only; see transactionCount). */
  readonly document: Pacs008Document;
  /** How many CdtTrfTxInf the message really held (validation requires exactly 1). */
  readonly transactionCount: number;
}

export const PACS008_SPEC: MessageSpec = {
  label: 'pacs.008',
  namespace: NS.pacs008,
  root: 'FIToFICstmrCdtTrf',
  msgDefIdr: PACS008_MSG_NM_ID,
  fednowWrapper: 'FedNowCustomerCreditTransfer',
  tchWrapper: 'CreditTransfer',
};

/** Mirror value of FIToFICstmrCdtTrf -> typed model (shape errors: ValidationError FF01). */
function fromMirror(value: unknown, transport: Transport, appHdr?: AppHeader): ParsedPacs008 {
  const result = creditTransferSchema.safeParse(isPlainObject(value) ? value : {});
  if (!result.success) throw schemaIssues(result.error);
  const { GrpHdr, CdtTrfTxInf } = result.data;
  const first = CdtTrfTxInf?.[0];
  return {
    transport,
    ...(appHdr ? { appHdr } : {}),
    document: {
      FIToFICstmrCdtTrf: { ...(GrpHdr ? { GrpHdr } : {}), ...(first ? { CdtTrfTxInf: first } : {}) },
    },
    transactionCount: CdtTrfTxInf?.length ?? 0,
  };
}

/**
 * Parses a pacs.008.001.08 XML body: a bare FedNow-style Document, a FedNow envelope
 * (FedNowIncoming + head.001 AppHdr + Document) or a TCH `Message` (AppHdr + CreditTransfer).
 * Not a pacs.008 at all -> MalformedRequestError; a pacs.008 that fails its XML schema (ISO
 * pacs.008.001.08 / head.001.001.02, or TCH's usage schema) or has a malformed element ->
 * ValidationError (FF01). Mandatory elements and formats are checked by validatePacs008.
 */
export function parsePacs008Xml(body: string | Buffer, limits: XmlLimits = {}): ParsedPacs008 {
  const text = decodeBody(body, limits.maxBytes ?? DEFAULT_MAX_BYTES);
  const root = parseXml(text, limits);
  const located = locateMessage(root, PACS008_SPEC);
  const read = () =>
    fromMirror(
      toMirror(located.message, NS.pacs008),
      { format: 'xml', envelope: located.envelope },
      located.appHdr,
    );
  // Schema first (README "Schema validation"): a message that fails its XSD meets no rule.
  assertSchemaValid(text, root, located, PACS008_SPEC, read);
  return read();
}

/**
 * Parses the JSON form (README "JSON form"): `{ "FIToFICstmrCdtTrf": { "GrpHdr": ..., "CdtTrfTxInf": ... } }`,
 * ISO element names and nesting 1:1, every leaf a string, attributes + text as `{ "Ccy": ..., "value": ... }`.
 */
export function parsePacs008Json(body: unknown, limits: Pick<XmlLimits, 'maxDepth'> = {}): ParsedPacs008 {
  guardJson(body, limits.maxDepth);
  if (!isPlainObject(body) || !isPlainObject(body.FIToFICstmrCdtTrf)) {
    throw new MalformedRequestError(
      'not a pacs.008 JSON message: expected an object with a FIToFICstmrCdtTrf object',
    );
  }
  return fromMirror(body.FIToFICstmrCdtTrf, { format: 'json' });
}

/** The JSON form of a parsed message (what parsePacs008Json accepts). */
export function toPacs008Json(parsed: ParsedPacs008): Pacs008Document {
  return parsed.document;
}

/**
 * Rail the message names: TCH envelope -> rtp, FedNow envelope -> fednow, else
 * GrpHdr/SttlmInf/ClrSys/Cd (FDN -> fednow, TCH -> rtp); undefined when it names none.
 */
export function inferRail(parsed: ParsedPacs008): Rail | undefined {
  if (parsed.transport.format === 'xml' && parsed.transport.envelope === 'tch') return 'rtp';
  if (parsed.transport.format === 'xml' && parsed.transport.envelope === 'fednow') return 'fednow';
  return railForClearingSystem(parsed.document.FIToFICstmrCdtTrf.GrpHdr?.SttlmInf?.ClrSys?.Cd);
}
