import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { assertHmacSecretStrength, KeyMaterialError, MIN_HMAC_SECRET_BYTES } from '../../auth/algorithms';
import { ConfigError } from '../../domain/errors';
import { DynamoPartnerRegistry } from './partner-registry';

/** A DocumentClient stand-in that serves Get/Put from a map and counts every read. */
class CountingTable {
  readonly items = new Map<string, Record<string, unknown>>();
  reads = 0;
  readonly client = {
    send: async (command: unknown): Promise<unknown> => {
      if (command instanceof GetCommand) {
        this.reads++;
        const { pk, sk } = command.input.Key as { pk: string; sk: string };
        return { Item: this.items.get(`${pk}|${sk}`) };
      }
      if (command instanceof PutCommand) {
        const item = command.input.Item as { pk: string; sk: string };
        this.items.set(`${item.pk}|${item.sk}`, item);
        return {};
      }
      throw new Error(`unexpected command ${String(command)}`);
    },
  } as unknown as DynamoDBDocumentClient;
}

const noSecrets = { get: async () => undefined };

function setup(
  options: { maxCacheEntries?: number; negativeCacheSeconds?: number; cacheSeconds?: number } = {},
) {
  const table = new CountingTable();
  const clock = { ms: 1_750_000_000_000 };
  const registry = new DynamoPartnerRegistry(table.client, 'partners', noSecrets, {
    cacheSeconds: 60,
    secretPrefix: 'rtp/',
    now: () => clock.ms,
    ...options,
  });
  return { table, clock, registry };
}

async function registerEd25519(registry: DynamoPartnerRegistry, keyId: string): Promise<void> {
  await registry.putPartner({
    partnerId: 'p1',
    name: 'P1',
    status: 'ACTIVE',
    agentIds: ['021000021'],
    currencies: ['USD'],
  });
  const { publicKey } = generateKeyPairSync('ed25519');
  await registry.putKey({
    keyId,
    partnerId: 'p1',
    alg: 'ed25519',
    status: 'ACTIVE',
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  });
}

describe('DynamoPartnerRegistry key cache', () => {
  it('never reads for a malformed key id, and caches nothing for it', async () => {
    const { table, registry } = setup();
    for (const keyId of ['', 'k'.repeat(65), 'a b', 'KEY#x', 'x/../y', 'é', 'a\nb']) {
      await expect(registry.resolve(keyId)).resolves.toBeUndefined();
    }
    expect(table.reads).toBe(0);
    expect(registry.cacheSizes.keys).toBe(0);
  });

  it('caches an unknown key id as absent for a short time: one read per period, not per request', async () => {
    const { table, clock, registry } = setup({ negativeCacheSeconds: 5 });
    for (let i = 0; i < 100; i++) await expect(registry.resolve('nobody')).resolves.toBeUndefined();
    expect(table.reads).toBe(1);
    clock.ms += 5_001;
    await registry.resolve('nobody');
    expect(table.reads).toBe(2);
  });

  it('shares one read among concurrent lookups of one key id', async () => {
    const { table, registry } = setup();
    await Promise.all(Array.from({ length: 50 }, () => registry.resolve('burst')));
    expect(table.reads).toBe(1);
  });

  it('stays within maxCacheEntries under a flood of random key ids (LRU evicts the oldest)', async () => {
    const { table, registry } = setup({ maxCacheEntries: 100 });
    await registerEd25519(registry, 'real-key');
    await registry.resolve('real-key');
    const readsForRealKey = table.reads;
    for (let i = 0; i < 5_000; i++) {
      await registry.resolve(`random-${i}`);
      // A partner that keeps sending stays recent, so the flood does not evict its key.
      if (i % 50 === 0)
        await expect(registry.resolve('real-key')).resolves.toMatchObject({ partnerId: 'p1' });
    }
    expect(registry.cacheSizes.keys).toBeLessThanOrEqual(100);
    expect(table.reads).toBe(readsForRealKey + 5_000);
    // The oldest random ids were evicted: asking again costs a read; a recent one does not.
    await registry.resolve('random-0');
    expect(table.reads).toBe(readsForRealKey + 5_001);
    await registry.resolve('random-4999');
    expect(table.reads).toBe(readsForRealKey + 5_001);
  });

  it('caches a found key for cacheSeconds, and putKey makes a new key usable at once', async () => {
    const { table, clock, registry } = setup({ negativeCacheSeconds: 5 });
    await expect(registry.resolve('k1')).resolves.toBeUndefined();
    await registerEd25519(registry, 'k1');
    await expect(registry.resolve('k1')).resolves.toMatchObject({ keyId: 'k1', alg: 'ed25519' });
    const reads = table.reads;
    clock.ms += 59_000;
    await registry.resolve('k1');
    expect(table.reads).toBe(reads);
    clock.ms += 2_000;
    await registry.resolve('k1');
    expect(table.reads).toBeGreaterThan(reads);
  });

  it('caches nothing with cacheSeconds 0 (negative entries included)', async () => {
    const { table, registry } = setup({ cacheSeconds: 0 });
    await registry.resolve('nobody');
    await registry.resolve('nobody');
    expect(table.reads).toBe(2);
    expect(registry.cacheSizes.keys).toBe(0);
  });
});

