import { randomUUID } from 'node:crypto';
import { parseConfig, type Config } from '../../shared/config/config';
import { buildDataAdapters, type DataAdapters } from '../../shared/wiring/data';
import type { CurrencyCode } from '../../shared/domain/currency';
import type { AccountStatus } from '../../shared/domain/account';

/**
 * Config and adapters for integration tests, pointed at the stand-ins the jest global setup
 * started (tests/support/global-setup.ts publishes their endpoints and names in process.env).
 */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return parseConfig({
    STAGE: 'local',
    AWS_REGION: 'us-east-1',
    PARTNER_SECRET_PREFIX: 'rtp-pipeline/local/partner-keys/',
    ...process.env,
    ...overrides,
  });
}

export function testAdapters(config: Config = testConfig()): DataAdapters {
  return buildDataAdapters(config);
}

/** A unique account id, so tests sharing DynamoDB Local never see each other's data. */
export function uniqueAccount(label = 'acct'): string {
  return `${label}-${randomUUID()}`;
}

export async function openAccount(
  adapters: DataAdapters,
  accountId: string,
  balanceMinor: number,
  options: { status?: AccountStatus; currency?: string; overdraftLimitMinor?: number } = {},
): Promise<void> {
  await adapters.ledger.putAccount({
    accountId,
    ownerPartnerId: 'partner-test',
    currency: (options.currency ?? 'USD') as CurrencyCode,
    status: options.status ?? 'OPEN',
    balanceMinor,
    overdraftLimitMinor: options.overdraftLimitMinor ?? 0,
  });
}
