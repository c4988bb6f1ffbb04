import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createRequestVerifier, type RequestVerifier } from '../auth/verifier';
import type { DynamoClients } from '../adapters/aws-clients';
import { DynamoNonceStore } from '../adapters/dynamodb/nonce-store';
import { DynamoPartnerRegistry } from '../adapters/dynamodb/partner-registry';
import { DynamoRateLimiter } from '../adapters/dynamodb/rate-limiter';
import type { PartnerAuth, PartnerRateLimit } from '../edges/http/partner-auth';
import {
  LocalFileSecretSource,
  SecretsManagerSource,
  type SecretSource,
} from '../adapters/secrets/secret-source';
import type { PartnerAuthConfig } from '../config/config';
import { tracer } from '../observability/powertools';

/** Composition root for partner authentication (HTTP handlers only): what partnerAuth() takes. */
export interface PartnerAuthAdapters extends PartnerAuth {
  readonly partners: DynamoPartnerRegistry;
  readonly verifier: RequestVerifier;
  readonly rateLimit: PartnerRateLimit;
}

function secretSource(config: PartnerAuthConfig): SecretSource {
  if (config.partners.localSecretsFile) return new LocalFileSecretSource(config.partners.localSecretsFile);
  const client = tracer.captureAWSv3Client(new SecretsManagerClient({ region: config.region }));
  return new SecretsManagerSource(client, config.partners.cacheSeconds);
}

export function buildPartnerAuth(config: PartnerAuthConfig, clients: DynamoClients): PartnerAuthAdapters {
  const partners = new DynamoPartnerRegistry(
    clients.documents,
    config.tables.partners,
    secretSource(config),
    {
      cacheSeconds: config.partners.cacheSeconds,
      secretPrefix: config.partners.secretPrefix,
    },
  );
  const verifier = createRequestVerifier({
    keys: partners,
    nonces: new DynamoNonceStore(clients.documents, config.tables.nonces),
    now: Date.now,
    policy: config.signatures,
  });
  const rateLimit: PartnerRateLimit = {
    limiter: new DynamoRateLimiter(clients.documents, config.tables.nonces),
    defaultPerSecond: config.partners.rateLimitPerSecond,
    now: Date.now,
  };
  return { partners, verifier, rateLimit };
}
