import { createPublicKey } from 'node:crypto';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { PartnerKey, PartnerKeyResolver } from '../../auth/ports';
import { InternalError } from '../../domain/errors';
import { assertRegistrablePartner, type Partner } from '../../domain/partner';
import type { SecretSource } from '../secrets/secret-source';
import { rethrowAws } from './errors';

/**
 * Partners table layout:
 *   pk = PARTNER#<partnerId>  sk = PROFILE   name, status, agentIds, limits
 *   pk = KEY#<keyId>          sk = KEY       partnerId, alg, status, publicKeyPem | secretName
 *
 * HMAC secrets are never stored here: the key item names the Secrets Manager secret.
 * Ed25519 keys are public keys: the platform holds nothing that could forge a partner request.
 * Lookups are cached in memory for `cacheSeconds` (disabling a partner takes effect within it).
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

interface CacheEntry<T> {
  readonly value: T;
  readonly expiresAt: number;
}

export class DynamoPartnerRegistry implements PartnerKeyResolver {
  private readonly keys = new Map<string, CacheEntry<PartnerKey | undefined>>();
  private readonly partners = new Map<string, CacheEntry<Partner | undefined>>();

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly secrets: SecretSource,
    private readonly options: { cacheSeconds: number; secretPrefix: string; now?: () => number },
  ) {}

  async resolve(keyId: string): Promise<PartnerKey | undefined> {
    return this.cached(this.keys, keyId, () => this.loadKey(keyId));
  }

  async getPartner(partnerId: string): Promise<Partner | undefined> {
    return this.cached(this.partners, partnerId, () => this.loadPartner(partnerId));
  }

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
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: `KEY#${key.keyId}`, sk: 'KEY', type: 'KEY', ...key },
      }),
    );
    this.keys.delete(key.keyId);
  }

  private async cached<T>(cache: Map<string, CacheEntry<T>>, id: string, load: () => Promise<T>): Promise<T> {
    const now = (this.options.now ?? Date.now)();
    const hit = cache.get(id);
    if (hit && hit.expiresAt > now) return hit.value;
    const value = await load();
    cache.set(id, { value, expiresAt: now + this.options.cacheSeconds * 1000 });
    return value;
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
