import { PayloadTooLargeError, UnsupportedMediaTypeError } from '../../domain/errors';
import { MAX_BODY_BYTES, mediaType } from './body';
import { decodeBody, parsePacs028Json, parsePacs028Xml, type StatusRequest } from '../../iso20022';
import { parseJsonStrict } from '../../json/strict-json';

export interface ReadStatusRequest {
  readonly request: StatusRequest;
  /** The form the answer mirrors. */
  readonly format: 'application/xml' | 'application/json';
}

/**
 * Reads a pacs.028 body in either form. The body limit of POST /payments (MAX_BODY_BYTES, 413)
 * applies to both, before any decoding or parsing; the JSON form is strict UTF-8 and refuses
 * duplicate member names, as the pacs.008 JSON form does.
 */
export function readStatusRequest(body: Buffer, contentType: string | undefined): ReadStatusRequest {
  const type = mediaType(contentType);
  const xml = type === 'application/xml' || type === 'text/xml';
  if (!xml && type !== 'application/json') {
    throw new UnsupportedMediaTypeError('send the pacs.028 as application/xml, text/xml or application/json');
  }
  if (body.length > MAX_BODY_BYTES) throw new PayloadTooLargeError(`body exceeds ${MAX_BODY_BYTES} bytes`);
  if (xml) return { request: parsePacs028Xml(body, { maxBytes: MAX_BODY_BYTES }), format: 'application/xml' };
  const json = parseJsonStrict(decodeBody(body, MAX_BODY_BYTES));
  return { request: parsePacs028Json(json), format: 'application/json' };
}
