import { randomUUID } from 'node:crypto';
import { DynamoRateLimiter } from '../../shared/adapters/dynamodb/rate-limiter';
import { testAdapters, testConfig } from '../support/adapters';

describe('DynamoRateLimiter on DynamoDB Local', () => {
  const adapters = testAdapters();
  const limiter = new DynamoRateLimiter(adapters.clients.documents, testConfig().tables.nonces);

  it('lets exactly `limit` of many concurrent requests through in one second, and resets the next second', async () => {
    const key = `partner-${randomUUID()}`;
    const second = Math.floor(Date.now() / 1000) * 1000 + 100;
    const results = await Promise.all(Array.from({ length: 12 }, () => limiter.consume(key, 5, second)));
    expect(results.filter(Boolean)).toHaveLength(5);
    await expect(limiter.consume(key, 5, second + 1_000)).resolves.toBe(true);
    await expect(limiter.consume(`${key}-other`, 5, second)).resolves.toBe(true);
  });
});
