import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RateLimiter } from '../../domain/ports';
import { rethrowAws } from '../aws-errors';

/**
 * Fixed one-second windows counted in DynamoDB: one conditional UpdateItem (ADD) per request on
 * `RATE#<key>#<epoch second>`, refused once the window holds `limit` requests. Shares the nonces
 * table (pk + TTL `expiresAt`): both are short-lived per-request guard items. A window is a
 * single item, so the counter is exact across any number of concurrent Lambda instances.
 */
export class DynamoRateLimiter implements RateLimiter {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async consume(key: string, limitPerSecond: number, nowMs: number): Promise<boolean> {
    const second = Math.floor(nowMs / 1000);
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `RATE#${key}#${second}` },
          UpdateExpression: 'ADD hits :one SET expiresAt = :expires',
          ConditionExpression: 'attribute_not_exists(hits) OR hits < :limit',
          ExpressionAttributeValues: { ':one': 1, ':limit': limitPerSecond, ':expires': second + 60 },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
      return rethrowAws(error, 'rate limit');
    }
  }
}
