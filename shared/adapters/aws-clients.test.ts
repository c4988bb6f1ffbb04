import { parseConfig } from '../config/config';
import { DEFAULT_COMMIT_MARGIN_MS } from '../app/settle';
import { createAwsClients, ledgerCommitMarginMs } from './aws-clients';
import { CONFIG_ENV } from '../testing/builders';

const env = CONFIG_ENV;

describe('AWS SDK clients', () => {
  it('bound every call: connection and request timeouts, attempts (production defaults)', async () => {
    const clients = createAwsClients(parseConfig(env));
    try {
      expect(await clients.dynamodb.config.maxAttempts()).toBe(2);
      expect(await clients.sqs.config.maxAttempts()).toBe(3);
      // NodeHttpHandler resolves its options into `configProvider` (read here, not sent).
      const options = (client: { config: { requestHandler: unknown } }) =>
        (client.config.requestHandler as { configProvider?: Promise<unknown> }).configProvider;
      await expect(options(clients.dynamodb)).resolves.toMatchObject({
        connectionTimeout: 300,
        requestTimeout: 800,
        throwOnRequestTimeout: true,
      });
      await expect(options(clients.sqs)).resolves.toMatchObject({
        connectionTimeout: 300,
        requestTimeout: 2000,
      });
    } finally {
      clients.dynamodb.destroy();
      clients.sqs.destroy();
    }
  });

  it("derive the settle commit margin from the DynamoDB client's worst case, within the 6 s Lambda timeout", () => {
    expect(ledgerCommitMarginMs(parseConfig(env))).toBe(DEFAULT_COMMIT_MARGIN_MS);
    expect(DEFAULT_COMMIT_MARGIN_MS).toBeLessThan(6_000 / 2);
    expect(
      ledgerCommitMarginMs(
        parseConfig({ ...env, RTP_DYNAMODB_REQUEST_TIMEOUT_MS: '3000', RTP_DYNAMODB_MAX_ATTEMPTS: '1' }),
      ),
    ).toBe(3_400);
  });
});
