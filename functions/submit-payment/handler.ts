import { getConfig } from '../../shared/config/config';
import { ForbiddenError } from '../../shared/domain/errors';
import { systemClock } from '../../shared/domain/ports';
import { submitPayment } from '../../shared/app/submit';
import { header, rawBody, readJsonBody } from '../../shared/edges/http/body';
import { httpHandler } from '../../shared/edges/http/middleware';
import {
  authenticatedPartner,
  partnerAuth,
  type AuthenticatedContext,
} from '../../shared/edges/http/partner-auth';
import { paymentView } from '../../shared/edges/http/presenters';
import { jsonResponse, textResponse } from '../../shared/edges/http/responses';
import { detectIntakeForm } from '../../shared/edges/http/detect';
import { submitPacs008 } from '../../shared/app/submit-iso';
import { parseJsonPayment } from '../../shared/app/json-payment';
import { annotateTrace, appendCorrelation, correlationOf } from '../../shared/observability/correlation';
import { pipelineMetrics } from '../../shared/observability/metrics';
import { intakeRefusals, runtimeLogLevel } from '../../shared/observability/middleware';
import { logger } from '../../shared/observability/powertools';
import { buildAdmissionGate, shedBeforeAuth } from '../../shared/wiring/admission';
import { buildPartnerAuth } from '../../shared/wiring/auth';
import { buildDataAdapters } from '../../shared/wiring/data';

/**
 * POST /payments: authenticate the partner, read the payment (ISO 20022 pacs.008 XML / JSON, or
 * the simple JSON form), validate, record, enqueue; answer 202 (pacs.002 ACTC for ISO messages).
 */
const config = getConfig();
const data = buildDataAdapters(config);
const auth = buildPartnerAuth(config, data.clients);
const admission = buildAdmissionGate(config, data.clients.sqs);
const submitDeps = {
  store: data.payments,
  queue: data.queue,
  clock: systemClock,
  slaSeconds: config.slaSeconds,
  // Refuses (503 / 429 + Retry-After, nothing written) what the settlement backlog would not
  // settle within the SLA (shared/domain/admission.ts).
  admission,
};

export const handler = httpHandler(async (event, context: AuthenticatedContext) => {
  const { partnerId } = authenticatedPartner(context);
  const body = rawBody(event);
  const contentType = header(event, 'content-type');
  // Every form is checked against the caller's profile: its institutions, currencies, limit.
  const partner = await auth.partners.getPartner(partnerId);
  if (!partner) throw new ForbiddenError('partner_unknown', 'partner profile not found');

  if (detectIntakeForm(body, contentType) === 'iso') {
    const outcome = await submitPacs008(
      { body, contentType: contentType ?? 'application/xml', partner },
      submitDeps,
    );
    if (outcome.payment) {
      const ids = correlationOf(outcome.payment);
      appendCorrelation(ids);
      annotateTrace(ids);
      logger.info(outcome.duplicate ? 'duplicate submission answered' : 'payment accepted', {
        form: 'pacs.008',
      });
      if (outcome.duplicate) pipelineMetrics.idempotentReplay('submit');
      else pipelineMetrics.paymentAccepted();
    } else if (outcome.shed) {
      logger.info('payment shed at intake', {
        reason: outcome.shed.reason,
        retryAfterSeconds: outcome.shed.retryAfterSeconds,
        form: 'pacs.008',
      });
      pipelineMetrics.paymentShed(outcome.shed.reason);
    } else {
      logger.info('payment refused', { reasonCode: outcome.reasonCode, form: 'pacs.008' });
      pipelineMetrics.intakeRefusal(outcome.reasonCode);
    }
    return textResponse(outcome.httpStatus, outcome.body, outcome.contentType, {
      ...(outcome.payment ? { location: `/payments/${outcome.payment.paymentId}` } : {}),
      ...outcome.headers,
    });
  }

  const instruction = parseJsonPayment(readJsonBody(body, contentType), partner);
  const { payment, duplicate } = await submitPayment(instruction, submitDeps);
  const ids = correlationOf(payment);
  appendCorrelation(ids);
  annotateTrace(ids);
  logger.info(duplicate ? 'duplicate submission answered' : 'payment accepted', { status: payment.status });
  if (duplicate) pipelineMetrics.idempotentReplay('submit');
  else pipelineMetrics.paymentAccepted();
  // 202 while it is on its way; a payment already terminal (a resend, or refused for good by the
  // queue) answers 200 with its status.
  const status = payment.status === 'SETTLED' || payment.status === 'REJECTED' ? 200 : 202;
  return jsonResponse(status, paymentView(payment), { location: `/payments/${payment.paymentId}` });
})
  .use(shedBeforeAuth(config.admission.shedBeforeAuth ? admission : undefined))
  .use(partnerAuth(auth.verifier, auth.rateLimit))
  .use(intakeRefusals())
  .use(runtimeLogLevel());
