import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { DynamoPartnerRegistry } from '../../shared/adapters/dynamodb/partner-registry';
import { LocalFileSecretSource } from '../../shared/adapters/secrets/secret-source';
import type { Partner } from '../../shared/domain/partner';
import { createAwsClients } from '../../shared/adapters/aws-clients';
import { testConfig } from './config';
import { startLocalStack, type LocalStack } from '../../tools/local/stack';
import { PartnerClient } from '../../shared/partner-client';

/**
 * The whole local pipeline for end-to-end tests, on the stand-ins the jest global setup started
 * (random ports, so a developer's running `npm start` is never disturbed).
 */
export async function startTestStack(
  options: { readonly functionEnv?: Readonly<Record<string, string>> } = {},
): Promise<LocalStack> {
  const dynamodbEndpoint = process.env.RTP_DYNAMODB_ENDPOINT;
  const sqsEndpoint = process.env.RTP_SQS_ENDPOINT;
  if (!dynamodbEndpoint || !sqsEndpoint)
    throw new Error('stand-ins not started: run through jest global setup');
  return startLocalStack({
    httpPort: 0,
    emulators: { dynamodbEndpoint, sqsEndpoint },
    stateDir: mkdtempSync(path.join(os.tmpdir(), 'rtp-e2e-')),
    pollerWaitSeconds: 1,
    schedules: false,
    // The functions' Powertools settings come from tests/support/env.ts (loaded before any module).
    functionEnv: {
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'CRITICAL',
      POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
      ...options.functionEnv,
    },
  });
}

export function hmacClient(stack: LocalStack): PartnerClient {
  return new PartnerClient({
    baseUrl: stack.url,
    keyId: stack.partner.hmac.keyId,
    alg: 'hmac-sha256',
    secret: Buffer.from(stack.partner.hmac.secret, 'base64url'),
  });
}

export function ed25519Client(stack: LocalStack): PartnerClient {
  return new PartnerClient({
    baseUrl: stack.url,
    keyId: stack.partner.ed25519.keyId,
    alg: 'ed25519',
    privateKey: createPrivateKey(readFileSync(stack.partner.ed25519.privateKeyFile)),
  });
}

export interface PaymentView {
  paymentId: string;
  status: string;
  rejection?: { code: string; message: string };
}

/** Polls GET /payments/{id} until the payment is terminal (or the time runs out). */
export async function waitForTerminal(
  client: PartnerClient,
  paymentId: string,
  timeoutMs = 15_000,
): Promise<PaymentView> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await client.getPayment(paymentId);
    if (res.status !== 200) throw new Error(`GET /payments/${paymentId} answered ${res.status}: ${res.body}`);
    const view = JSON.parse(res.body) as PaymentView;
    if (view.status === 'SETTLED' || view.status === 'REJECTED') return view;
    if (Date.now() > until)
      throw new Error(`payment ${paymentId} still ${view.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The partners table of the stand-ins, uncached, for tests that register their own partners. */
export function testPartnerRegistry(): DynamoPartnerRegistry {
  const config = testConfig();
  return new DynamoPartnerRegistry(
    createAwsClients(config).documents,
    config.tables.partners,
    // Ed25519 partners only: no secret is ever read.
    new LocalFileSecretSource('/nonexistent'),
    { cacheSeconds: 0, secretPrefix: config.partners.secretPrefix },
  );
}

/**
 * Registers an active partner with a fresh Ed25519 key (key id `<partnerId>-k1`) and returns a
 * client that signs as it against the stack.
 */
export async function registerEd25519Partner(
  stack: LocalStack,
  registry: DynamoPartnerRegistry,
  profile: Pick<Partner, 'partnerId' | 'agentIds'> & Partial<Partner>,
): Promise<PartnerClient> {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  await registry.putPartner({ name: profile.partnerId, status: 'ACTIVE', currencies: ['USD'], ...profile });
  const keyId = `${profile.partnerId}-k1`;
  await registry.putKey({
    keyId,
    partnerId: profile.partnerId,
    alg: 'ed25519',
    status: 'ACTIVE',
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  });
  return new PartnerClient({ baseUrl: stack.url, keyId, alg: 'ed25519', privateKey });
}
