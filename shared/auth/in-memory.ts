import type { NonceStore, PartnerKey, PartnerKeyResolver, PartnerStatus } from './ports';

/** Partner keys held in memory, for tests and local runs. */
export class InMemoryPartnerKeys implements PartnerKeyResolver {
  private readonly keys = new Map<string, PartnerKey>();

  constructor(keys: readonly PartnerKey[] = []) {
    for (const key of keys) this.add(key);
  }

  add(key: PartnerKey): void {
    this.keys.set(key.keyId, key);
  }

  remove(keyId: string): void {
    this.keys.delete(keyId);
  }

  /** Sets the status on every key of the partner. */
  setPartnerStatus(partnerId: string, partnerStatus: PartnerStatus): void {
    for (const [keyId, key] of this.keys) {
      if (key.partnerId === partnerId) this.keys.set(keyId, { ...key, partnerStatus });
    }
  }

  async resolve(keyId: string): Promise<PartnerKey | undefined> {
    return this.keys.get(keyId);
  }
}

/**
 * Nonces held in memory with an expiry. `claim` has no await between its check and its write,
 * so concurrent claims of one nonce in a process cannot both win.
 */
export class InMemoryNonceStore implements NonceStore {
  private readonly expiries = new Map<string, number>();
  private claimsSinceSweep = 0;

  /** `now` returns epoch milliseconds (inject a fake clock in tests). */
  constructor(
    private readonly now: () => number = Date.now,
    private readonly sweepEvery = 1024,
  ) {}

  async claim(keyId: string, nonce: string, ttlSeconds: number): Promise<boolean> {
    const now = this.now();
    this.sweep(now);
    // keyId cannot contain a newline once parsed from an sf-string, so the key is unambiguous.
    const key = `${keyId}\n${nonce}`;
    const expiresAt = this.expiries.get(key);
    if (expiresAt !== undefined && expiresAt > now) return false;
    this.expiries.set(key, now + ttlSeconds * 1000);
    return true;
  }

  get size(): number {
    return this.expiries.size;
  }

  /** Drops expired entries now and then, so the map does not grow without bound. */
  private sweep(now: number): void {
    if (++this.claimsSinceSweep < this.sweepEvery) return;
    this.claimsSinceSweep = 0;
    for (const [key, expiresAt] of this.expiries) {
      if (expiresAt <= now) this.expiries.delete(key);
    }
  }
}
