import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { entryKey } from '../../shared/adapters/dynamodb/ledger';
import type { JournalEntry } from '../../shared/domain/account';
import type { CurrencyCode } from '../../shared/domain/currency';

const EntrySchema = z.object({
  accountId: z.string(),
  paymentId: z.string(),
  amountMinor: z.int(),
  currency: z.string(),
  counterpartyAccountId: z.string(),
  postedAt: z.string(),
});

/** Reads one journal line of the ledger table by key, consistently (the probe checks both lines of its payments). */
export class DynamoJournalReader {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly ledgerTable: string,
  ) {}

  async getEntry(accountId: string, paymentId: string): Promise<JournalEntry | undefined> {
    const out = await this.documents.send(
      new GetCommand({
        TableName: this.ledgerTable,
        Key: entryKey(accountId, paymentId),
        ConsistentRead: true,
      }),
    );
    if (out.Item === undefined) return undefined;
    const parsed = EntrySchema.safeParse(out.Item);
    if (!parsed.success) throw new Error(`corrupt journal line ${accountId} / ${paymentId}`);
    return { ...parsed.data, currency: parsed.data.currency as CurrencyCode };
  }
}
