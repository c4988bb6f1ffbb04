import { DuplicateError, OverloadedError, ValidationError } from '../domain/errors';
import { parseJsonPayment } from './json-payment';
import { submitPayment, type SubmitDeps } from './submit';
import { submitPacs008 } from './submit-iso';
import type { SubmitOutcome, SubmitRequest } from './submit-outcome';

export type { IsoAnswer, SubmitOutcome, SubmitRequest } from './submit-outcome';

/**
 * POST /payments, every form: validate against the partner's profile, record, enqueue
 * (submit.ts), and say what it came to in one outcome shape (submit-outcome.ts). A pacs.008 is
 * answered with a pacs.002 in every outcome (submit-iso.ts); the simple JSON form's refusals
 * carry no answer (the edge answers them with the JSON error of their class). What is not a
 * submission at all (unreadable, or an infrastructure failure) is thrown.
 */
export async function submit(request: SubmitRequest, deps: SubmitDeps): Promise<SubmitOutcome> {
  if (request.form === 'pacs.008') return submitPacs008(request, deps);
  try {
    const instruction = parseJsonPayment(request.value, request.partner);
    const { payment, duplicate } = await submitPayment(instruction, deps);
    return { kind: duplicate ? 'duplicate' : 'accepted', payment };
  } catch (error) {
    if (error instanceof OverloadedError) return { kind: 'shed', error };
    if (error instanceof ValidationError || error instanceof DuplicateError)
      return { kind: 'refused', error };
    throw error;
  }
}
