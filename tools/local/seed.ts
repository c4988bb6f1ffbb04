/**
 * Demo data for the local stack: one partner institution with an HMAC and an Ed25519 signing
 * key, and a few accounts, so that a signed sample payment can be sent as soon as `npm start`
 * is ready. Writes `.local/partner.json` (what the partner CLI needs to sign) and refreshes the
 * demo partner's entry in the stand-in secrets file read by LocalFileSecretSource (other entries
 * are kept). Local only: never run against AWS.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoLedger } from '../../shared/adapters/dynamodb/ledger';
import { DynamoPartnerRegistry } from '../../shared/adapters/dynamodb/partner-registry';
import { LocalFileSecretSource } from '../../shared/adapters/secrets/secret-source';
import type { CurrencyCode } from '../../shared/domain/currency';
import type { Partner } from '../../shared/domain/partner';
import { mergeSecretsFile } from './secrets-file';

export interface SeedTables {
  readonly payments: string;
  readonly ledger: string;
  readonly partners: string;
}

export interface DemoAccount {
  readonly accountId: string;
  readonly ownerPartnerId: string;
  readonly balanceMinor: number;
  readonly status?: 'OPEN' | 'BLOCKED' | 'CLOSED';
}

export interface DemoPartnerCredentials {
  readonly partnerId: string;
  readonly hmac: { readonly keyId: string; readonly secret: string };
  readonly ed25519: { readonly keyId: string; readonly privateKeyFile: string };
}

export const DEMO_PARTNER: Partner = {
  partnerId: 'demo-bank',
  name: 'Demo Bank (local)',
  status: 'ACTIVE',
  agentIds: ['021000021', 'DEMOUS33XXX'],
  currencies: ['USD'],
};

/** Accounts the README example and the end-to-end tests use. Balances in minor units. */
export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { accountId: '021000021:1000001', ownerPartnerId: 'demo-bank', balanceMinor: 1_000_000_00 },
  { accountId: '021000021:1000002', ownerPartnerId: 'demo-bank', balanceMinor: 500_00 },
  { accountId: '011000015:2000001', ownerPartnerId: 'other-bank', balanceMinor: 0 },
  { accountId: '011000015:2000009', ownerPartnerId: 'other-bank', balanceMinor: 0, status: 'CLOSED' },
  // The creditor of the FedNow sample CustomerCreditTransfer_Scenario1 (README: send it as demo-bank).
  { accountId: '021040078:56478374687', ownerPartnerId: 'sample-bank-b', balanceMinor: 0 },
];

export interface SeedOptions {
  readonly documents: DynamoDBDocumentClient;
  readonly tables: SeedTables;
  readonly secretPrefix: string;
  /** Where the stand-in for Secrets Manager lives (RTP_LOCAL_SECRETS_FILE). */
  readonly secretsFile: string;
  /** Folder for partner.json and the Ed25519 private key. */
  readonly stateDir: string;
  readonly partner?: Partner;
  readonly accounts?: readonly DemoAccount[];
}

export async function seedDemoData(options: SeedOptions): Promise<DemoPartnerCredentials> {
  const partner = options.partner ?? DEMO_PARTNER;
  mkdirSync(options.stateDir, { recursive: true });

  const hmacKeyId = `${partner.partnerId}-hmac-1`;
  const secret = randomBytes(32).toString('base64url');
  const secretName = hmacKeyId;
  // Merge, do not overwrite: with --persist, partners onboarded earlier keep their secrets.
  mergeSecretsFile(options.secretsFile, { [`${options.secretPrefix}${secretName}`]: secret });

  const ed25519KeyId = `${partner.partnerId}-ed25519-1`;
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const privateKeyFile = path.join(options.stateDir, `${ed25519KeyId}.pem`);
  writeFileSync(privateKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });

  const registry = new DynamoPartnerRegistry(
    options.documents,
    options.tables.partners,
    new LocalFileSecretSource(options.secretsFile),
    { cacheSeconds: 0, secretPrefix: options.secretPrefix },
  );
  await registry.putPartner(partner);
  await registry.putKey({
    keyId: hmacKeyId,
    partnerId: partner.partnerId,
    alg: 'hmac-sha256',
    status: 'ACTIVE',
    secretName,
  });
  await registry.putKey({
    keyId: ed25519KeyId,
    partnerId: partner.partnerId,
    alg: 'ed25519',
    status: 'ACTIVE',
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  });

  const ledger = new DynamoLedger(options.documents, {
    payments: options.tables.payments,
    ledger: options.tables.ledger,
  });
  for (const account of options.accounts ?? DEMO_ACCOUNTS) {
    await ledger.putAccount({
      accountId: account.accountId,
      ownerPartnerId: account.ownerPartnerId,
      currency: 'USD' as CurrencyCode,
      status: account.status ?? 'OPEN',
      balanceMinor: account.balanceMinor,
      overdraftLimitMinor: 0,
    });
  }

  const credentials: DemoPartnerCredentials = {
    partnerId: partner.partnerId,
    hmac: { keyId: hmacKeyId, secret },
    ed25519: { keyId: ed25519KeyId, privateKeyFile },
  };
  return credentials;
}
