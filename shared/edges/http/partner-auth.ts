import type middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { RequestVerifier, VerifiedRequest } from '../../auth/verifier';
import { AuthenticationError, InternalError, TooManyRequestsError } from '../../domain/errors';
import type { Partner } from '../../domain/partner';
import type { RateLimiter } from '../../domain/ports';
import { pipelineMetrics } from '../../observability/metrics';
import { logger } from '../../observability/powertools';
import { rawBody } from './body';
import type { HttpResponse } from './responses';

/**
 * What partnerAuth() puts on the context: the verified request, and the partner's profile read
 * once for the request (undefined: no profile is registered for it).
 */
export type AuthenticatedContext = Context & { partner?: VerifiedRequest; partnerProfile?: Partner };

/** The partner the request was verified for; only callable behind partnerAuth(). */
export function authenticatedPartner(context: AuthenticatedContext): VerifiedRequest {
  if (!context.partner) throw new InternalError('route is not behind partnerAuth()');
  return context.partner;
}

/** The verified partner's profile (read once by partnerAuth()); undefined when none is registered. */
export function partnerProfile(context: AuthenticatedContext): Partner | undefined {
  authenticatedPartner(context);
  return context.partnerProfile;
}

/** Lower-cased header map as the verifier wants it. */
function lowerCaseHeaders(headers: APIGatewayProxyEventV2['headers']): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name.toLowerCase()] = value;
  return out;
}

/** The keyid a refused request claimed, for the log (never the signature): best effort. */
function claimedKeyId(headers: APIGatewayProxyEventV2['headers']): string | undefined {
  const input = lowerCaseHeaders(headers)['signature-input'];
  const match = input === undefined ? null : /;keyid="([A-Za-z0-9._:-]{1,64})"/.exec(input);
  return match?.[1];
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

/** Per-partner request rate, checked after the signature (so only a real partner is counted). */
export interface PartnerRateLimit {
  readonly limiter: RateLimiter;
  /** Used when the partner's profile sets no limit of its own (rateLimitPerSecond). */
  readonly defaultPerSecond: number;
  readonly now: () => number;
}

/** What partnerAuth() checks a request with. */
export interface PartnerAuth {
  readonly verifier: RequestVerifier;
  /** The partner profiles (cached by the registry: shared/adapters/dynamodb/partner-registry.ts). */
  readonly partners: { getPartner(partnerId: string): Promise<Partner | undefined> };
  readonly rateLimit?: PartnerRateLimit;
}

/**
 * RFC 9421 request-signature verification for every partner route (shared/auth/verifier.ts).
 * A refused request stops here: nothing is written (the nonce is claimed only by a request
 * that verified) and nothing is enqueued. The refusal is logged with its reason and key id,
 * never with the signature, secret or body. The partner's profile is read once, here (for its
 * rate limit), and put on the context for the route (partnerProfile()).
 */
export function partnerAuth({
  verifier,
  partners,
  rateLimit,
}: PartnerAuth): middy.MiddlewareObj<APIGatewayProxyEventV2, HttpResponse, Error, AuthenticatedContext> {
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
        const profile = await partners.getPartner(verified.partnerId);
        if (profile) request.context.partnerProfile = profile;
        else delete request.context.partnerProfile;
        if (rateLimit) {
          const limit = profile?.rateLimitPerSecond ?? rateLimit.defaultPerSecond;
          if (!(await rateLimit.limiter.consume(verified.partnerId, limit, rateLimit.now()))) {
            pipelineMetrics.partnerThrottled();
            throw new TooManyRequestsError(`more than ${limit} requests per second`);
          }
        }
      } catch (error) {
        if (error instanceof AuthenticationError) {
          const keyId = claimedKeyId(event.headers);
          if (keyId !== undefined) logger.appendKeys({ keyId });
          // Total + a per-reason breakdown of its own (shared/observability/metrics.ts).
          pipelineMetrics.signatureFailure(error.code);
        }
        throw error;
      }
    },
  };
}
