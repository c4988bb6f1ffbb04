import { createHash } from 'node:crypto';
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { foldAmountMinor, foldSeqOf, type Account, type JournalEntry } from '../../domain/account';
import { InternalError } from '../../domain/errors';
import { MAX_FOLD_BATCH, type CreditFolds, type FoldCommit } from '../../domain/ports';
import { rethrowAws } from '../aws-errors';
import { foldMarkKey, INBOUND_SHARDS, queryEntries, toJournalEntry } from './credit-entries';
import { conditionFailures, type CancellationReason } from './errors';
import { accountKey, fromAccountItem } from './ledger';
import { plainItem } from './payment-items';

/**
 * The folder's side of the ledger table (credit-entries.ts has the keys). One fold is ONE
 * TransactWriteItems:
 *   [0] the account: balance, available and foldedTotalMinor += the sum, foldSeq = k + 1,
 *       version + 1; only if it exists, holds the currency and its foldSeq is still k
 *   [1..n] one fold mark per credit entry, each put only if absent
 * ClientRequestToken = hash(account, k + 1, the payment ids, at): a retry of the same fold
 * (lost response) is deduplicated by DynamoDB for 10 minutes.
 */
export class DynamoCreditFolds implements CreditFolds {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly ledgerTable: string,
  ) {}

  async getAccount(accountId: string): Promise<Account | undefined> {
    try {
      const out = await this.db.send(
        new GetCommand({ TableName: this.ledgerTable, Key: accountKey(accountId), ConsistentRead: true }),
      );
      return out.Item ? fromAccountItem(out.Item) : undefined;
    } catch (error) {
      return rethrowAws(error, 'get account to fold');
    }
  }

  /**
   * Entries of the account without a mark, shard by shard: consistent queries of every entry and
   * every mark, so the cost grows with the account's history. This is the candidate search of the
   * tests and the stand-in for the reconciler: in production the trigger (step 4 of the design)
   * names the new entries and the folder reads only those.
   */
  async unfoldedCredits(accountId: string, limit: number): Promise<JournalEntry[]> {
    const unfolded: JournalEntry[] = [];
    for (let s = 0; s < INBOUND_SHARDS && unfolded.length < limit; s++) {
      const [entries, marks] = await Promise.all([
        queryEntries(this.db, this.ledgerTable, `INB#${accountId}#${s}`),
        queryEntries(this.db, this.ledgerTable, `FLD#${accountId}#${s}`),
      ]);
      const marked = new Set(marks.map((m) => m.sk));
      for (const item of entries) {
        if (unfolded.length >= limit) break;
        if (!marked.has(item.sk)) unfolded.push(toJournalEntry(item));
      }
    }
    return unfolded;
  }

  async commitFold(account: Account, credits: readonly JournalEntry[], at: string): Promise<FoldCommit> {
    if (credits.length === 0 || credits.length > MAX_FOLD_BATCH) {
      throw new InternalError(`fold of ${credits.length} credits (1..${MAX_FOLD_BATCH})`);
    }
    const sum = foldAmountMinor(account, credits);
    const next = foldSeqOf(account) + 1;
    try {
      await this.db.send(
        new TransactWriteCommand({
          ClientRequestToken: foldToken(account.accountId, next, credits, at),
          TransactItems: [
            { Update: this.accountUpdate(account, sum) },
            ...credits.map((c) => ({ Put: this.mark(c, next, at) })),
          ],
        }),
      );
      return { kind: 'folded', foldSeq: next };
    } catch (error) {
      return foldCancellation(conditionFailures(error, 'fold'), credits, error);
    }
  }

  private accountUpdate(account: Account, sum: number) {
    const k = foldSeqOf(account);
    // Accounts opened before folds existed carry no foldSeq: absent counts as 0.
    const seqHeld = k === 0 ? '(attribute_not_exists(foldSeq) OR foldSeq = :k)' : 'foldSeq = :k';
    return {
      TableName: this.ledgerTable,
      Key: accountKey(account.accountId),
      UpdateExpression:
        'SET balanceMinor = balanceMinor + :sum, availableMinor = availableMinor + :sum,' +
        ' foldedTotalMinor = if_not_exists(foldedTotalMinor, :zero) + :sum, foldSeq = :next,' +
        ' version = version + :one',
      ConditionExpression: `attribute_exists(pk) AND currency = :cur AND ${seqHeld}`,
      ExpressionAttributeValues: {
        ':sum': sum,
        ':zero': 0,
        ':one': 1,
        ':k': k,
        ':next': k + 1,
        ':cur': account.currency,
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    };
  }

  private mark(c: JournalEntry, foldSeq: number, at: string) {
    return {
      TableName: this.ledgerTable,
      Item: {
        ...foldMarkKey(c.accountId, c.paymentId),
        type: 'FOLD_MARK',
        accountId: c.accountId,
        paymentId: c.paymentId,
        amountMinor: c.amountMinor,
        foldSeq,
        foldedAt: at,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    };
  }
}

function foldToken(accountId: string, foldSeq: number, credits: readonly JournalEntry[], at: string): string {
  const ids = credits.map((c) => c.paymentId).join(',');
  return createHash('sha256').update(`${accountId}|${foldSeq}|${at}|${ids}`).digest('hex').slice(0, 36);
}

/** Which condition cancelled the fold: the account's (absent, or foldSeq moved) or some marks'. */
function foldCancellation(
  reasons: readonly CancellationReason[],
  credits: readonly JournalEntry[],
  error: unknown,
): FoldCommit {
  const [accountReason, ...markReasons] = reasons;
  if (accountReason?.Code === 'ConditionalCheckFailed') {
    const item = plainItem(accountReason.Item);
    if (!item) return { kind: 'no-account' };
    const current = fromAccountItem(item);
    if (current.currency !== credits[0]?.currency) {
      throw new InternalError('fold: the account does not hold the credits currency', { cause: error });
    }
    return { kind: 'seq-moved' };
  }
  const marked = credits.filter((_c, i) => markReasons[i]?.Code === 'ConditionalCheckFailed');
  if (marked.length > 0) return { kind: 'already-folded', paymentIds: marked.map((c) => c.paymentId) };
  throw new InternalError('fold: transaction cancelled without a failed condition', { cause: error });
}
