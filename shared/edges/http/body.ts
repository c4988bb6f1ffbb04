import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { MalformedRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../../domain/errors';
import {
  DEFAULT_MAX_BYTES,
  decodeBody,
  parsePacs028Json,
  parsePacs028Xml,
  type StatusRequest,
} from '../../iso20022';
import { parseJsonStrict } from '../../json/strict-json';

/**
 * The one place partner request bodies are read: the body limit (413), the media type and
 * charset (415), which form a POST /payments body is, and the strict decoding of the JSON forms
 * (400 FF01). The ISO parsers get the same limit (MAX_BODY_BYTES) from here.
 */

/**
 * Largest request body accepted by partner routes (a pacs.008 is a few KB): the ISO library's
 * message limit (shared/iso20022/xml.ts), the one 64 KiB constant of the code base.
 */
export const MAX_BODY_BYTES = DEFAULT_MAX_BYTES;

/** The raw body bytes exactly as received (API Gateway base64-encodes non-text bodies). */
export function rawBody(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): Buffer {
  if (event.body === undefined || event.body === null) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

export function header(event: Pick<APIGatewayProxyEventV2, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/** Media type without parameters, lower-cased: `application/json; charset=utf-8` -> `application/json`. */
export function mediaType(value: string | undefined): string | undefined {
  const type = value?.split(';')[0]?.trim().toLowerCase();
  return type ? type : undefined;
}

/**
 * The `charset` parameter of a Content-Type, lower-cased and unquoted, or undefined when absent:
 * `application/json; charset="UTF-8"` -> `utf-8`.
 */
export function charsetOf(value: string | undefined): string | undefined {
  for (const param of (value ?? '').split(';').slice(1)) {
    const eq = param.indexOf('=');
    if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    return param
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
  }
  return undefined;
}

/** 413 past the limit, before anything is decoded or parsed. */
function checkSize(body: Buffer): void {
  if (body.length > MAX_BODY_BYTES) throw new PayloadTooLargeError(`body exceeds ${MAX_BODY_BYTES} bytes`);
}

const isXml = (type: string | undefined) => type === 'application/xml' || type === 'text/xml';

/**
 * A POST /payments body, by form:
 *   application/xml, text/xml                           -> ISO 20022 pacs.008 (XML)
 *   application/json with a top-level FIToFICstmrCdtTrf -> ISO 20022 pacs.008 (JSON form)
 *   application/json otherwise                          -> the simple JSON payment form, parsed
 * The pacs.008 is left to the ISO parser, with the limit it is to apply.
 */
export type PaymentBody =
  | {
      readonly form: 'pacs.008';
      readonly body: Buffer;
      readonly contentType: string;
      readonly maxBytes: number;
    }
  | { readonly form: 'json'; readonly value: unknown };

export function readPaymentBody(body: Buffer, contentType: string | undefined): PaymentBody {
  checkSize(body);
  const type = mediaType(contentType);
  if (isXml(type))
    return {
      form: 'pacs.008',
      body,
      contentType: contentType ?? 'application/xml',
      maxBytes: MAX_BODY_BYTES,
    };
  if (type === undefined) {
    // A body's meaning must not be guessed: every form names its media type.
    throw new UnsupportedMediaTypeError(
      'Content-Type is required: application/json, application/xml or text/xml',
    );
  }
  if (type !== 'application/json') {
    throw new UnsupportedMediaTypeError(
      `unsupported content type '${type.slice(0, 60)}': use application/json, application/xml or text/xml`,
    );
  }
  // A cheap look at the first key: the ISO JSON form starts with {"FIToFICstmrCdtTrf".
  if (/^\s*\{\s*"FIToFICstmrCdtTrf"\s*:/.test(body.subarray(0, 256).toString('utf8'))) {
    return {
      form: 'pacs.008',
      body,
      contentType: contentType ?? 'application/xml',
      maxBytes: MAX_BODY_BYTES,
    };
  }
  return { form: 'json', value: parseJsonForm(body, contentType) };
}

/**
 * Parses a JSON request body, refusing oversize (413), wrong media types or a charset other than
 * UTF-8 (415), and invalid UTF-8, malformed JSON or a duplicate member name (400 FF01).
 */
export function readJsonBody(body: Buffer, contentType: string | undefined): unknown {
  checkSize(body);
  return parseJsonForm(body, contentType);
}

/** readJsonBody() past the size check. */
function parseJsonForm(body: Buffer, contentType: string | undefined): unknown {
  const type = mediaType(contentType);
  if (type !== 'application/json') {
    throw new UnsupportedMediaTypeError(
      type === undefined
        ? 'Content-Type is required: application/json (UTF-8)'
        : `unsupported content type '${type.slice(0, 60)}': use application/json`,
    );
  }
  const charset = charsetOf(contentType);
  if (charset !== undefined && charset !== 'utf-8') {
    throw new UnsupportedMediaTypeError(
      `charset '${charset.slice(0, 20)}' is not supported: send application/json in UTF-8`,
    );
  }
  if (body.length === 0) throw new MalformedRequestError('request body is empty');
  let text: string;
  try {
    // Strict: invalid byte sequences are refused, not replaced by U+FFFD (a BOM is dropped).
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch (cause) {
    throw new MalformedRequestError('request body is not valid UTF-8', { cause });
  }
  return parseJsonStrict(text);
}

export interface ReadStatusRequest {
  readonly request: StatusRequest;
  /** The form the answer mirrors. */
  readonly format: 'application/xml' | 'application/json';
}

/**
 * Reads a pacs.028 body in either form. The body limit of POST /payments (413) applies to both,
 * before any decoding or parsing (after the media type, 415, as it always has); the JSON form is
 * strict UTF-8 and refuses duplicate member names, as the pacs.008 JSON form does.
 */
export function readStatusRequest(body: Buffer, contentType: string | undefined): ReadStatusRequest {
  const type = mediaType(contentType);
  if (!isXml(type) && type !== 'application/json') {
    throw new UnsupportedMediaTypeError('send the pacs.028 as application/xml, text/xml or application/json');
  }
  checkSize(body);
  if (isXml(type))
    return { request: parsePacs028Xml(body, { maxBytes: MAX_BODY_BYTES }), format: 'application/xml' };
  const json = parseJsonStrict(decodeBody(body, MAX_BODY_BYTES));
  return { request: parsePacs028Json(json), format: 'application/json' };
}
