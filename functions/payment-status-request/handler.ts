import { httpHandler, runtimeLogLevel } from '../../shared/edges/http/middleware';
import { partnerAuth } from '../../shared/edges/http/partner-auth';
import { statusRequestRoute } from '../../shared/edges/http/payment-routes';
import { wireStatusRoutes } from '../../shared/wiring/http';

/**
 * POST /payments/status-requests: a pacs.028 status request, answered with the payment's
 * pacs.002 only if every reference it gives names that one payment of the partner, else 404
 * (shared/edges/http/payment-routes.ts statusRequestRoute).
 */
const wired = wireStatusRoutes();

export const handler = httpHandler(statusRequestRoute(wired.status))
  .use(partnerAuth(wired.auth))
  .use(runtimeLogLevel());