describe('DynamoPartnerRegistry.putKey', () => {
  it('refuses to register a key id the verifier would never look up', async () => {
    const { registry, table } = setup();
    await expect(
      registry.putKey({
        keyId: 'bad key',
        partnerId: 'p1',
        alg: 'ed25519',
        status: 'ACTIVE',
        publicKeyPem: 'x',
      }),
    ).rejects.toThrow('is not 1-64 characters');
    expect(table.items.size).toBe(0);
  });
});

describe('DynamoPartnerRegistry.putKey for hmac-sha256', () => {
  function withSecrets(values: Record<string, string>) {
    const table = new CountingTable();
    const registry = new DynamoPartnerRegistry(
      table.client,
      'partners',
      { get: async (name) => values[name] },
      { cacheSeconds: 60, secretPrefix: 'rtp/' },
    );
    return { table, registry };
  }
  const hmacKey = (secretName: string) =>
    ({ keyId: 'p1-hmac-1', partnerId: 'p1', alg: 'hmac-sha256', status: 'ACTIVE', secretName }) as const;

  it('refuses a secret shorter than 32 bytes with a clear error, and writes nothing', async () => {
    const { table, registry } = withSecrets({
      'rtp/short': randomBytes(31).toString('base64url'),
      'rtp/word': 'password',
    });
    await expect(registry.putKey(hmacKey('short'))).rejects.toThrow(
      'hmac key p1-hmac-1 refused: hmac-sha256 secret is 31 bytes: at least 32 random bytes are required',
    );
    await expect(registry.putKey(hmacKey('word'))).rejects.toThrow(ConfigError);
    expect(table.items.size).toBe(0);
  });

  it('refuses a key whose secret is not stored yet, or that names none', async () => {
    const { registry } = withSecrets({});
    await expect(registry.putKey(hmacKey('missing'))).rejects.toThrow('secret rtp/missing is not stored');
    await expect(
      registry.putKey({ keyId: 'p1-hmac-1', partnerId: 'p1', alg: 'hmac-sha256', status: 'ACTIVE' }),
    ).rejects.toThrow('names no secret');
  });

  it('registers a 32-byte secret, and retires a key without reading its secret', async () => {
    const { table, registry } = withSecrets({ 'rtp/ok': randomBytes(32).toString('base64url') });
    await registry.putKey(hmacKey('ok'));
    await registry.putKey({ ...hmacKey('deleted-already'), status: 'RETIRED' });
    expect(table.items.size).toBe(1);
  });
});

describe('assertHmacSecretStrength', () => {
  it('accepts 32 bytes or more and refuses fewer', () => {
    expect(() => assertHmacSecretStrength(Buffer.alloc(MIN_HMAC_SECRET_BYTES))).not.toThrow();
    expect(() => assertHmacSecretStrength(Buffer.alloc(64))).not.toThrow();
    expect(() => assertHmacSecretStrength(Buffer.alloc(0))).toThrow(KeyMaterialError);
    expect(() => assertHmacSecretStrength(Buffer.alloc(16))).toThrow('16 bytes');
  });
});
