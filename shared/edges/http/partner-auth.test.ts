import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { RequestVerifier, VerifiedRequest } from '../../auth/verifier';
import type { Partner } from '../../domain/partner';
import { testPartner } from '../../testing/intake';
import { partnerAuth, partnerProfile, type AuthenticatedContext } from './partner-auth';

const VERIFIED: VerifiedRequest = {
  partnerId: 'bank-a',
  keyId: 'k1',
  alg: 'hmac-sha256',
  created: 0,
  nonce: 'n',
} as VerifiedRequest;
const verify = async () => VERIFIED;
const verifier = Object.assign(verify, { verify }) as RequestVerifier;
const event = {
  headers: { host: 'api.example' },
  rawPath: '/payments',
  rawQueryString: '',
  requestContext: { http: { method: 'POST' }, domainName: 'api.example' },
  body: '{}',
  isBase64Encoded: false,
} as unknown as APIGatewayProxyEventV2;

async function run(profile: Partner | undefined) {
  const reads: string[] = [];
  const limits: number[] = [];
  const middleware = partnerAuth({
    verifier,
    partners: { getPartner: async (id) => (reads.push(id), profile) },
    rateLimit: {
      limiter: { consume: async (_key, limit) => (limits.push(limit), true) },
      defaultPerSecond: 50,
      now: () => 0,
    },
  });
  const context = {} as Context as AuthenticatedContext;
  await middleware.before?.({ event, context, response: undefined, error: undefined, internal: {} } as never);
  return { reads, limits, context };
}

describe('partnerAuth', () => {
  it('reads the partner profile once, for the rate limit, and puts it on the context for the route', async () => {
    const profile = { ...testPartner('bank-a', ['011104238']), rateLimitPerSecond: 7 };
    const { reads, limits, context } = await run(profile);
    expect(reads).toEqual(['bank-a']);
    expect(limits).toEqual([7]);
    expect(partnerProfile(context)).toBe(profile);
  });

  it('uses the default limit, and puts no profile, when none is registered', async () => {
    const { reads, limits, context } = await run(undefined);
    expect(reads).toEqual(['bank-a']);
    expect(limits).toEqual([50]);
    expect(partnerProfile(context)).toBeUndefined();
  });
});
