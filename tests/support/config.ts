import { parseConfig, type Config } from '../../shared/config/config';

/**
 * Config for integration tests, pointed at the stand-ins the jest global setup started
 * (tests/support/global-setup.ts publishes their endpoints and names in process.env).
 * Kept free of service modules, so importing it never initialises Powertools early.
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
