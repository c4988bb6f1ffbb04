import { createPublicKey } from 'node:crypto';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { assertHmacSecretStrength } from '../../auth/algorithms';
import { isWellFormedKeyId } from '../../auth/key-id';
import type { PartnerKey, PartnerKeyResolver } from '../../auth/ports';
import { ConfigError, InternalError } from '../../domain/errors';
import { assertRegistrablePartner, type Partner } from '../../domain/partner';
import { LruTtlCache } from '../lru-cache';
import type { SecretSource } from '../secrets/secret-source';
import { rethrowAws } from '../aws-errors';

/**
 * Partners table layout:
 *   pk = PARTNER#<partnerId>  sk = PROFILE   name, status, agentIds, limits
 *   pk = KEY#<keyId>          sk = KEY       partnerId, alg, status, publicKeyPem | secretName
 *
 * HMAC secrets are never stored here: the key item names the Secrets Manager secret, which must
 * exist and hold at least 32 bytes (base64url) when the key is registered.
 * Ed25519 keys are public keys: the platform holds nothing that could forge a partner request.
 * Lookups are cached in memory for `cacheSeconds` (disabling a partner takes effect within it),
 * unknown ids for a shorter time, in LRU caches of bounded size; a malformed key id is never
 * looked up.
 */
const ProfileSchema = z.object({
  partnerId: z.string(),
  name: z.string(),
  status: z.enum(['ACTIVE', 'DISABLED']),
  agentIds: z.array(z.string()),
  limitMinor: z.optional(z.int().check(z.positive())),
  rateLimitPerSecond: z.optional(z.int().check(z.positive())),
  currencies: z.array(z.string()),
});

const KeySchema = z.object({
  keyId: z.string(),
  partnerId: z.string(),
  alg: z.enum(['hmac-sha256', 'ed25519']),
  status: z.enum(['ACTIVE', 'RETIRED']),
  publicKeyPem: z.optional(z.string()),
  secretName: z.optional(z.string()),
});

export type PartnerKeyRecord = z.infer<typeof KeySchema>;

export interface PartnerRegistryOptions {
  /** How long a found key or partner is cached. 0 disables caching. */
  readonly cacheSeconds: number;
  readonly secretPrefix: string;
  /**
   * How long "no such key / partner" is cached (default: the smaller of 10 s and cacheSeconds):
   * short, so a key registered meanwhile is usable soon, yet a flood of one unknown id costs one
   * read per period.
   */
  readonly negativeCacheSeconds?: number;
  /** Most entries each cache (keys, partners) holds, least recently used evicted (default 1000). */
  readonly maxCacheEntries?: number;
  readonly now?: () => number;
}

export const DEFAULT_MAX_CACHE_ENTRIES = 1000;
const DEFAULT_NEGATIVE_CACHE_SECONDS = 10;

