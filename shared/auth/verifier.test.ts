import { AppError, AuthenticationError, ConfigError, ForbiddenError } from '../domain/errors';
import { httpStatusOf } from '../edges/http/errors';
import { harness, NOW_SECONDS, reasonOf } from './__fixtures__/verifier-harness';
import { InMemoryNonceStore, InMemoryPartnerKeys } from './in-memory';
import {
  type BareItem,
  type InnerList,
  isInnerList,
  parseDictionary,
  serializeDictionary,
} from './structured-fields';
import { acceptSignature, AUTH_FAILURE_REASONS, createRequestVerifier, wwwAuthenticate } from './verifier';

const BODY = '{"amount":"10.00","currency":"USD"}';

/** Every refusal reason produced in this file, to check that each declared reason is tested. */
const seen = new Set<string>();
async function reason(promise: Promise<unknown>): Promise<string> {
  const code = await reasonOf(promise);
  seen.add(code);
  return code;
}

/** Rewrites the sig1 member of Signature-Input (the signature then no longer matches). */
function editParams(signatureInput: string, edit: (params: Map<string, BareItem>) => void): string {
  const dict = parseDictionary(signatureInput);
  const member = dict.get('sig1');
  if (member === undefined || !isInnerList(member)) throw new Error('no sig1');
  const params = new Map(member.params);
  edit(params);
  const next: InnerList = { items: member.items, params };
  return serializeDictionary(new Map([['sig1', next]]));
}

