import { createHash } from 'node:crypto';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import * as z from 'zod/mini';
import type { CurrencyCode } from '../../domain/currency';
import { InternalError } from '../../domain/errors';
import { accountKey, entryKey } from './ledger';
import { rethrowAws } from '../aws-errors';
import { cancellationReasons, TRANSIENT_CANCELLATION_CODES } from './errors';

/**
 * Journaled funding of ledger accounts from an equity (contra) account, so the ledger stays
 * zero-sum: money never appears by a plain put. Used for the release probe's accounts
 * (release/dynamo-probe-store.ts); never by the payment flow, and it never touches
 * DynamoLedger.settle().
 *
 * Every movement is ONE TransactWriteItems on the ledger table:
 *   [0] source (equity): exists, open, same currency, available >= amount;
 *       balance -= amount, available -= amount
 *   [1] target: version = the version the amount was computed from (nothing moved since);
 *       balance += amount, available += amount
 *   [2] [3] journal lines (debit source, credit target) under a transfer id derived from the
 *       target's id and that version, each put only if absent
 * So re-running a funding after it succeeded, or concurrently with another, never moves money
 * twice: the second finds the target funded (or its version moved, and re-reads). The
 * ClientRequestToken is derived from the transfer id and the call's time: the SDK's retry of one
 * call after a lost response is deduplicated.
 *
 * An account opened here starts at 0 with `openingJournaled = true`. An account that lacks the
 * attribute was opened by a plain put (before this module); `journalUnbackedBalance` brings it in
 * line: the part of its balance that no journal line explains is journaled against the source
 * (debit source; a credit line on the target that leaves its balance as it is).
 */

const AccountSchema = z.object({
  accountId: z.string(),
  ownerPartnerId: z.string(),
  currency: z.string(),
  status: z.string(),
  balanceMinor: z.int(),
  version: z.int(),
  openingJournaled: z.optional(z.boolean()),
});
type AccountItem = z.infer<typeof AccountSchema>;

export interface OpenAccountInput {
  readonly accountId: string;
  readonly ownerPartnerId: string;
  readonly currency: CurrencyCode;
  /** How far below zero the balance may go (an equity account's is large). */
  readonly overdraftLimitMinor: number;
}

export interface FundInput {
  /** The equity (contra) account the money comes from. */
  readonly from: string;
  readonly to: string;
  /** Fund only if the target's balance is below this. */
  readonly minimumMinor: number;
  /** ...and then up to exactly this. */
  readonly targetMinor: number;
  readonly at: string;
}

export class FundingError extends InternalError {}

const MAX_ATTEMPTS = 8;

export function transferId(kind: 'FUNDING' | 'OPENING', accountId: string, version: number): string {
  return `${kind}-${accountId}-v${version}`;
}

/** Same call (table, transfer, time) = same token: the SDK's own retries are deduplicated, nothing else. */
function token(table: string, id: string, at: string): string {
  return createHash('sha256').update(`ledger-funding|${table}|${id}|${at}`).digest('hex').slice(0, 36);
}

