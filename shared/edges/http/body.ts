import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { MalformedRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../../domain/errors';
import { parseJsonStrict } from '../../json/strict-json';

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

/**
 * Parses a JSON request body, refusing oversize (413), wrong media types or a charset other than
 * UTF-8 (415), and invalid UTF-8, malformed JSON or a duplicate member name (400 FF01).
 */
export function readJsonBody(body: Buffer, contentType: string | undefined): unknown {
  if (body.length > MAX_BODY_BYTES) throw new PayloadTooLargeError(`body exceeds ${MAX_BODY_BYTES} bytes`);
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