describe('createRequestVerifier', () => {
  describe('accepts', () => {
    it('a request signed with hmac-sha256, returning who signed it', async () => {
      const h = harness();
      const req = h.sign({ body: BODY }, { nonce: 'n-1' });
      await expect(h.verifier(req)).resolves.toEqual({
        partnerId: 'partner-1',
        keyId: h.partner.hmacKeyId,
        alg: 'hmac-sha256',
        created: NOW_SECONDS,
        nonce: 'n-1',
      });
    });

    it('a request signed with ed25519, via .verify too', async () => {
      const h = harness();
      const req = h.sign({ body: BODY }, { alg: 'ed25519' });
      await expect(h.verifier.verify(req)).resolves.toMatchObject({
        keyId: h.partner.edKeyId,
        alg: 'ed25519',
      });
    });

    it('a GET without body covering @authority + @path (+ @query when there is one)', async () => {
      const h = harness();
      const noQuery = h.sign(
        { method: 'GET', targetUri: 'https://api.example.com/payments/p1' },
        { components: ['@method', '@authority', '@path'] },
      );
      await expect(h.verifier(noQuery)).resolves.toMatchObject({ partnerId: 'partner-1' });
      const withQuery = h.sign(
        { method: 'GET', targetUri: 'https://api.example.com/payments?status=SETTLED' },
        { components: ['@method', '@authority', '@path', '@query'] },
      );
      await expect(h.verifier(withQuery)).resolves.toMatchObject({ partnerId: 'partner-1' });
    });

    it('created at the edges of the window and of the skew allowance', async () => {
      const h = harness();
      const old = h.sign({ body: BODY }, { created: NOW_SECONDS - 300 });
      const early = h.sign({ body: BODY }, { created: NOW_SECONDS + 5 });
      await expect(h.verifier(old)).resolves.toBeDefined();
      await expect(h.verifier(early)).resolves.toBeDefined();
    });

    it('picks sig1 among several signatures, or the label the policy names', async () => {
      const h = harness();
      const a = h.sign({ body: BODY }, { label: 'sig1' });
      const b = h.sign({ body: BODY }, { label: 'other', alg: 'ed25519' });
      const both = {
        ...a,
        headers: {
          ...a.headers,
          'signature-input': `${b.headers['signature-input']}, ${a.headers['signature-input']}`,
          signature: `${b.headers['signature']}, ${a.headers['signature']}`,
        },
      };
      await expect(h.verifier(both)).resolves.toMatchObject({ keyId: h.partner.hmacKeyId });

      const other = harness({ label: 'other' });
      const c = other.sign({ body: BODY }, { label: 'other' });
      await expect(other.verifier(c)).resolves.toBeDefined();
      await expect(reason(other.verifier(other.sign({ body: BODY })))).resolves.toBe('missing_signature');
    });

    it('a single signature under any label', async () => {
      const h = harness();
      await expect(h.verifier(h.sign({ body: BODY }, { label: 'partner' }))).resolves.toBeDefined();
    });
  });

  describe('refuses, with a machine-readable reason', () => {
    it('missing_signature: no Signature-Input or no Signature', async () => {
      const h = harness();
      const req = h.sign({ body: BODY });
      const { signature: _s, ...noSignature } = req.headers;
      const { 'signature-input': _i, ...noInput } = req.headers;
      await expect(reason(h.verifier({ ...req, headers: noSignature }))).resolves.toBe('missing_signature');
      await expect(reason(h.verifier({ ...req, headers: noInput }))).resolves.toBe('missing_signature');
      const empty = { ...req.headers, 'signature-input': '', signature: '' };
      await expect(reason(h.verifier({ ...req, headers: empty }))).resolves.toBe('missing_signature');
    });

    it.each([
      ['Signature-Input is not a dictionary', { 'signature-input': 'sig1=(' }],
      ['Signature is not a dictionary', { signature: 'sig1=:abc' }],
      ['Signature member is not a byte sequence', { signature: 'sig1="abc"' }],
      ['Signature lacks the label', { signature: 'sig2=:AAAA:' }],
      ['the covered list is an item', { 'signature-input': 'sig1="@method";created=1' }],
      ['a component identifier is a token', { 'signature-input': 'sig1=(@method);created=1' }],
    ])('malformed_signature: %s', async (_what, override) => {
      const h = harness();
      const req = h.sign({ body: BODY });
      await expect(reason(h.verifier({ ...req, headers: { ...req.headers, ...override } }))).resolves.toBe(
        'malformed_signature',
      );
    });

    it('malformed_signature: several signatures, none labelled sig1', async () => {
      const h = harness();
      const a = h.sign({ body: BODY }, { label: 'a' });
      const b = h.sign({ body: BODY }, { label: 'b' });
      const headers = {
        ...a.headers,
        'signature-input': `${a.headers['signature-input']}, ${b.headers['signature-input']}`,
        signature: `${a.headers['signature']}, ${b.headers['signature']}`,
      };
      await expect(reason(h.verifier({ ...a, headers }))).resolves.toBe('malformed_signature');
    });

    it.each([
      ['created is a string', (p: Map<string, BareItem>) => p.set('created', '1')],
      ['keyid is an integer', (p: Map<string, BareItem>) => p.set('keyid', 7)],
      ['expires is a string', (p: Map<string, BareItem>) => p.set('expires', 'soon')],
      ['nonce is empty', (p: Map<string, BareItem>) => p.set('nonce', '')],
      ['nonce is too long', (p: Map<string, BareItem>) => p.set('nonce', 'n'.repeat(257))],
    ])('malformed_signature: %s', async (_what, edit) => {
      const h = harness();
      const req = h.sign({ body: BODY });
      const headers = {
        ...req.headers,
        'signature-input': editParams(req.headers['signature-input'] ?? '', edit),
      };
      await expect(reason(h.verifier({ ...req, headers }))).resolves.toBe('malformed_signature');
    });

    it.each(['created', 'keyid', 'nonce', 'alg'])('missing_parameter: %s', async (name) => {
      const h = harness();
      const req = h.sign({ body: BODY });
      const headers = {
        ...req.headers,
        'signature-input': editParams(req.headers['signature-input'] ?? '', (p) => p.delete(name)),
      };
      await expect(reason(h.verifier({ ...req, headers }))).resolves.toBe('missing_parameter');
    });

    it.each([
      ['@method', { components: ['@target-uri', 'content-digest'] }, {}],
      ['the target', { components: ['@method', '@path', 'content-digest'] }, {}],
      ['@authority with @path', { components: ['@method', '@path', '@query', 'content-digest'] }, {}],
      [
        '@query when the URI has a query',
        { components: ['@method', '@authority', '@path', 'content-digest'] },
        { targetUri: 'https://api.example.com/payments?dryRun=1' },
      ],
      ['content-digest with a body', { components: ['@method', '@target-uri', 'content-type'] }, {}],
    ])('missing_component: %s not covered', async (_what, opts, req) => {
      const h = harness();
      await expect(reason(h.verifier(h.sign({ body: BODY, ...req }, opts)))).resolves.toBe(
        'missing_component',
      );
    });

    it('missing_component: a covered header is absent from the request', async () => {
      const h = harness();
      const req = h.sign({ body: BODY });
      const { 'content-type': _ct, ...headers } = req.headers;
      await expect(reason(h.verifier({ ...req, headers }))).resolves.toBe('missing_component');
    });

    it('unsupported_algorithm: an alg outside hmac-sha256 / ed25519', async () => {
      const h = harness();
      const req = h.sign({ body: BODY });
      const headers = {
        ...req.headers,
        'signature-input': editParams(req.headers['signature-input'] ?? '', (p) =>
          p.set('alg', 'rsa-pss-sha512'),
        ),
      };
      await expect(reason(h.verifier({ ...req, headers }))).resolves.toBe('unsupported_algorithm');
    });

    it('unsupported_algorithm: alg does not match the key (no algorithm confusion)', async () => {
      const h = harness();
      // An HMAC signature presented under the Ed25519 key id.
      const req = h.sign({ body: BODY }, { alg: 'hmac-sha256', keyId: h.partner.edKeyId });
      await expect(reason(h.verifier(req))).resolves.toBe('unsupported_algorithm');
    });

    it('unknown_key', async () => {
      const h = harness();
      await expect(reason(h.verifier(h.sign({ body: BODY }, { keyId: 'nobody' })))).resolves.toBe(
        'unknown_key',
      );
    });

    it.each([
      ['65 characters', 'k'.repeat(65)],
      ['a space', 'partner 1'],
      ['a slash', 'partner/1'],
      ['a colon', 'KEY#x:y'],
      ['a percent sign', 'a%00b'],
      ['a quote mark', "o'brien"],
    ])('unknown_key, with no key lookup, for a malformed keyid (%s)', async (_what, keyId) => {
      const h = harness();
      await expect(reason(h.verifier(h.sign({ body: BODY }, { keyId })))).resolves.toBe('unknown_key');
      expect(h.lookups).toEqual([]);
    });

    it('looks a well-formed keyid up (64 characters of [A-Za-z0-9._-])', async () => {
      const h = harness();
      const keyId = `${'a'.repeat(30)}.Z_9-${'b'.repeat(29)}`;
      expect(keyId).toHaveLength(64);
      await expect(reason(h.verifier(h.sign({ body: BODY }, { keyId })))).resolves.toBe('unknown_key');
      expect(h.lookups).toEqual([keyId]);
    });

    it('bad_signature: signature bytes altered, or signed with another secret', async () => {
      const h = harness();
      const req = h.sign({ body: BODY });
      const flipped = (req.headers['signature'] ?? '').replace(
        /:(.)/,
        (_m, c: string) => `:${c === 'A' ? 'B' : 'A'}`,
      );
      await expect(
        reason(h.verifier({ ...req, headers: { ...req.headers, signature: flipped } })),
      ).resolves.toBe('bad_signature');
      const forged = h.sign({ body: BODY }, { key: Buffer.alloc(32, 7) });
      await expect(reason(h.verifier(forged))).resolves.toBe('bad_signature');
    });

    it('bad_signature: a covered header changed after signing', async () => {
      const h = harness();
      const req = h.sign({ body: BODY });
      await expect(
        reason(h.verifier({ ...req, headers: { ...req.headers, 'content-type': 'application/xml' } })),
      ).resolves.toBe('bad_signature');
    });

    it('stale, future and expired against the injected clock', async () => {
      const h = harness();
      await expect(reason(h.verifier(h.sign({ body: BODY }, { created: NOW_SECONDS - 301 })))).resolves.toBe(
        'stale',
      );
      await expect(reason(h.verifier(h.sign({ body: BODY }, { created: NOW_SECONDS + 6 })))).resolves.toBe(
        'future',
      );
      await expect(reason(h.verifier(h.sign({ body: BODY }, { expires: NOW_SECONDS - 1 })))).resolves.toBe(
        'expired',
      );
      await expect(h.verifier(h.sign({ body: BODY }, { expires: NOW_SECONDS }))).resolves.toBeDefined();
    });

    it('stale once the clock moves past the window, with a custom window', async () => {
      const h = harness({ windowSeconds: 30, maxSkewSeconds: 0 });
      const req = h.sign({ body: BODY });
      h.clock.nowMs += 31_000;
      await expect(reason(h.verifier(req))).resolves.toBe('stale');
      h.clock.nowMs -= 32_000;
      await expect(reason(h.verifier(req))).resolves.toBe('future');
    });

    it('digest_mismatch: body changed, or Content-Digest malformed', async () => {
      const h = harness();
      const req = h.sign({ body: BODY });
      await expect(reason(h.verifier({ ...req, body: Buffer.from(BODY.replace('10', '99')) }))).resolves.toBe(
        'digest_mismatch',
      );
      const malformed = { ...req, headers: { ...req.headers, 'content-digest': 'sha-256=AAAA' } };
      await expect(reason(h.verifier(malformed))).resolves.toBe('digest_mismatch');
    });

    it('digest_mismatch: a Content-Digest sent without a body must still match', async () => {
      const h = harness();
      const req = h.sign({ body: BODY });
      await expect(reason(h.verifier({ ...req, body: undefined }))).resolves.toBe('digest_mismatch');
    });

    it('missing_digest: no Content-Digest, or none with a supported algorithm', async () => {
      const h = harness();
      const req = h.sign({ body: BODY });
      const { 'content-digest': _d, ...headers } = req.headers;
      await expect(reason(h.verifier({ ...req, headers }))).resolves.toBe('missing_digest');
      const md5Only = { ...req, headers: { ...req.headers, 'content-digest': 'md5=:AAAA:' } };
      await expect(reason(h.verifier(md5Only))).resolves.toBe('missing_digest');
    });

    it('replayed: the same verified request a second time', async () => {
      const h = harness();
      const req = h.sign({ body: BODY });
      await expect(h.verifier(req)).resolves.toBeDefined();
      await expect(reason(h.verifier(req))).resolves.toBe('replayed');
    });

    // Runs after the tests above (jest keeps file order); meaningful on a full run of this file.
    it('every reason the module declares is produced by a test above', () => {
      expect(AUTH_FAILURE_REASONS.filter((r) => !seen.has(r))).toEqual([]);
    });
  });

  describe('nonces', () => {
    it('are claimed last, with ttl = window + skew + 60 s', async () => {
      const h = harness();
      await h.verifier(h.sign({ body: BODY }, { nonce: 'abc' }));
      expect(h.nonces.claims).toEqual([
        { keyId: h.partner.hmacKeyId, nonce: 'abc', ttlSeconds: 365, result: true },
      ]);
    });

    it('a failed verification does not consume the nonce', async () => {
      const h = harness();
      const good = h.sign({ body: BODY }, { nonce: 'once' });
      const tampered = { ...good, headers: { ...good.headers, 'content-type': 'text/plain' } };
      await expect(reason(h.verifier(tampered))).resolves.toBe('bad_signature');
      await expect(reason(h.verifier({ ...good, body: Buffer.from('x') }))).resolves.toBe('digest_mismatch');
      expect(h.nonces.claims).toHaveLength(0);
      await expect(h.verifier(good)).resolves.toMatchObject({ nonce: 'once' });
    });

    it('two concurrent verifications of one request: exactly one succeeds', async () => {
      const h = harness();
      const req = h.sign({ body: BODY });
      const results = await Promise.allSettled([h.verifier(req), h.verifier(req)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r) => r.status === 'rejected');
      expect(
        rejected?.status === 'rejected' &&
          rejected.reason instanceof AuthenticationError &&
          rejected.reason.code,
      ).toBe('replayed');
    });

    it('the same nonce is accepted again once its ttl has passed (the request is stale by then anyway)', async () => {
      const store = new InMemoryNonceStore(() => 0);
      await expect(store.claim('k', 'n', 10)).resolves.toBe(true);
      await expect(store.claim('k', 'n', 10)).resolves.toBe(false);
      await expect(store.claim('other-key', 'n', 10)).resolves.toBe(true);
      let now = 0;
      const later = new InMemoryNonceStore(() => now, 1);
      await later.claim('k', 'n', 10);
      now = 10_001;
      await expect(later.claim('k', 'n', 10)).resolves.toBe(true);
      expect(later.size).toBe(1);
    });
  });

  describe('partners and keys', () => {
    it('key rotation: two active keys of one partner both verify', async () => {
      const h = harness();
      const second = Buffer.alloc(32, 9);
      h.keys.add({
        keyId: 'partner-1-hmac-2',
        partnerId: 'partner-1',
        partnerStatus: 'ACTIVE',
        alg: 'hmac-sha256',
        secret: second,
      });
      const oldKey = await h.verifier(h.sign({ body: BODY }));
      const newKey = await h.verifier(h.sign({ body: BODY }, { keyId: 'partner-1-hmac-2', key: second }));
      expect([oldKey.partnerId, newKey.partnerId]).toEqual(['partner-1', 'partner-1']);
      expect([oldKey.keyId, newKey.keyId]).toEqual([h.partner.hmacKeyId, 'partner-1-hmac-2']);
    });

    it('a disabled partner gets ForbiddenError (403 partner_disabled) and keeps its nonce', async () => {
      const h = harness();
      h.keys.setPartnerStatus('partner-1', 'DISABLED');
      const err = await h.verifier(h.sign({ body: BODY })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ForbiddenError);
      expect(err).toMatchObject({ code: 'partner_disabled' });
      expect(httpStatusOf(err as ForbiddenError)).toBe(403);
      expect(h.nonces.claims).toHaveLength(0);
    });

    it('a disabled partner with a bad signature learns nothing beyond 401', async () => {
      const h = harness();
      h.keys.setPartnerStatus('partner-1', 'DISABLED');
      await expect(reason(h.verifier(h.sign({ body: BODY }, { key: Buffer.alloc(32, 1) })))).resolves.toBe(
        'bad_signature',
      );
    });

    it('checks the request before looking up the key', async () => {
      const h = harness();
      await reason(h.verifier(h.sign({ body: BODY }, { created: NOW_SECONDS - 999 })));
      await reason(h.verifier({ ...h.sign({ body: BODY }), body: Buffer.from('other') }));
      expect(h.lookups).toHaveLength(0);
    });
  });

  describe('errors', () => {
    it('are 401 AuthenticationErrors whose messages hold no signature, secret or body', async () => {
      const h = harness();
      const req = h.sign({ body: BODY }, { nonce: 'secret-looking-nonce' });
      const forged = { ...req, headers: { ...req.headers, signature: 'sig1=:AAAA:' } };
      const err = await h.verifier(forged).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthenticationError);
      const { message } = err as AuthenticationError;
      expect(httpStatusOf(err as AuthenticationError)).toBe(401);
      for (const leak of [
        h.partner.hmacSecret.toString('base64'),
        req.headers['signature'],
        'AAAA',
        BODY,
        'secret-looking-nonce',
      ]) {
        expect(message).not.toContain(leak);
      }
    });

    it('a key without key material is a server error, not a client one', async () => {
      const keys = new InMemoryPartnerKeys([
        { keyId: 'k', partnerId: 'p', partnerStatus: 'ACTIVE', alg: 'hmac-sha256' },
      ]);
      const h = harness();
      const verifier = createRequestVerifier({
        keys,
        nonces: new InMemoryNonceStore(),
        now: () => h.clock.nowMs,
      });
      const err = await verifier(h.sign({ body: BODY }, { keyId: 'k' })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect(httpStatusOf(err as AppError)).toBe(500);
    });

    it('an invalid policy fails at construction', () => {
      const deps = { keys: new InMemoryPartnerKeys(), nonces: new InMemoryNonceStore(), now: Date.now };
      expect(() => createRequestVerifier({ ...deps, policy: { windowSeconds: 0 } })).toThrow(ConfigError);
      expect(() => createRequestVerifier({ ...deps, policy: { maxSkewSeconds: -1 } })).toThrow(ConfigError);
    });
  });

  it('wwwAuthenticate and acceptSignature headers', () => {
    expect(wwwAuthenticate('stale')).toBe('Signature error="stale"');
    expect(wwwAuthenticate('bad "value"')).toBe('Signature error="invalid_request"');
    expect(acceptSignature()).toBe('sig1=("@method" "@target-uri" "content-digest");created');
    expect(acceptSignature({ withBody: false, keyId: 'k1', alg: 'ed25519' })).toBe(
      'sig1=("@method" "@target-uri");created;keyid="k1";alg="ed25519"',
    );
  });
});
