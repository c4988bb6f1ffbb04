import type { KeyObject } from 'node:crypto';
import type { SignatureAlgorithm } from './algorithms';

export type PartnerStatus = 'ACTIVE' | 'DISABLED';

/**
 * One signing key of a partner. A partner may hold two keys at once while rotating: each has
 * its own `keyId`, and both resolve to the same `partnerId`.
 */
export interface PartnerKey {
  readonly keyId: string;
  readonly partnerId: string;
  readonly partnerStatus: PartnerStatus;
  readonly alg: SignatureAlgorithm;
  /** Shared secret bytes, for `hmac-sha256`. */
  readonly secret?: Buffer;
  /** Ed25519 public key, for `ed25519`. */
  readonly publicKey?: KeyObject;
}

export interface PartnerKeyResolver {
  /** The key registered under `keyId`, or undefined when there is none. */
  resolve(keyId: string): Promise<PartnerKey | undefined>;
}

export interface NonceStore {
  /**
   * Atomically records `nonce` for `keyId` for `ttlSeconds`. Returns true on first use and
   * false when the pair was already claimed and has not expired (a replay).
   */
  claim(keyId: string, nonce: string, ttlSeconds: number): Promise<boolean>;
}
