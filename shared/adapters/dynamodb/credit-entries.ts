import { createHash } from 'node:crypto';
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { JournalEntry } from '../../domain/account';
import { isCurrencyCode, type CurrencyCode } from '../../domain/currency';
import { InternalError } from '../../domain/errors';
import type { SettlementMessage } from '../../domain/settlement-message';
import { rethrowAws } from '../aws-errors';

/**
 * Credit entries of INBOUND creditors and their fold marks (docs/design/hot-accounts-and-regions.md
 * §4.1), in the ledger table:
 *
 *   pk = INB#<accountId>#<s>  sk = ENTRY#<paymentId>  the credit entry: written once, by the
 *                                                      settlement, never updated
 *   pk = FLD#<accountId>#<s>  sk = ENTRY#<paymentId>  its fold mark: written once, by the fold
 *                                                      that added the entry to the balance
 *
 * s = hash(paymentId) mod INBOUND_SHARDS spreads one account's entries (and marks) over several
 * partition keys, so no partition key takes every credit of a hot account. The design's hour
 * bucket in the key is not built: see the design's status line (the reconcile index carries the
 * time window; a fixed shard count lets one account's entries be listed with S queries).
 */
export const INBOUND_SHARDS = 8;

export function inboundShard(paymentId: string): number {
  return createHash('sha256').update(paymentId).digest().readUInt32BE(0) % INBOUND_SHARDS;
}

export const creditEntryKey = (accountId: string, paymentId: string) => ({
  pk: `INB#${accountId}#${inboundShard(paymentId)}`,
  sk: `ENTRY#${paymentId}`,
});

export const foldMarkKey = (accountId: string, paymentId: string) => ({
  pk: `FLD#${accountId}#${inboundShard(paymentId)}`,
  sk: `ENTRY#${paymentId}`,
});

/** The credit entry item of the creditor of `m` (amount positive, the debtor as counterparty). */
export function creditEntryItem(m: SettlementMessage, at: string): Record<string, unknown> {
  return {
    ...creditEntryKey(m.creditorAccount, m.paymentId),
    type: 'CREDIT_ENTRY',
    accountId: m.creditorAccount,
    paymentId: m.paymentId,
    amountMinor: m.amountMinor,
    currency: m.currency,
    counterpartyAccountId: m.debtorAccount,
    postedAt: at,
  };
}

const EntryItemSchema = z.object({
  accountId: z.string(),
  paymentId: z.string(),
  amountMinor: z.int(),
  currency: z.string().check(z.refine(isCurrencyCode)),
  counterpartyAccountId: z.string(),
  postedAt: z.string(),
});

/** A journal line or credit entry item as the domain's JournalEntry (throws on a corrupt item). */
export function toJournalEntry(item: Record<string, unknown>): JournalEntry {
  const parsed = EntryItemSchema.safeParse(item);
  if (!parsed.success) throw new InternalError('corrupt journal entry');
  const { accountId, paymentId, amountMinor, currency, counterpartyAccountId, postedAt } = parsed.data;
  return {
    accountId,
    paymentId,
    amountMinor,
    currency: currency as CurrencyCode,
    counterpartyAccountId,
    postedAt,
  };
}

/** Every item of one partition key whose sort key starts with ENTRY# (consistent, all pages). */
export async function queryEntries(
  db: DynamoDBDocumentClient,
  table: string,
  pk: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  try {
    do {
      const out = await db.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :entry)',
          ExpressionAttributeValues: { ':pk': pk, ':entry': 'ENTRY#' },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(out.Items ?? []));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
  } catch (error) {
    return rethrowAws(error, 'query journal');
  }
  return items;
}

/** Every credit entry of the account, folded or not. */
export async function listCreditEntries(
  db: DynamoDBDocumentClient,
  table: string,
  accountId: string,
): Promise<JournalEntry[]> {
  const shards = Array.from({ length: INBOUND_SHARDS }, (_, s) => s);
  const pages = await Promise.all(shards.map((s) => queryEntries(db, table, `INB#${accountId}#${s}`)));
  return pages.flat().map(toJournalEntry);
}
