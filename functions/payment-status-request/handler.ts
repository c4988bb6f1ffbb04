import { getConfig } from '../../shared/config/config';
import { MalformedRequestError } from '../../shared/domain/errors';
import { systemClock, type ReferenceKind } from '../../shared/domain/ports';
import { findPaymentForPartner } from '../../shared/domain/query';
import { header, rawBody } from '../../shared/http/body';
import { httpHandler } from '../../shared/http/middleware';
import { authenticatedPartner, partnerAuth, type AuthenticatedContext } from '../../shared/http/partner-auth';
import { statusAnswer } from '../../shared/intake/status-answer';
import { runtimeLogLevel } from '../../shared/observability/middleware';
import { buildPartnerAuth } from '../../shared/wiring/auth';
import { buildDataAdapters } from '../../shared/wiring/data';
import { readStatusRequest } from './read-request';

/**
 * POST /payments/status-requests: a pacs.028 FIToFIPmtStsReq ("what happened to my payment?",
 * the ISO way to ask when an answer was lost; a sender must never resend the pacs.008 for that).
 * Answers the payment's pacs.002 in the request's format.
 */
const config = getConfig();
const data = buildDataAdapters(config);
const auth = buildPartnerAuth(config, data.clients);

export const handler = httpHandler(async (event, context: AuthenticatedContext) => {
  const { partnerId } = authenticatedPartner(context);
  const { request, format } = readStatusRequest(rawBody(event), header(event, 'content-type'));
  const o = request.original;
  const [kind, value]: [ReferenceKind, string | undefined] =
    o.uetr !== undefined
      ? ['uetr', o.uetr]
      : o.endToEndId !== undefined
        ? ['endToEndId', o.endToEndId]
        : ['msgId', o.msgId];
  if (value === undefined) throw new MalformedRequestError('the pacs.028 names no original payment');
  const payment = await findPaymentForPartner(data.payments, partnerId, kind, value);
  return statusAnswer(payment, format, systemClock.now());
})
  .use(partnerAuth(auth.verifier, auth.rateLimit))
  .use(runtimeLogLevel());