export class DynamoPartnerRegistry implements PartnerKeyResolver {
  private readonly keys: LruTtlCache<PartnerKey | undefined>;
  private readonly partners: LruTtlCache<Partner | undefined>;
  private readonly positiveMs: number;
  private readonly negativeMs: number;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly secrets: SecretSource,
    private readonly options: PartnerRegistryOptions,
  ) {
    const cache = {
      maxEntries: options.maxCacheEntries ?? DEFAULT_MAX_CACHE_ENTRIES,
      ...(options.now ? { now: options.now } : {}),
    };
    this.keys = new LruTtlCache(cache);
    this.partners = new LruTtlCache(cache);
    this.positiveMs = options.cacheSeconds * 1000;
    this.negativeMs =
      Math.min(options.negativeCacheSeconds ?? DEFAULT_NEGATIVE_CACHE_SECONDS, options.cacheSeconds) * 1000;
  }

  /** Undefined, with no read and no cache entry, for a key id that is not well-formed. */
  async resolve(keyId: string): Promise<PartnerKey | undefined> {
    if (!isWellFormedKeyId(keyId)) return undefined;
    return this.keys.getOrLoad(keyId, () => this.loadKey(keyId), this.ttl);
  }

  async getPartner(partnerId: string): Promise<Partner | undefined> {
    return this.partners.getOrLoad(partnerId, () => this.loadPartner(partnerId), this.ttl);
  }

  /** Entries held per cache (to check the bound). */
  get cacheSizes(): { keys: number; partners: number } {
    return { keys: this.keys.size, partners: this.partners.size };
  }

  private readonly ttl = (value: unknown): number =>
    value === undefined ? this.negativeMs : this.positiveMs;

  /**
   * Registers a partner profile (seeding, onboarding scripts and tests). Refuses a profile whose
   * agent ids are not routing numbers or BICs, or that claims the release probe's `PROBE`
   * (domain/partner.ts assertRegistrablePartner): nothing is written then.
   */
  async putPartner(partner: Partner): Promise<void> {
    assertRegistrablePartner(partner);
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: `PARTNER#${partner.partnerId}`, sk: 'PROFILE', type: 'PARTNER', ...partner },
      }),
    );
    this.partners.delete(partner.partnerId);
  }

  /** Registers a signing key for a partner (seeding, onboarding scripts and tests). */
  async putKey(key: PartnerKeyRecord): Promise<void> {
    if (!isWellFormedKeyId(key.keyId)) {
      throw new ConfigError(`key id '${key.keyId.slice(0, 80)}' is not 1-64 characters of [A-Za-z0-9._-]`);
    }
    if (key.alg === 'hmac-sha256' && key.status === 'ACTIVE') await this.checkHmacSecret(key);
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: `KEY#${key.keyId}`, sk: 'KEY', type: 'KEY', ...key },
      }),
    );
    this.keys.delete(key.keyId);
  }

  /**
   * An active HMAC key is registered only once its secret is in the secret store, and only if that
   * secret has at least MIN_HMAC_SECRET_BYTES bytes (a short secret makes forgeable signatures).
   */
  private async checkHmacSecret(key: PartnerKeyRecord): Promise<void> {
    if (!key.secretName) throw new ConfigError(`hmac key ${key.keyId} names no secret`);
    const name = `${this.options.secretPrefix}${key.secretName}`;
    const value = await this.secrets.get(name);
    if (value === undefined) {
      throw new ConfigError(`hmac key ${key.keyId}: secret ${name} is not stored; store it before the key`);
    }
    try {
      assertHmacSecretStrength(Buffer.from(value, 'base64url'));
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new ConfigError(`hmac key ${key.keyId} refused: ${reason}`, { cause });
    }
  }

  private async loadPartner(partnerId: string): Promise<Partner | undefined> {
    const item = await this.getItem(`PARTNER#${partnerId}`, 'PROFILE');
    if (!item) return undefined;
    const parsed = ProfileSchema.safeParse(item);
    if (!parsed.success) throw new InternalError(`corrupt partner profile ${partnerId}`);
    const { limitMinor, rateLimitPerSecond, ...rest } = parsed.data;
    return {
      ...rest,
      ...(limitMinor !== undefined ? { limitMinor } : {}),
      ...(rateLimitPerSecond !== undefined ? { rateLimitPerSecond } : {}),
    };
  }

  private async loadKey(keyId: string): Promise<PartnerKey | undefined> {
    const item = await this.getItem(`KEY#${keyId}`, 'KEY');
    if (!item) return undefined;
    const parsed = KeySchema.safeParse(item);
    if (!parsed.success) throw new InternalError(`corrupt partner key ${keyId}`);
    const key = parsed.data;
    if (key.status !== 'ACTIVE') return undefined;
    const partner = await this.getPartner(key.partnerId);
    if (!partner) return undefined;
    const base = { keyId, partnerId: key.partnerId, partnerStatus: partner.status, alg: key.alg } as const;
    if (key.alg === 'ed25519') {
      if (!key.publicKeyPem) throw new InternalError(`ed25519 key ${keyId} has no public key`);
      return { ...base, publicKey: createPublicKey(key.publicKeyPem) };
    }
    if (!key.secretName) throw new InternalError(`hmac key ${keyId} names no secret`);
    const secret = await this.secrets.get(`${this.options.secretPrefix}${key.secretName}`);
    if (secret === undefined) throw new InternalError(`secret for key ${keyId} is missing`);
    return { ...base, secret: Buffer.from(secret, 'base64url') };
  }

  private async getItem(pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
    try {
      const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk, sk } }));
      return out.Item;
    } catch (error) {
      return rethrowAws(error, 'partner lookup');
    }
  }
}