export class DynamoLedgerFunding {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly ledgerTable: string,
  ) {}

  /** Opens the account at balance 0 if absent (true if it was opened now); an existing one is left as it is. */
  async openAccount(account: OpenAccountInput): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.ledgerTable,
          Item: {
            ...accountKey(account.accountId),
            type: 'ACCOUNT',
            ...account,
            status: 'OPEN',
            balanceMinor: 0,
            availableMinor: account.overdraftLimitMinor,
            version: 0,
            openingJournaled: true,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      return rethrowAws(error, 'open account');
    }
  }

  /**
   * Tops the target up to `targetMinor` from `from` if its balance is below `minimumMinor`;
   * returns what was moved (0 if nothing was needed).
   */
  async fund(input: FundInput): Promise<{ movedMinor: number }> {
    if (!(input.minimumMinor <= input.targetMinor)) throw new RangeError('minimum above target');
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      const to = await this.account(input.to);
      if (to.balanceMinor >= input.minimumMinor) return { movedMinor: 0 };
      const amount = input.targetMinor - to.balanceMinor;
      const id = transferId('FUNDING', to.accountId, to.version);
      if (await this.move(input.from, to, amount, amount, id, input.at, attempt))
        return { movedMinor: amount };
    }
    throw new FundingError(`funding ${input.to}: it kept moving`);
  }

  /**
   * For an account opened by a plain put (no `openingJournaled`): journals the part of its
   * balance that its journal lines do not explain, against `from`, and marks it. Returns that
   * amount (0 if the account was already journaled).
   */
  async journalUnbackedBalance(input: {
    from: string;
    to: string;
    at: string;
  }): Promise<{ journaledMinor: number }> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      const to = await this.account(input.to);
      if (to.openingJournaled === true) return { journaledMinor: 0 };
      const entries = await this.sumOfEntries(to.accountId);
      const unbacked = to.balanceMinor - entries;
      if (unbacked === 0) {
        if (await this.markJournaled(to)) return { journaledMinor: 0 };
        continue;
      }
      const id = transferId('OPENING', to.accountId, to.version);
      // The target's balance does not change: its new credit line explains what it already holds.
      if (await this.move(input.from, to, unbacked, 0, id, input.at, attempt))
        return { journaledMinor: unbacked };
    }
    throw new FundingError(`journaling ${input.to}: it kept moving`);
  }

  /** Sum of the account's journal lines. */
  async sumOfEntries(accountId: string): Promise<number> {
    let sum = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.ledgerTable,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :entry)',
          ExpressionAttributeValues: { ':pk': `ACCT#${accountId}`, ':entry': 'ENTRY#' },
          ProjectionExpression: 'amountMinor',
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of out.Items ?? []) {
        if (typeof item.amountMinor !== 'number' || !Number.isSafeInteger(item.amountMinor))
          throw new FundingError(`corrupt journal line in ${accountId}`);
        sum += item.amountMinor;
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return sum;
  }

  private async markJournaled(to: AccountItem): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.ledgerTable,
          Key: accountKey(to.accountId),
          UpdateExpression: 'SET openingJournaled = :true',
          ConditionExpression: 'version = :seen',
          ExpressionAttributeValues: { ':true': true, ':seen': to.version },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      return rethrowAws(error, 'mark account journaled');
    }
  }

  private async account(accountId: string): Promise<AccountItem> {
    const out = await this.db
      .send(new GetCommand({ TableName: this.ledgerTable, Key: accountKey(accountId), ConsistentRead: true }))
      .catch((error: unknown) => rethrowAws(error, 'get account'));
    if (out.Item === undefined) throw new FundingError(`account ${accountId} does not exist`);
    const parsed = AccountSchema.safeParse(out.Item);
    if (!parsed.success) throw new FundingError(`corrupt account item ${accountId}`);
    return parsed.data;
  }

  /**
   * Debits `from` by `entryMinor` and credits `to` by `balanceChangeMinor` (its journal line says
   * `entryMinor`), if `to` is still at the version read. False: `to` moved meanwhile or the
   * transaction met a conflict; the caller re-reads and tries again.
   */
  private async move(
    from: string,
    to: AccountItem,
    entryMinor: number,
    balanceChangeMinor: number,
    id: string,
    at: string,
    attempt: number,
  ): Promise<boolean> {
    if (from === to.accountId) throw new FundingError('an account cannot fund itself');
    if (entryMinor < 0) throw new FundingError(`${to.accountId} holds more journal lines than balance`);
    const movement: Movement = { table: this.ledgerTable, from, to, entryMinor, balanceChangeMinor, id, at };
    try {
      await this.db.send(
        new TransactWriteCommand({
          ClientRequestToken: token(this.ledgerTable, id, at),
          TransactItems: movementItems(movement),
        }),
      );
      return true;
    } catch (error) {
      await refusedMovement(movement, attempt, error);
      return false;
    }
  }
}

