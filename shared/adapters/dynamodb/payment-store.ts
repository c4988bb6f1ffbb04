import {
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { Payment, RawMessage, Rejection } from '../../domain/payment';
import type { CreateOutcome, PaymentStore, ReferenceKind, TransitionOutcome } from '../../domain/ports';
import { InternalError } from '../../domain/errors';
import { rethrowAws } from '../aws-errors';
import { cancellationReasons, conditionFailures } from './errors';
import {
  eventItem,
  fromPaymentItem,
  paymentKey,
  plainItem,
  rawKey,
  referenceKey,
  referenceKeys,
  isUniquenessKey,
  SWEEP_SHARDS,
  toPaymentItem,
} from './payment-items';

/** PaymentStore on the DynamoDB payments table (layout in payment-items.ts). */
export class DynamoPaymentStore implements PaymentStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(payment: Payment, raw?: RawMessage): Promise<CreateOutcome> {
    const keys = referenceKeys(payment);
    const putIfAbsent = (Item: Record<string, unknown>) => ({
      Put: { TableName: this.tableName, Item, ConditionExpression: 'attribute_not_exists(pk)' },
    });
    const keyItems = keys.map(({ kind, key }) => ({
      Put: {
        TableName: this.tableName,
        Item: {
          ...key,
          type: 'REFERENCE_KEY',
          kind,
          paymentId: payment.paymentId,
          contentHash: payment.contentHash,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
      },
    }));
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            putIfAbsent(toPaymentItem(payment)),
            ...keyItems,
            putIfAbsent(eventItem(payment.paymentId, 'RECEIVED', payment.createdAt)),
            ...(raw
              ? [
                  putIfAbsent({
                    ...rawKey(payment.paymentId),
                    type: 'RAW_MESSAGE',
                    contentType: raw.contentType,
                    sha256: raw.sha256,
                    body: raw.body,
                    receivedAt: payment.createdAt,
                  }),
                ]
              : []),
          ],
        }),
      );
      return { created: true };
    } catch (error) {
      const reasons = conditionFailures(error, 'create payment');
      // Reasons are in TransactItems order: [payment, ...keys, event, raw?].
      for (const [index, reason] of reasons.slice(1, 1 + keys.length).entries()) {
        const holder = plainItem(reason.Item);
        const kind = keys[index]?.kind;
        if (reason.Code === 'ConditionalCheckFailed' && typeof holder?.paymentId === 'string' && kind) {
          const existing = await this.get(holder.paymentId);
          if (existing) return { created: false, existing, collidedOn: kind };
        }
      }
      throw new InternalError('create payment: unexpected transaction cancellation', { cause: error });
    }
  }

  async get(paymentId: string): Promise<Payment | undefined> {
    const item = await this.getItem(paymentKey(paymentId), 'get payment');
    return item ? fromPaymentItem(item) : undefined;
  }

  async findByReference(partnerId: string, kind: ReferenceKind, value: string): Promise<Payment | undefined> {
    if (!isUniquenessKey(kind, value)) return undefined;
    const item = await this.getItem(referenceKey(partnerId, kind, value), 'find payment');
    const paymentId = item?.paymentId;
    return typeof paymentId === 'string' ? this.get(paymentId) : undefined;
  }

  async getRawMessage(paymentId: string): Promise<RawMessage | undefined> {
    const item = await this.getItem(rawKey(paymentId), 'get raw message');
    if (!item) return undefined;
    const { contentType, sha256, body } = item;
    if (typeof contentType !== 'string' || typeof sha256 !== 'string' || !(body instanceof Uint8Array)) {
      throw new InternalError(`corrupt raw message of payment ${paymentId}`);
    }
    return { contentType, sha256, body: Buffer.from(body) };
  }

  async findPastDeadline(nowMs: number, limit: number): Promise<string[]> {
    const ids: string[] = [];
    for (let shard = 0; shard < SWEEP_SHARDS && ids.length < limit; shard++) {
      try {
        const out = await this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: 'byDeadline',
            KeyConditionExpression: 'sweepShard = :shard AND deadlineEpochMs < :now',
            ExpressionAttributeValues: { ':shard': `OPEN#${shard}`, ':now': nowMs },
            Limit: limit - ids.length,
          }),
        );
        for (const item of out.Items ?? []) {
          const pk = item.pk;
          if (typeof pk === 'string' && pk.startsWith('PAY#')) ids.push(pk.slice(4));
        }
      } catch (error) {
        rethrowAws(error, 'find payments past deadline');
      }
    }
    return ids;
  }

  async flagForInvestigation(paymentId: string, reason: string, at: string): Promise<void> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: paymentKey(paymentId),
                UpdateExpression: 'SET investigation = :note',
                ConditionExpression: 'attribute_exists(pk)',
                ExpressionAttributeValues: { ':note': { reason, at } },
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  pk: `PAY#${paymentId}`,
                  sk: `NOTE#${at}#INVESTIGATION`,
                  type: 'PAYMENT_NOTE',
                  paymentId,
                  reason,
                  at,
                },
              },
            },
          ],
        }),
      );
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (reasons?.[0]?.Code === 'ConditionalCheckFailed') return; // unknown payment: nothing to flag
      rethrowAws(error, 'flag payment for investigation');
    }
  }

  private async getItem(
    key: { pk: string; sk: string },
    what: string,
  ): Promise<Record<string, unknown> | undefined> {
    try {
      const out = await this.db.send(
        new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
      );
      return out.Item;
    } catch (error) {
      return rethrowAws(error, what);
    }
  }

  markAccepted(paymentId: string, at: string): Promise<TransitionOutcome> {
    return this.transition(paymentId, {
      update: 'SET #status = :to, acceptedAt = :at, version = version + :one',
      condition: '#status = :received',
      values: { ':to': 'ACCEPTED', ':at': at, ':received': 'RECEIVED', ':one': 1 },
      event: eventItem(paymentId, 'ACCEPTED', at),
    });
  }

  reject(
    paymentId: string,
    rejection: Rejection,
    at: string,
    options?: { onlyIfPastDeadline?: boolean },
  ): Promise<TransitionOutcome> {
    const pastDeadline = options?.onlyIfPastDeadline === true;
    return this.transition(paymentId, {
      update:
        'SET #status = :to, rejectedAt = :at, rejectionCode = :code, rejectionMessage = :msg, version = version + :one ' +
        'REMOVE sweepShard',
      condition: `#status IN (:received, :accepted)${pastDeadline ? ' AND deadlineEpochMs < :nowMs' : ''}`,
      values: {
        ':to': 'REJECTED',
        ':at': at,
        ':code': rejection.code,
        ':msg': rejection.message,
        ':received': 'RECEIVED',
        ':accepted': 'ACCEPTED',
        ':one': 1,
        ...(pastDeadline ? { ':nowMs': Date.parse(at) } : {}),
      },
      event: eventItem(paymentId, 'REJECTED', at, { reasonCode: rejection.code }),
    });
  }

  /** One conditional state change + its event item, atomically. */
  private async transition(
    paymentId: string,
    spec: {
      update: string;
      condition: string;
      values: Record<string, unknown>;
      event: Record<string, unknown>;
    },
  ): Promise<TransitionOutcome> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: paymentKey(paymentId),
                UpdateExpression: spec.update,
                ConditionExpression: `attribute_exists(pk) AND ${spec.condition}`,
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: spec.values,
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: spec.event,
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
    } catch (error) {
      conditionFailures(error, 'payment transition');
      return { applied: false, current: await this.get(paymentId) };
    }
    return { applied: true };
  }
}
