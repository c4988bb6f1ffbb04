/**
 * Reads the payment records back from DynamoDB at the end (BatchGetItem, strongly consistent,
 * only the fields the measures need), and waits, with a bound, until every accepted payment is
 * terminal.
 */
import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
  type KeysAndAttributes,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { z } from 'zod';
import { paymentKey } from '../../shared/adapters/dynamodb/payment-items';
import { sleep } from './clock';

const PaymentRecordSchema = z.object({
  paymentId: z.string(),
  status: z.enum(['RECEIVED', 'ACCEPTED', 'SETTLED', 'REJECTED']),
  createdAt: z.string(),
  acceptedAt: z.string().optional(),
  settledAt: z.string().optional(),
  rejectedAt: z.string().optional(),
  rejectionCode: z.string().optional(),
});

export type PaymentRecord = z.infer<typeof PaymentRecordSchema>;

export const isTerminal = (record: PaymentRecord | undefined): boolean =>
  record?.status === 'SETTLED' || record?.status === 'REJECTED';

const BATCH = 100;

export async function readPayments(
  client: DynamoDBClient,
  table: string,
  ids: readonly string[],
): Promise<Map<string, PaymentRecord>> {
  const found = new Map<string, PaymentRecord>();
  for (let i = 0; i < ids.length; i += BATCH) {
    let request: Record<string, KeysAndAttributes> | undefined = {
      [table]: {
        Keys: ids.slice(i, i + BATCH).map((id) => {
          const key = paymentKey(id);
          return { pk: { S: key.pk }, sk: { S: key.sk } };
        }),
        ConsistentRead: true,
        ProjectionExpression:
          'paymentId, #status, createdAt, acceptedAt, settledAt, rejectedAt, rejectionCode',
        ExpressionAttributeNames: { '#status': 'status' },
      },
    };
    for (let attempt = 0; request !== undefined && Object.keys(request).length > 0; attempt++) {
      if (attempt > 0) await sleep(Math.min(1000, 50 * 2 ** attempt));
      const out: BatchGetItemCommandOutput = await client.send(
        new BatchGetItemCommand({ RequestItems: request }),
      );
      for (const item of out.Responses?.[table] ?? []) {
        const record = PaymentRecordSchema.parse(unmarshall(item));
        found.set(record.paymentId, record);
      }
      request = out.UnprocessedKeys;
    }
  }
  return found;
}

export interface DrainResult {
  readonly records: Map<string, PaymentRecord>;
  readonly waitedMs: number;
  readonly timedOut: boolean;
}

/** Polls until every id is terminal or `timeoutMs` passes; then returns every record. */
export async function waitUntilTerminal(
  client: DynamoDBClient,
  table: string,
  ids: readonly string[],
  timeoutMs: number,
  onProgress: (open: number) => void,
): Promise<DrainResult> {
  const started = Date.now();
  const records = new Map<string, PaymentRecord>();
  let open = [...ids];
  for (;;) {
    const latest = await readPayments(client, table, open);
    for (const [id, record] of latest) records.set(id, record);
    open = open.filter((id) => !isTerminal(records.get(id)));
    onProgress(open.length);
    const waitedMs = Date.now() - started;
    if (open.length === 0) return { records, waitedMs, timedOut: false };
    if (waitedMs >= timeoutMs) return { records, waitedMs, timedOut: true };
    await sleep(500);
  }
}
