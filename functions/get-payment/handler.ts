import { httpHandler, runtimeLogLevel } from '../../shared/edges/http/middleware';
import { partnerAuth } from '../../shared/edges/http/partner-auth';
import { getPaymentRoute } from '../../shared/edges/http/payment-routes';
import { wireStatusRoutes } from '../../shared/wiring/http';

/**
 * GET /payments/{id}, GET /payments?endToEndId=|uetr=|msgId=: a payment's current status, for
 * the partner that submitted it only, as JSON or a pacs.002 (XML / JSON) by Accept.
 */
const wired = wireStatusRoutes();

export const handler = httpHandler(getPaymentRoute(wired.status))
  .use(partnerAuth(wired.auth))
  .use(runtimeLogLevel());
