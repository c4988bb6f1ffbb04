import { getConfig } from '../../shared/config/config';
import { ValidationError } from '../../shared/domain/errors';
import { UUID_PATTERN } from '../../shared/domain/ids';
import { systemClock, type ReferenceKind } from '../../shared/domain/ports';
import { findPaymentForPartner, getPaymentForPartner } from '../../shared/app/query';
import { header } from '../../shared/edges/http/body';
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

/**
 * GET /payments/{id}, GET /payments?endToEndId=|uetr=|msgId=: a payment's current status, for
 * the partner that submitted it only, as JSON or a pacs.002 (XML / JSON) by Accept.
 */
const config = getConfig();
const data = buildDataAdapters(config);
const auth = buildPartnerAuth(config, data.clients);
const LOOKUPS: readonly ReferenceKind[] = ['endToEndId', 'uetr', 'msgId'];

export const handler = httpHandler(async (event, context: AuthenticatedContext) => {
  const { partnerId } = authenticatedPartner(context);
  const id = event.pathParameters?.id;
  let payment;
  if (id !== undefined) {
    if (!UUID_PATTERN.test(id)) throw ValidationError.field('id', 'FF01', 'must be a payment id (UUID)');
    payment = await getPaymentForPartner(data.payments, partnerId, id);
  } else {
    const query = event.queryStringParameters ?? {};
    const given = LOOKUPS.filter((kind) => query[kind] !== undefined);
    const kind = given[0];
    const value = kind === undefined ? undefined : query[kind];
    if (given.length !== 1 || kind === undefined || !value || value.length > 64) {
      throw ValidationError.field('query', 'FF01', 'give exactly one of endToEndId, uetr or msgId');
    }
    payment = await findPaymentForPartner(data.payments, partnerId, kind, value);
  }
  return statusAnswer(payment, header(event, 'accept'), systemClock.now());
})
  .use(partnerAuth(auth.verifier, auth.rateLimit))
  .use(runtimeLogLevel());
