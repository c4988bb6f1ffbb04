import type { SubmitDeps } from '../app/submit';
import { submitPacs008 } from '../app/submit-iso';
import type { SubmitOutcome } from '../app/submit-outcome';
import type { Partner } from '../domain/partner';
import { MAX_BODY_BYTES } from '../edges/http/body';
import { render } from '../edges/http/submit-route';
import { FakeClock, FakePaymentStore, FakeQueue } from './fakes';

/** An active partner acting for `agentIds`, for intake tests. */
export function testPartner(partnerId: string, agentIds: readonly string[]): Partner {
  return { partnerId, name: partnerId, status: 'ACTIVE', agentIds, currencies: ['USD'] };
}

/** Fake store, queue and clock wired as the submit use cases take them. */
export function intakeWorld(now: number, slaSeconds = 15) {
  const store = new FakePaymentStore();
  const queue = new FakeQueue();
  const clock = new FakeClock(now);
  return { store, queue, clock, deps: { store, queue, clock, slaSeconds } };
}

/**
 * A pacs.008 through the submit use case (shared/app/submit-iso.ts), with the answer the HTTP
 * edge renders for its outcome (shared/edges/http/submit-route.ts): status, headers, content
 * type and the pacs.002 body; the payment and reason code, and the outcome itself.
 */
export async function submitIso(
  input: { readonly body: Buffer; readonly contentType: string; readonly partner: Partner },
  deps: SubmitDeps,
) {
  const outcome: SubmitOutcome = await submitPacs008(
    { form: 'pacs.008', maxBytes: MAX_BODY_BYTES, ...input },
    deps,
  );
  const response = render(outcome);
  const recorded = outcome.kind === 'accepted' || outcome.kind === 'duplicate';
  return {
    outcome,
    httpStatus: response.statusCode,
    headers: response.headers,
    contentType: response.headers['content-type'],
    body: String(response.body),
    payment: recorded ? outcome.payment : undefined,
    duplicate: recorded ? outcome.kind === 'duplicate' : undefined,
    reasonCode:
      outcome.kind === 'refused' ? outcome.error.code : outcome.kind === 'shed' ? 'NARR' : undefined,
    shed: outcome.kind === 'shed' ? outcome.error : undefined,
  };
}
