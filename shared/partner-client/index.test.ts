import { generateKeyPairSync } from 'node:crypto';
import { harness } from '../auth/__fixtures__/verifier-harness';
import { decodeHmacSecret, parseEd25519PrivateKey, PartnerClient } from './index';

interface Captured {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
}

/** A fetch stand-in that records the request and answers with `status`. */
function fakeFetch(status: number, responseBody = '{"ok":true}') {
  const calls: Captured[] = [];
  const fn = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    calls.push({
      url: String(input),
      method: init?.method ?? 'GET',
      headers: { ...(init?.headers as Record<string, string>) },
      body: init?.body === undefined || init.body === null ? undefined : Buffer.from(init.body as Uint8Array),
    });
    return new Response(responseBody, { status, headers: { 'content-type': 'application/json' } });
  };
  return { fetch: fn as typeof fetch, calls };
}

describe('PartnerClient', () => {
  it('submitPayment signs a POST /payments that the verifier accepts', async () => {
    const h = harness();
    const f = fakeFetch(202);
    const client = new PartnerClient({
      baseUrl: 'https://api.example.com/v1/',
      keyId: h.partner.hmacKeyId,
      alg: 'hmac-sha256',
      secret: h.partner.hmacSecret,
      fetch: f.fetch,
      now: () => h.clock.nowMs,
    });
    const res = await client.submitPayment('<Document/>', 'application/xml');
    expect(res).toMatchObject({
      status: 202,
      body: '{"ok":true}',
      headers: { 'content-type': 'application/json' },
    });

    const [sent] = f.calls;
    expect(sent).toMatchObject({ url: 'https://api.example.com/v1/payments', method: 'POST' });
    expect(sent?.headers).toMatchObject({ 'content-type': 'application/xml' });
    expect(Object.keys(sent?.headers ?? {})).toEqual(
      expect.arrayContaining(['content-digest', 'signature-input', 'signature']),
    );
    await expect(
      h.verifier({
        method: 'POST',
        targetUri: sent?.url ?? '',
        headers: sent?.headers ?? {},
        body: sent?.body,
      }),
    ).resolves.toMatchObject({ partnerId: 'partner-1' });
  });

  it('getPayment signs a GET with an encoded id, with ed25519', async () => {
    const h = harness();
    const f = fakeFetch(404, '{"code":"NOT_FOUND"}');
    const client = new PartnerClient({
      baseUrl: 'http://127.0.0.1:3000',
      keyId: h.partner.edKeyId,
      alg: 'ed25519',
      privateKey: h.partner.edPrivate,
      fetch: f.fetch,
      now: () => h.clock.nowMs,
    });
    const res = await client.getPayment('a b/c', 'application/json');
    expect(res.status).toBe(404);
    const [sent] = f.calls;
    expect(sent?.url).toBe('http://127.0.0.1:3000/payments/a%20b%2Fc');
    expect(sent?.headers['accept']).toBe('application/json');
    expect(sent?.headers['content-digest']).toBeUndefined();
    await expect(
      h.verifier({ method: 'GET', targetUri: sent?.url ?? '', headers: sent?.headers ?? {} }),
    ).resolves.toMatchObject({
      keyId: h.partner.edKeyId,
    });
  });

  it('needs the key material its algorithm uses', () => {
    expect(() => new PartnerClient({ baseUrl: 'http://x', keyId: 'k', alg: 'hmac-sha256' })).toThrow(
      /secret/,
    );
    expect(
      () => new PartnerClient({ baseUrl: 'http://x', keyId: 'k', alg: 'ed25519', secret: Buffer.alloc(32) }),
    ).toThrow(/private key/);
  });
});

describe('key loading helpers', () => {
  it('decodes base64 and base64url secrets, with or without padding', () => {
    const secret = Buffer.from(Array.from({ length: 32 }, (_, i) => 250 - i));
    expect(decodeHmacSecret(secret.toString('base64'))).toEqual(secret);
    expect(decodeHmacSecret(secret.toString('base64url'))).toEqual(secret);
  });

  it('refuses short or non-base64 secrets', () => {
    expect(() => decodeHmacSecret(Buffer.alloc(16).toString('base64url'))).toThrow(/at least 32 bytes/);
    expect(() => decodeHmacSecret('not base64!')).toThrow(/base64/);
  });

  it('parses an Ed25519 PEM and refuses other key types', () => {
    const ed = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' });
    expect(parseEd25519PrivateKey(ed).asymmetricKeyType).toBe('ed25519');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    expect(() => parseEd25519PrivateKey(ec)).toThrow(/Ed25519/);
  });
});
