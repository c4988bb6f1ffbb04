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
    // DynamoDB Local answers slower than the production 800 ms request timeout under load (2 shared
    // cores): log such requests, as the SDK does by default, instead of cutting them.
    RTP_SDK_THROW_ON_REQUEST_TIMEOUT: 'false',
    ...process.env,
    ...overrides,
  });
}