interface Movement {
  readonly table: string;
  readonly from: string;
  readonly to: AccountItem;
  readonly entryMinor: number;
  readonly balanceChangeMinor: number;
  readonly id: string;
  readonly at: string;
}

/** The movement's TransactItems, in the order of the module comment ([0] source ... [3] credit line). */
function movementItems(mv: Movement) {
  const putIfAbsent = (Item: Record<string, unknown>) => ({
    Put: { TableName: mv.table, Item, ConditionExpression: 'attribute_not_exists(pk)' },
  });
  return [
    { Update: sourceDebit(mv) },
    { Update: targetCredit(mv) },
    putIfAbsent(journalLine(mv, mv.from, -mv.entryMinor, mv.to.accountId)),
    putIfAbsent(journalLine(mv, mv.to.accountId, mv.entryMinor, mv.from)),
  ];
}

/** [0] The source (equity): exists, open, same currency, enough available. */
function sourceDebit(mv: Movement) {
  return {
    TableName: mv.table,
    Key: accountKey(mv.from),
    UpdateExpression:
      'SET balanceMinor = balanceMinor - :amt, availableMinor = availableMinor - :amt, version = version + :one',
    ConditionExpression:
      'attribute_exists(pk) AND #status = :open AND currency = :cur AND availableMinor >= :amt',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':amt': mv.entryMinor, ':one': 1, ':open': 'OPEN', ':cur': mv.to.currency },
  };
}

/** [1] The target: still at the version the amount was computed from. */
function targetCredit(mv: Movement) {
  return {
    TableName: mv.table,
    Key: accountKey(mv.to.accountId),
    UpdateExpression:
      'SET balanceMinor = balanceMinor + :chg, availableMinor = availableMinor + :chg, version = version + :one, openingJournaled = :true',
    ConditionExpression: 'version = :seen',
    ExpressionAttributeValues: {
      ':chg': mv.balanceChangeMinor,
      ':one': 1,
      ':seen': mv.to.version,
      ':true': true,
    },
  };
}

/** [2] [3] A journal line of the movement, under its transfer id. */
function journalLine(mv: Movement, accountId: string, amountMinor: number, counterpartyAccountId: string) {
  return {
    ...entryKey(accountId, mv.id),
    type: 'ENTRY',
    kind: mv.id.startsWith('OPENING') ? 'OPENING' : 'FUNDING',
    accountId,
    paymentId: mv.id,
    amountMinor,
    currency: mv.to.currency,
    counterpartyAccountId,
    postedAt: mv.at,
  };
}

/**
 * A movement's transaction failed: throws FundingError when the source cannot fund it or no retry
 * is left or can help; otherwise waits a short backoff and returns (the caller re-reads).
 */
async function refusedMovement(mv: Movement, attempt: number, error: unknown): Promise<void> {
  const reasons = cancellationReasons(error);
  if (reasons === undefined) return rethrowAws(error, 'fund account');
  const [source, target] = reasons;
  if (source?.Code === 'ConditionalCheckFailed')
    throw new FundingError(
      `${mv.from} cannot fund ${mv.entryMinor} ${mv.to.currency} (missing, not open, or exhausted)`,
      {
        cause: error,
      },
    );
  const retriable =
    target?.Code === 'ConditionalCheckFailed' ||
    reasons.some((r) => r.Code !== undefined && TRANSIENT_CANCELLATION_CODES.has(r.Code));
  if (!retriable || attempt >= MAX_ATTEMPTS)
    throw new FundingError(`funding ${mv.to.accountId} failed after ${attempt} attempt(s)`, { cause: error });
  await new Promise((resolve) => setTimeout(resolve, 20 * attempt + Math.floor(Math.random() * 20)));
}
