import { readFileSync } from 'node:fs';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from '../../domain/errors';

/** Where partner HMAC secrets come from. */
export interface SecretSource {
  get(name: string): Promise<string | undefined>;
}

/**
 * AWS Secrets Manager through Powertools Parameters: values are cached in the execution
 * environment for `maxAgeSeconds`, so a warm function makes no Secrets Manager call per request.
 */
export class SecretsManagerSource implements SecretSource {
  private readonly provider: SecretsProvider;
  constructor(
    client: SecretsManagerClient,
    private readonly maxAgeSeconds: number,
  ) {
    this.provider = new SecretsProvider({ awsSdkV3Client: client });
  }

  async get(name: string): Promise<string | undefined> {
    try {
      const value = await this.provider.get(name, { maxAge: this.maxAgeSeconds });
      return typeof value === 'string' ? value : undefined;
    } catch (error) {
      if (error instanceof Error && error.name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  }
}

/**
 * Local stand-in for Secrets Manager (no emulator exists for it here): a JSON file
 * `{ "<secret name>": "<value>" }` written by `npm start`'s seeding. Read per call (it is tiny),
 * so rotating a key locally needs no restart. Never used on AWS.
 */
export class LocalFileSecretSource implements SecretSource {
  constructor(private readonly file: string) {}

  async get(name: string): Promise<string | undefined> {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (error) {
      throw new ConfigError(`local secrets file ${this.file} is unreadable`, { cause: error });
    }
    const value =
      typeof json === 'object' && json !== null ? (json as Record<string, unknown>)[name] : undefined;
    return typeof value === 'string' ? value : undefined;
  }
}
