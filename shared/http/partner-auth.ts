import type middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RequestVerifier, VerifiedRequest } from '../auth/verifier';
import { AuthenticationError, InternalError } from '../domain/errors';
import { logger, metrics } from '../observability/powertools';
import { rawBody } from './body';
import type { HttpResponse } from './responses';

export type AuthenticatedContext = Context & { partner?: VerifiedRequest };

/** The partner the request was verified for; only callable behind partnerAuth(). */
export function authenticatedPartner(context: AuthenticatedContext): VerifiedRequest {
  if (!context.partner) throw new InternalError('route is not behind partnerAuth()');
  return context.partner;
}

/** Lower-cased header map as the verifier wants it. */
function lowerCaseHeaders(headers: APIGatewayProxyEventV2['headers']): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name.toLowerCase()] = value;
  return out;
}

/**
 * The target URI the partner addressed, rebuilt from what API Gateway passes on: scheme from
 * X-Forwarded-Proto (API Gateway sets it; https when absent), authority from Host, then the raw
 * path and query exactly as sent.
 */
export function targetUri(event: APIGatewayProxyEventV2): string {
  const headers = lowerCaseHeaders(event.headers);
  const scheme = headers['x-forwarded-proto']?.split(',')[0]?.trim() || 'https';
  const host = headers.host ?? event.requestContext.domainName;
  return `${scheme}://${host}${event.rawPath}${event.rawQueryString ? `?${event.rawQueryString}` : ''}`;
}

/**
 * RFC 9421 request-signature verification for every partner route (shared/auth/verifier.ts).
 * A refused request stops here: nothing is written (the nonce is claimed only by a request
 * that verified) and nothing is enqueued. The refusal is logged with its reason and key id,
 * never with the signature, secret or body.
 */
export function partnerAuth(
  verifier: RequestVerifier,
): middy.MiddlewareObj<APIGatewayProxyEventV2, HttpResponse, Error, AuthenticatedContext> {
  return {
    before: async (request) => {
      const event = request.event;
      try {
        const verified = await verifier({
          method: event.requestContext.http.method,
          targetUri: targetUri(event),
          headers: lowerCaseHeaders(event.headers),
          body: rawBody(event),
        });
        request.context.partner = verified;
        logger.appendKeys({ partnerId: verified.partnerId, keyId: verified.keyId });
      } catch (error) {
        if (error instanceof AuthenticationError) {
          metrics.addDimensions({ reason: error.code });
          metrics.addMetric('SignatureFailures', MetricUnit.Count, 1);
        }
        throw error;
      }
    },
  };
}
