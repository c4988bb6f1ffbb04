import { UnsupportedMediaTypeError } from '../domain/errors';
import { parseJsonStrict } from '../json/strict-json';
import { inferRail, parsePacs008Json, parsePacs008Xml, type ParsedPacs008 } from './pacs008';
import type { Rail } from './rails';
import { SchemaValidationError } from './schema';
import { DEFAULT_MAX_BYTES, decodeBody, type XmlLimits } from './xml';

export { parseXml, decodeBody, DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH } from './xml';
export type { XmlElement, XmlLimits } from './xml';
export type { IsoNode } from './mirror';
export type { AppHeader, Envelope } from './envelope';
export { NS } from './namespaces';
export { inferRail, parsePacs008Json, parsePacs008Xml, toPacs008Json, PACS008_SPEC } from './pacs008';
export type * from './pacs008';
export { RAIL_RULES, railForClearingSystem } from './rails';
export type { Rail, RailRules } from './rails';
export { validatePacs008 } from './validate';
export type { AccountRef, PartnerContext, ValidateOptions, ValidatedPacs008 } from './validate';
export { canonicalJson, ledgerAccountId, pacs008ContentHash, toPaymentInstruction } from './map';
export {
  buildPacs002Json,
  buildPacs002Reply,
  buildPacs002Xml,
  parsePacs002Xml,
  PACS002_SPEC,
  statusReportTree,
  isTchStatusReason,
  TCH_STATUS_REASONS,
  TCH_TRANSACTION_STATUSES,
} from './pacs002';
export type {
  Pacs002Json,
  StatusReasonCode,
  StatusReportInput,
  TchStatusReason,
  TransactionStatus,
} from './pacs002';
export { tchSenderParticipantId } from './rails';
export { parsePacs028Json, parsePacs028Xml } from './pacs028';
export type { StatusRequest } from './pacs028';
export * as isoFormats from './formats';
export { SchemaValidationError, messageSchemaIssues } from './schema';

function isParsedPacs008(value: unknown): value is ParsedPacs008 {
  return typeof value === 'object' && value !== null && 'document' in value && 'transport' in value;
}

export interface PaymentMessageInput {
  readonly body: Buffer | string;
  /** The request Content-Type header, e.g. `application/xml; charset=utf-8`. */
  readonly contentType: string;
  readonly limits?: XmlLimits;
}

export interface ParsedPaymentMessage extends ParsedPacs008 {
  /**
   * Rail the message names: TCH envelope -> rtp, FedNow envelope -> fednow, else from
   * GrpHdr/SttlmInf/ClrSys/Cd (FDN / TCH); undefined when it names none (validation reports it).
   */
  readonly rail: Rail | undefined;
}

const XML_TYPES = new Set(['application/xml', 'text/xml']);

function mediaType(contentType: string): 'xml' | 'json' {
  const [type = '', ...params] = contentType.split(';').map((p) => p.trim().toLowerCase());
  for (const param of params) {
    const [name, value = ''] = param.split('=').map((p) => p.trim());
    if (name === 'charset' && value.replace(/^"|"$/g, '') !== 'utf-8') {
      throw new UnsupportedMediaTypeError(`charset ${value.slice(0, 20)} is not supported: send UTF-8`);
    }
  }
  if (XML_TYPES.has(type)) return 'xml';
  if (type === 'application/json') return 'json';
  throw new UnsupportedMediaTypeError(
    `media type '${type.slice(0, 60)}' is not supported: use application/xml, text/xml or application/json`,
  );
}

/**
 * Single intake entry: dispatches on Content-Type (application/xml, text/xml: pacs.008 XML in
 * any supported envelope; application/json: the JSON form) and reports how the message came
 * (transport + rail) so the pacs.002 answer can mirror it. Throws only AppError subclasses:
 * UnsupportedMediaTypeError, PayloadTooLargeError, MalformedRequestError, ValidationError (FF01;
 * an XML body that fails its XSD: SchemaValidationError, whose `parsed` is a
 * ParsedPaymentMessage when the message could still be read, to answer it with a pacs.002 RJCT).
 */
export function parsePaymentMessage(input: PaymentMessageInput): ParsedPaymentMessage {
  const kind = mediaType(input.contentType);
  let parsed: ParsedPacs008;
  if (kind === 'xml') {
    try {
      parsed = parsePacs008Xml(input.body, input.limits);
    } catch (error) {
      // Keep what could be read of a schema-invalid message, with its rail, for the RJCT answer.
      if (!(error instanceof SchemaValidationError) || !isParsedPacs008(error.parsed)) throw error;
      const partial: ParsedPaymentMessage = { ...error.parsed, rail: inferRail(error.parsed) };
      throw new SchemaValidationError(error.issues, partial);
    }
  } else {
    const text = decodeBody(input.body, input.limits?.maxBytes ?? DEFAULT_MAX_BYTES);
    parsed = parsePacs008Json(parseJsonStrict(text), input.limits);
  }
  return { ...parsed, rail: inferRail(parsed) };
}
