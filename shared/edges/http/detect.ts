import { MAX_BODY_BYTES, mediaType } from './body';
import { PayloadTooLargeError, UnsupportedMediaTypeError } from '../../domain/errors';

/**
 * Which intake form a POST /payments body is:
 *   application/xml, text/xml                           -> ISO 20022 pacs.008 (XML)
 *   application/json with a top-level FIToFICstmrCdtTrf -> ISO 20022 pacs.008 (JSON form)
 *   application/json otherwise                          -> the simple JSON payment form
 */
export type IntakeForm = 'iso' | 'simple-json';

export function detectIntakeForm(body: Buffer, contentType: string | undefined): IntakeForm {
  if (body.length > MAX_BODY_BYTES) throw new PayloadTooLargeError(`body exceeds ${MAX_BODY_BYTES} bytes`);
  const type = mediaType(contentType);
  if (type === 'application/xml' || type === 'text/xml') return 'iso';
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
  return /^\s*\{\s*"FIToFICstmrCdtTrf"\s*:/.test(body.subarray(0, 256).toString('utf8'))
    ? 'iso'
    : 'simple-json';
}
