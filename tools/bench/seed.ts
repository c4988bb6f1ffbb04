/**
 * Registers the simulated world in the target: each partner's profile and signing key (as the
 * end-to-end tests do, with DynamoPartnerRegistry; an HMAC secret also goes to the local secrets
 * file standing in for Secrets Manager) and every account (DynamoLedger.putAccount).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mergeSecretsFile } from '../local/secrets-file';
import { DynamoLedger } from '../../shared/adapters/dynamodb/ledger';
import { DynamoPartnerRegistry } from '../../shared/adapters/dynamodb/partner-registry';
import { LocalFileSecretSource } from '../../shared/adapters/secrets/secret-source';
import type { CurrencyCode } from '../../shared/domain/currency';
import type { PartnerKeyMaterial } from './load';
import type { SigningAlg } from './options';
import type { BenchTarget } from './target';
import { FUNDED_BALANCE_MINOR, type SimAccount, type SimWorld } from './world';

const USD = 'USD' as CurrencyCode;
const PUT_CONCURRENCY = 16;
const BENCH_PARTNER_RATE_LIMIT = 10_000;

/** Registers partners, keys and accounts; returns each partner's signing key material (by index). */
export async function seedWorld(
  target: BenchTarget,
  world: SimWorld,
  alg: SigningAlg,
): Promise<PartnerKeyMaterial[]> {
  const secretsFile = target.inProcess?.secrets.file;
  const registry = new DynamoPartnerRegistry(
    target.documents,
    target.tables.partners,
    new LocalFileSecretSource(secretsFile ?? '/nonexistent'),
    { cacheSeconds: 0, secretPrefix: target.secretPrefix },
  );
  const keys: PartnerKeyMaterial[] = [];
  const secrets: Record<string, string> = {};
  for (const partner of world.partners) {
    await registry.putPartner({
      partnerId: partner.partnerId,
      name: `Bench partner ${partner.routingNumber}`,
      status: 'ACTIVE',
      agentIds: [partner.routingNumber],
      currencies: ['USD'],
      // The per-partner throttle's check is still made (and counted) on every request; it must not
      // refuse the benchmark's own load.
      rateLimitPerSecond: BENCH_PARTNER_RATE_LIMIT,
    });
    if (alg === 'ed25519') {
      const { publicKey, privateKey } = generateKeyPairSync('ed25519');
      await registry.putKey({
        keyId: partner.keyId,
        partnerId: partner.partnerId,
        alg,
        status: 'ACTIVE',
        publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      });
      keys.push({
        keyId: partner.keyId,
        alg,
        privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      });
    } else {
      if (secretsFile === undefined) throw new Error('hmac-sha256 partners need the in-process stack');
      const secret = randomBytes(32).toString('base64url');
      secrets[`${target.secretPrefix}${partner.keyId}`] = secret;
      keys.push({ keyId: partner.keyId, alg, secret });
    }
  }
  // An HMAC key is registered only once its secret is stored (putKey checks it): secrets first.
  if (secretsFile !== undefined && Object.keys(secrets).length > 0) mergeSecretsFile(secretsFile, secrets);
  for (const key of keys) {
    if (key.alg !== 'hmac-sha256') continue;
    const partner = world.partners.find((p) => p.keyId === key.keyId);
    if (partner === undefined) continue;
    await registry.putKey({
      keyId: key.keyId,
      partnerId: partner.partnerId,
      alg: 'hmac-sha256',
      status: 'ACTIVE',
      secretName: key.keyId,
    });
  }

  const ledger = new DynamoLedger(target.documents, {
    payments: target.tables.payments,
    ledger: target.tables.ledger,
  });
  const accounts: { account: SimAccount; balanceMinor: number }[] = [
    ...world.accounts.map((account) => ({ account, balanceMinor: FUNDED_BALANCE_MINOR })),
    ...world.emptyAccounts.flat().map((account) => ({ account, balanceMinor: 0 })),
    { account: world.hotAccount, balanceMinor: 0 },
  ];
  for (let i = 0; i < accounts.length; i += PUT_CONCURRENCY) {
    await Promise.all(
      accounts.slice(i, i + PUT_CONCURRENCY).map(({ account, balanceMinor }) =>
        ledger.putAccount({
          accountId: account.ledgerId,
          ownerPartnerId: world.partners[account.partnerIndex]?.partnerId ?? 'bench',
          currency: USD,
          status: 'OPEN',
          balanceMinor,
          overdraftLimitMinor: 0,
        }),
      ),
    );
  }
  return keys;
}
