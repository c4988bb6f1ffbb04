import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { submit, type SubmitOutcome } from '../../app/submit-intake';
import type { SubmitDeps } from '../../app/submit';
import { ForbiddenError } from '../../domain/errors';
import { isTerminal } from '../../domain/payment';
import { annotateTrace, appendCorrelation, correlationOf } from '../../observability/correlation';
import { pipelineMetrics } from '../../observability/metrics';
import { logger } from '../../observability/powertools';
import { header, rawBody, readPaymentBody, type PaymentBody } from './body';
import { httpStatusOf } from './errors';
import { partnerProfile, type AuthenticatedContext } from './partner-auth';
import { paymentView } from './presenters';
import { jsonResponse, textResponse, type HttpResponse } from './responses';

/**
 * POST /payments: read the body (body.ts: limit, media type, which form), submit it for the
 * authenticated partner's profile (shared/app/submit-intake.ts), log, count and correlate the
 * outcome once, and render it:
 *   accepted / duplicate   202 while in flight, 200 once final (the state the answer reports),
 *                          Location; the pacs.002 for a pacs.008, else the JSON view
 *   refused / shed         a pacs.008's pacs.002 RJCT with its error's status (errors.ts: 400,
 *                          403, 409; 503 / 429 + Retry-After); the JSON form's refusal is thrown,
 *                          answered with its JSON error and counted by intakeRefusals()
 */
export function submitRoute(deps: SubmitDeps) {
  return async (event: APIGatewayProxyEventV2, context: AuthenticatedContext): Promise<HttpResponse> => {
    const body = rawBody(event);
    const contentType = header(event, 'content-type');
    // Every form is checked against the caller's profile: its institutions, currencies, limit.
    const partner = partnerProfile(context);
    if (!partner) throw new ForbiddenError('partner_unknown', 'partner profile not found');
    const read = readPaymentBody(body, contentType);
    const outcome = await submit({ ...read, partner }, deps);
    observe(outcome, read.form);
    return render(outcome);
  };
}

/** Logs, metrics and correlation ids of a submission's outcome. */
function observe(outcome: SubmitOutcome, form: PaymentBody['form']): void {
  const iso = form === 'pacs.008' ? { form: 'pacs.008' } : undefined;
  if (outcome.kind === 'shed' || outcome.kind === 'refused') {
    // A refusal without an answer is thrown (render): intakeRefusals() counts it.
    if (!iso || !outcome.answer) return;
    if (outcome.kind === 'shed') {
      const { reason, retryAfterSeconds } = outcome.error;
      logger.info('payment shed at intake', { reason, retryAfterSeconds, ...iso });
      pipelineMetrics.paymentShed(reason);
    } else {
      logger.info('payment refused', { reasonCode: outcome.error.code, ...iso });
      pipelineMetrics.intakeRefusal(outcome.error.code);
    }
    return;
  }
  const ids = correlationOf(outcome.payment);
  appendCorrelation(ids);
  annotateTrace(ids);
  const duplicate = outcome.kind === 'duplicate';
  logger.info(
    duplicate ? 'duplicate submission answered' : 'payment accepted',
    iso ?? { status: outcome.payment.status },
  );
  if (duplicate) pipelineMetrics.idempotentReplay('submit');
  else pipelineMetrics.paymentAccepted();
}

/** The HTTP answer to a submission's outcome. */
export function render(outcome: SubmitOutcome): HttpResponse {
  if (outcome.kind === 'refused' || outcome.kind === 'shed') {
    // The simple JSON form: the error's own JSON answer (errors.ts), as any refused request.
    if (!outcome.answer) throw outcome.error;
    const retry: Record<string, string> =
      outcome.kind === 'shed' ? { 'retry-after': String(outcome.error.retryAfterSeconds) } : {};
    return textResponse(httpStatusOf(outcome.error), outcome.answer.body, outcome.answer.contentType, retry);
  }
  const { payment, answer } = outcome;
  // 202 while it is on its way; a payment already terminal (a resend, or refused for good by
  // the queue) answers 200 with its status. A new pacs.008 is answered RECEIVED: 202.
  const status = isTerminal(answer?.reports ?? payment.status) ? 200 : 202;
  const location = { location: `/payments/${payment.paymentId}` };
  if (answer) return textResponse(status, answer.body, answer.contentType, location);
  return jsonResponse(status, paymentView(payment), location);
}
