import { createHmac, sign as edSign, verify as edVerify, KeyObject, timingSafeEqual } from 'node:crypto';

/**
 * The two signature algorithms partners may use, by their names in the IANA "HTTP Signature
 * Algorithms" registry (RFC 9421 §6.2): `hmac-sha256` (§3.3.3) and `ed25519` (§3.3.6).
 * Both are deterministic, so the RFC test vectors can be reproduced byte for byte.
 */
export type SignatureAlgorithm = 'hmac-sha256' | 'ed25519';

export const SIGNATURE_ALGORITHMS: readonly SignatureAlgorithm[] = ['hmac-sha256', 'ed25519'];

/** Ed25519 signatures are always 64 bytes (RFC 8032 §5.1.6). */
const ED25519_SIGNATURE_LENGTH = 64;

export class KeyMaterialError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyMaterialError';
  }
}

/**
 * Shortest HMAC secret a partner key may be registered with: the SHA-256 output length (RFC 2104
 * §3 advises keys no shorter than the hash output; shorter ones weaken the MAC).
 */
export const MIN_HMAC_SECRET_BYTES = 32;

/** Throws KeyMaterialError when an HMAC secret to register is shorter than MIN_HMAC_SECRET_BYTES. */
export function assertHmacSecretStrength(secret: Uint8Array): void {
  if (secret.length < MIN_HMAC_SECRET_BYTES) {
    throw new KeyMaterialError(
      `hmac-sha256 secret is ${secret.length} bytes: at least ${MIN_HMAC_SECRET_BYTES} random bytes are required`,
    );
  }
}

export function isSignatureAlgorithm(value: unknown): value is SignatureAlgorithm {
  return value === 'hmac-sha256' || value === 'ed25519';
}

/** HMAC key: raw bytes, or a `secret` KeyObject. */
export type HmacKey = Uint8Array | KeyObject;

/**
 * Constant-time byte comparison. `timingSafeEqual` throws on different lengths, so lengths are
 * compared first; a length difference only reveals the length, which is public (fixed by the
 * algorithm) for every value we compare.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function hmacKey(key: Uint8Array | KeyObject): HmacKey {
  if (key instanceof KeyObject) {
    if (key.type !== 'secret') throw new KeyMaterialError('hmac-sha256 needs a shared secret');
    return key;
  }
  if (key.length === 0) throw new KeyMaterialError('hmac-sha256 secret is empty');
  return key;
}

function ed25519Key(key: Uint8Array | KeyObject, use: 'sign' | 'verify'): KeyObject {
  if (!(key instanceof KeyObject) || key.asymmetricKeyType !== 'ed25519') {
    throw new KeyMaterialError('ed25519 needs an Ed25519 KeyObject');
  }
  if (use === 'sign' && key.type !== 'private')
    throw new KeyMaterialError('ed25519 signing needs a private key');
  return key;
}

function hmacSha256(key: HmacKey, data: Uint8Array): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** Produces the signature bytes over the signature base (RFC 9421 §3.1 step 5, HTTP_SIGN). */
export function signBytes(alg: SignatureAlgorithm, key: Uint8Array | KeyObject, data: Uint8Array): Buffer {
  switch (alg) {
    case 'hmac-sha256':
      return hmacSha256(hmacKey(key), data);
    case 'ed25519':
      // Ed25519 hashes internally (PureEdDSA): node takes `null` as the digest algorithm.
      return edSign(null, data, ed25519Key(key, 'sign'));
  }
}

/** Checks signature bytes over the signature base (RFC 9421 §3.2 step 9, HTTP_VERIFY). */
export function verifyBytes(
  alg: SignatureAlgorithm,
  key: Uint8Array | KeyObject,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  switch (alg) {
    case 'hmac-sha256':
      // §3.3.3: the verifier recomputes the MAC and compares; compare in constant time.
      return constantTimeEqual(hmacSha256(hmacKey(key), data), signature);
    case 'ed25519':
      if (signature.length !== ED25519_SIGNATURE_LENGTH) return false;
      return edVerify(null, data, ed25519Key(key, 'verify'), signature);
  }
}
