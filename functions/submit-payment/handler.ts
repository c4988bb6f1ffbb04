import { httpHandler, intakeRefusals, runtimeLogLevel } from '../../shared/edges/http/middleware';
import { partnerAuth } from '../../shared/edges/http/partner-auth';
import { submitRoute } from '../../shared/edges/http/submit-route';
import { shedBeforeAuth } from '../../shared/edges/http/shed-before-auth';
import { wireSubmitPayment } from '../../shared/wiring/http';

/**
 * POST /payments: authenticate the partner, read the payment (ISO 20022 pacs.008 XML / JSON, or
 * the simple JSON form), validate, record, enqueue; answer 202 (pacs.002 ACTC for ISO messages).
 */
const wired = wireSubmitPayment();

export const handler = httpHandler(submitRoute(wired.submit))
  .use(shedBeforeAuth(wired.shedBeforeAuth))
  .use(partnerAuth(wired.auth))
  .use(intakeRefusals())
  .use(runtimeLogLevel());
