import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { findPaymentByEveryReference, findPaymentForPartner, getPaymentForPartner } from '../../app/query';
import { ValidationError } from '../../domain/errors';
import { UUID_PATTERN } from '../../domain/ids';
import type { Payment } from '../../domain/payment';
import type { Clock, PaymentStore, ReferenceKind } from '../../domain/ports';
import { header, rawBody, readStatusRequest } from './body';
import { authenticatedPartner, type AuthenticatedContext } from './partner-auth';
import type { HttpResponse } from './responses';
import { statusAnswer } from './status-answer';

/** What the status routes read payments with. */
export interface StatusRouteDeps {
  readonly payments: PaymentStore;
  readonly clock: Clock;
}

const LOOKUPS: readonly ReferenceKind[] = ['endToEndId', 'uetr', 'msgId'];

/**
 * GET /payments/{id}, GET /payments?endToEndId=|uetr=|msgId=: a payment's current status, for
 * the partner that submitted it only, as JSON or a pacs.002 (XML / JSON) by Accept.
 */
export function getPaymentRoute(deps: StatusRouteDeps) {
  return async (event: APIGatewayProxyEventV2, context: AuthenticatedContext): Promise<HttpResponse> => {
    const { partnerId } = authenticatedPartner(context);
    const payment = await lookUp(event, partnerId, deps.payments);
    return statusAnswer(payment, header(event, 'accept'), deps.clock.now());
  };
}

async function lookUp(
  event: APIGatewayProxyEventV2,
  partnerId: string,
  payments: PaymentStore,
): Promise<Payment> {
  const id = event.pathParameters?.id;
  if (id !== undefined) {
    if (!UUID_PATTERN.test(id)) throw ValidationError.field('id', 'FF01', 'must be a payment id (UUID)');
    return getPaymentForPartner(payments, partnerId, id);
  }
  const query = event.queryStringParameters ?? {};
  const given = LOOKUPS.filter((kind) => query[kind] !== undefined);
  const kind = given[0];
  const value = kind === undefined ? undefined : query[kind];
  if (given.length !== 1 || kind === undefined || !value || value.length > 64) {
    throw ValidationError.field('query', 'FF01', 'give exactly one of endToEndId, uetr or msgId');
  }
  return findPaymentForPartner(payments, partnerId, kind, value);
}

/**
 * POST /payments/status-requests: a pacs.028 FIToFIPmtStsReq ("what happened to my payment?",
 * the ISO way to ask when an answer was lost; a sender must never resend the pacs.008 for that).
 * Answers the payment's pacs.002 in the request's format, only if EVERY reference the request
 * gives (OrgnlMsgId, OrgnlMsgNmId, OrgnlCreDtTm, OrgnlInstrId, OrgnlEndToEndId, OrgnlTxId,
 * OrgnlUETR) identifies that one payment of the partner; otherwise 404, as for an unknown
 * payment (shared/app/query.ts findPaymentByEveryReference; shared/iso20022/README.md).
 */
export function statusRequestRoute(deps: StatusRouteDeps) {
  return async (event: APIGatewayProxyEventV2, context: AuthenticatedContext): Promise<HttpResponse> => {
    const { partnerId } = authenticatedPartner(context);
    const { request, format } = readStatusRequest(rawBody(event), header(event, 'content-type'));
    // Every reference the request gives must name the same payment of this partner (else 404).
    const payment = await findPaymentByEveryReference(deps.payments, partnerId, request.original);
    return statusAnswer(payment, format, deps.clock.now());
  };
}
