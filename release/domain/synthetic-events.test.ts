import { generateKeyPairSync } from 'node:crypto';
import { InMemoryNonceStore, InMemoryPartnerKeys } from '../../shared/auth/in-memory';
import { createRequestVerifier } from '../../shared/auth/verifier';
import { rawBody } from '../../shared/edges/http/body';
import { targetUri } from '../../shared/edges/http/partner-auth';
import { PartnerClient } from '../../shared/partner-client';
import { PROBE_HEADER } from './probe-identity';
import { PROBE_BASE_URL, apiEvent, settleBatchEvent } from './synthetic-events';
import { messageGroupId } from '../../shared/domain/settlement-message';

describe('synthetic events of the release probe', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const client = new PartnerClient({
    baseUrl: PROBE_BASE_URL,
    keyId: 'release-probe-run1',
    alg: 'ed25519',
    privateKey,
  });
  const verifier = createRequestVerifier({
    keys: new InMemoryPartnerKeys([
      {
        keyId: 'release-probe-run1',
        partnerId: 'release-probe',
        partnerStatus: 'ACTIVE',
        alg: 'ed25519',
        publicKey,
      },
    ]),
    nonces: new InMemoryNonceStore(),
    now: Date.now,
  });
  const verify = (event: ReturnType<typeof apiEvent>) =>
    verifier({
      method: event.requestContext.http.method,
      targetUri: targetUri(event),
      headers: event.headers as Record<string, string>,
      body: rawBody(event),
    });

  it('builds an HTTP API event whose signature the service verifies (POST with a body)', async () => {
    const body = JSON.stringify({ endToEndId: 'RLSPROBE-run1-S', amountMinor: 1 });
    const event = apiEvent(
      client.prepare('POST', '/payments', { body, contentType: 'application/json' }),
      { routeKey: 'POST /payments' },
      'run1',
    );
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /payments',
      rawPath: '/payments',
      isBase64Encoded: false,
      body,
    });
    expect(event.headers[PROBE_HEADER]).toBe('run1');
    await expect(verify(event)).resolves.toMatchObject({
      partnerId: 'release-probe',
      keyId: 'release-probe-run1',
    });
  });

  it('builds a GET with path parameters that verifies too, and one that fails once tampered with', async () => {
    const event = apiEvent(
      client.prepare('GET', '/payments/abc'),
      { routeKey: 'GET /payments/{id}', pathParameters: { id: 'abc' } },
      'run1',
    );
    expect(event.pathParameters).toEqual({ id: 'abc' });
    expect(event.body).toBeUndefined();
    await expect(verify(event)).resolves.toMatchObject({ partnerId: 'release-probe' });
    const tampered = apiEvent(
      client.prepare('GET', '/payments/abc'),
      { routeKey: 'GET /payments/{id}' },
      'run1',
    );
    await expect(verify({ ...tampered, rawPath: '/payments/other' })).rejects.toMatchObject({
      code: 'bad_signature',
    });
  });

  it('builds a one-record FIFO batch carrying the message exactly, marked as probe traffic', () => {
    const message = {
      v: 1 as const,
      paymentId: 'p-1',
      partnerId: 'release-probe',
      debtorAccount: 'PROBE:a',
      creditorAccount: 'PROBE:b',
      amountMinor: 1,
      currency: 'USD',
      deadline: '2026-01-01T00:00:15.000Z',
      acceptedAt: '2026-01-01T00:00:00.000Z',
      endToEndId: 'RLSPROBE-run1-T',
    };
    const { Records } = settleBatchEvent(
      { message, messageGroupId: messageGroupId(message.debtorAccount) },
      'run1',
    );
    expect(Records).toHaveLength(1);
    expect(JSON.parse(Records[0]?.body ?? '')).toEqual(message);
    expect(Records[0]?.attributes).toMatchObject({
      ApproximateReceiveCount: '1',
      MessageDeduplicationId: 'p-1',
    });
    expect(Records[0]?.attributes.MessageGroupId).toMatch(/^[0-9a-f]{32}$/);
    expect(Records[0]?.messageAttributes.releaseProbe?.stringValue).toBe('run1');
  });
});
