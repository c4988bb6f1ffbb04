import type { DuplicateError, OverloadedError, ValidationError } from '../domain/errors';
import type { Partner } from '../domain/partner';
import type { Payment, PaymentStatus } from '../domain/payment';

/**
 * A submission, in either form POST /payments takes: an ISO 20022 pacs.008 (XML, or its JSON
 * form) still to be parsed with the body limit it is read under, or the simple JSON form already
 * parsed as a JSON value. Always with the calling partner's profile: every form is checked
 * against its institutions, currencies and limit.
 */
export type SubmitRequest =
  | {
      readonly form: 'pacs.008';
      readonly body: Buffer;
      readonly contentType: string;
      readonly maxBytes: number;
      readonly partner: Partner;
    }
  | { readonly form: 'json'; readonly value: unknown; readonly partner: Partner };

/** The pacs.002 a pacs.008 is answered with, and the payment state that answer reports. */
export interface IsoAnswer {
  readonly contentType: string;
  readonly body: string;
  /** RECEIVED for a new submission, the current state for a resend, REJECTED for a refusal. */
  readonly reports: PaymentStatus;
}

/**
 * What a submission came to, whatever its form (transport-free: the HTTP edge renders it,
 * shared/edges/http/submit-route.ts). A pacs.008 carries its pacs.002 answer in every case.
 *   accepted   recorded now (and queued, or refused for good by the queue: status REJECTED)
 *   duplicate  the same payment, same content, recorded before: answered with its status
 *   refused    a rule (ValidationError, NotPermittedError for what the partner may not instruct)
 *              or the same reference with other content (DuplicateError); nothing written
 *   shed       refused by admission control (OverloadedError); nothing written
 */
export type SubmitOutcome =
  | { readonly kind: 'accepted' | 'duplicate'; readonly payment: Payment; readonly answer?: IsoAnswer }
  | {
      readonly kind: 'refused';
      readonly error: ValidationError | DuplicateError;
      readonly answer?: IsoAnswer;
    }
  | { readonly kind: 'shed'; readonly error: OverloadedError; readonly answer?: IsoAnswer };
