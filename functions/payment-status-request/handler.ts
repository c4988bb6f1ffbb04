import { getConfig } from '../../shared/config/config';
import { MalformedRequestError, UnsupportedMediaTypeError } from '../../shared/domain/errors';
import { systemClock } from '../../shared/domain/ports';
import { findPaymentByEveryReference } from '../../shared/domain/query';
import { header, MAX_BODY_BYTES, mediaType, rawBody } from '../../shared/http/body';
import { httpHandler } from '../../shared/http/middleware';
import { authenticatedPartner, partnerAuth, type AuthenticatedContext } from '../../shared/http/partner-auth';
import { statusAnswer } from '../../shared/intake/status-answer';
import { runtimeLogLevel } from '../../shared/observability/middleware';
import { parsePacs028Json, parsePacs028Xml } from '../../shared/iso20022';
import { buildPartnerAuth } from '../../shared/wiring/auth';
import { buildDataAdapters } from '../../shared/wiring/data';

/**
 * POST /payments/status-requests: a pacs.028 FIToFIPmtStsReq ("what happened to my payment?",
 * the ISO way to ask when an answer was lost; a sender must never resend the pacs.008 for that).
 * Answers the payment's pacs.002 in the request's format, only if EVERY reference the request
 * gives (OrgnlMsgId, OrgnlMsgNmId, OrgnlCreDtTm, OrgnlInstrId, OrgnlEndToEndId, OrgnlTxId,
 * OrgnlUETR) identifies that one payment of the partner; otherwise 404, as for an unknown
 * payment (shared/domain/query.ts findPaymentByEveryReference; shared/iso20022/README.md).
 */
const config = getConfig();
const data = buildDataAdapters(config);
const auth = buildPartnerAuth(config, data.clients);

export const handler = httpHandler(async (event, context: AuthenticatedContext) => {
  const { partnerId } = authenticatedPartner(context);
  const body = rawBody(event);
  const type = mediaType(header(event, 'content-type'));
  const xml = type === 'application/xml' || type === 'text/xml';
  if (!xml && type !== 'application/json') {
    throw new UnsupportedMediaTypeError('send the pacs.028 as application/xml, text/xml or application/json');
  }
  let request;
  if (xml) {
    request = parsePacs028Xml(body, { maxBytes: MAX_BODY_BYTES });
  } else {
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch (cause) {
      throw new MalformedRequestError('body is not valid JSON', { cause });
    }
    request = parsePacs028Json(json);
  }
  // Every reference the request gives must name the same payment of this partner (else 404).
  const payment = await findPaymentByEveryReference(data.payments, partnerId, request.original);
  return statusAnswer(payment, xml ? 'application/xml' : 'application/json', systemClock.now());
})
  .use(partnerAuth(auth.verifier, auth.rateLimit))
  .use(runtimeLogLevel());
