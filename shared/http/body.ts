import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { MalformedRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../domain/errors';
import { parseJsonStrict } from '../json/strict-json';

/** Largest request body accepted by partner routes (a pacs.008 is a few KB). */
export const MAX_BODY_BYTES = 64 * 1024;

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
 * Parses a JSON request body, refusing wrong media types, oversize and malformed JSON (duplicate
 * member names included).
 */
export function readJsonBody(body: Buffer, contentType: string | undefined): unknown {
  if (body.length > MAX_BODY_BYTES) throw new PayloadTooLargeError(`body exceeds ${MAX_BODY_BYTES} bytes`);
  const type = mediaType(contentType);
  if (type !== undefined && type !== 'application/json' && !type.endsWith('+json')) {
    throw new UnsupportedMediaTypeError(`unsupported content type '${type}': use application/json`);
  }
  if (body.length === 0) throw new MalformedRequestError('request body is empty');
  return parseJsonStrict(body.toString('utf8'));
}
