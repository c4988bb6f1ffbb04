import { getConfig } from '../../shared/config/config';
import { systemClock } from '../../shared/domain/ports';
import { findPaymentByEveryReference } from '../../shared/app/query';
import { header, rawBody } from '../../shared/edges/http/body';
import { httpHandler } from '../../shared/edges/http/middleware';
import {
  authenticatedPartner,
  partnerAuth,
  type AuthenticatedContext,
} from '../../shared/edges/http/partner-auth';
import { statusAnswer } from '../../shared/edges/http/status-answer';
import { runtimeLogLevel } from '../../shared/observability/middleware';
import { buildPartnerAuth } from '../../shared/wiring/auth';
import { buildDataAdapters } from '../../shared/wiring/data';
import { readStatusRequest } from '../../shared/edges/http/status-request-body';

/**
 * POST /payments/status-requests: a pacs.028 FIToFIPmtStsReq ("what happened to my payment?",
 * the ISO way to ask when an answer was lost; a sender must never resend the pacs.008 for that).
 * Answers the payment's pacs.002 in the request's format, only if EVERY reference the request
 * gives (OrgnlMsgId, OrgnlMsgNmId, OrgnlCreDtTm, OrgnlInstrId, OrgnlEndToEndId, OrgnlTxId,
 * OrgnlUETR) identifies that one payment of the partner; otherwise 404, as for an unknown
 * payment (shared/app/query.ts findPaymentByEveryReference; shared/iso20022/README.md).
 */
const config = getConfig();
const data = buildDataAdapters(config);
const auth = buildPartnerAuth(config, data.clients);

export const handler = httpHandler(async (event, context: AuthenticatedContext) => {
  const { partnerId } = authenticatedPartner(context);
  const { request, format } = readStatusRequest(rawBody(event), header(event, 'content-type'));
  // Every reference the request gives must name the same payment of this partner (else 404).
  const payment = await findPaymentByEveryReference(data.payments, partnerId, request.original);
  return statusAnswer(payment, format, systemClock.now());
})
  .use(partnerAuth(auth.verifier, auth.rateLimit))
  .use(runtimeLogLevel());
