import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { NonceStore } from '../../auth/ports';
import { rethrowAws } from '../aws-errors';

/**
 * Single-use request nonces: a conditional put per (keyId, nonce). The first request wins, any
 * replay fails the condition. Items expire by DynamoDB TTL (`expiresAt`, epoch seconds); since
 * TTL deletion is lazy, an expired item still present is treated as free.
 */
export class DynamoNonceStore implements NonceStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  async claim(keyId: string, nonce: string, ttlSeconds: number): Promise<boolean> {
    const nowSeconds = Math.floor(this.now() / 1000);
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `${keyId}#${nonce}`, expiresAt: nowSeconds + ttlSeconds },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': nowSeconds },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
      return rethrowAws(error, 'claim nonce');
    }
  }
}
