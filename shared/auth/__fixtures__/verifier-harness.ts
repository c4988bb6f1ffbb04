import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { AuthenticationError } from '../../domain/errors';
import type { SignatureAlgorithm } from '../algorithms';
import { InMemoryNonceStore, InMemoryPartnerKeys } from '../in-memory';
import type { NonceStore } from '../ports';
import { type SignOptions, signRequest } from '../signer';
import { createRequestVerifier, type IncomingRequest, type VerifierPolicy } from '../verifier';

/** Test harness: a partner with an HMAC key and an Ed25519 key, fakes and a settable clock. */

export const NOW_SECONDS = 1_750_000_000;

export interface TestPartner {
  readonly partnerId: string;
  readonly hmacKeyId: string;
  readonly hmacSecret: Buffer;
  readonly edKeyId: string;
  readonly edPrivate: KeyObject;
  readonly edPublic: KeyObject;
}

export function newPartner(partnerId = 'partner-1'): TestPartner {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    partnerId,
    hmacKeyId: `${partnerId}-hmac`,
    hmacSecret: randomBytes(32),
    edKeyId: `${partnerId}-ed`,
    edPrivate: privateKey,
    edPublic: publicKey,
  };
}

/** Records claims and delegates to the in-memory store. */
export class RecordingNonceStore implements NonceStore {
  readonly claims: Array<{ keyId: string; nonce: string; ttlSeconds: number; result: boolean }> = [];
  constructor(private readonly inner: NonceStore) {}
  async claim(keyId: string, nonce: string, ttlSeconds: number): Promise<boolean> {
    const result = await this.inner.claim(keyId, nonce, ttlSeconds);
    this.claims.push({ keyId, nonce, ttlSeconds, result });
    return result;
  }
}

export function harness(policy?: Partial<VerifierPolicy>) {
  const partner = newPartner();
  const clock = { nowMs: NOW_SECONDS * 1000 };
  const keys = new InMemoryPartnerKeys([
    {
      keyId: partner.hmacKeyId,
      partnerId: partner.partnerId,
      partnerStatus: 'ACTIVE',
      alg: 'hmac-sha256',
      secret: partner.hmacSecret,
    },
    {
      keyId: partner.edKeyId,
      partnerId: partner.partnerId,
      partnerStatus: 'ACTIVE',
      alg: 'ed25519',
      publicKey: partner.edPublic,
    },
  ]);
  const lookups: string[] = [];
  const countingKeys = {
    resolve: (keyId: string) => {
      lookups.push(keyId);
      return keys.resolve(keyId);
    },
  };
  const nonces = new RecordingNonceStore(new InMemoryNonceStore(() => clock.nowMs));
  const verifier = createRequestVerifier({ keys: countingKeys, nonces, now: () => clock.nowMs, policy });

  /** Signs a request as the partner (HMAC key unless `alg: 'ed25519'`). */
  function sign(
    req: { method?: string; targetUri?: string; headers?: Record<string, string>; body?: Buffer | string },
    opts: Partial<SignOptions> & { alg?: SignatureAlgorithm } = {},
  ): IncomingRequest & { headers: Record<string, string> } {
    const alg = opts.alg ?? 'hmac-sha256';
    const message = {
      method: req.method ?? 'POST',
      targetUri: req.targetUri ?? 'https://api.example.com/payments',
      headers: req.headers ?? (req.body === undefined ? {} : { 'content-type': 'application/json' }),
      body: req.body === undefined ? undefined : Buffer.from(req.body),
    };
    const added = signRequest(message, {
      keyId: alg === 'hmac-sha256' ? partner.hmacKeyId : partner.edKeyId,
      key: alg === 'hmac-sha256' ? partner.hmacSecret : partner.edPrivate,
      created: Math.floor(clock.nowMs / 1000),
      ...opts,
      alg,
    });
    return { ...message, headers: { ...message.headers, ...added } };
  }

  return { partner, clock, keys, nonces, lookups, verifier, sign };
}

/** The AuthenticationError reason of a rejected verification (fails the test otherwise). */
export async function reasonOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AuthenticationError) return err.code;
    throw err;
  }
  throw new Error('verification unexpectedly succeeded');
}
