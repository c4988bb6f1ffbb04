/**
 * Fault injection for the chaos tests: AWS SDK v3 middleware that makes DynamoDB and SQS calls fail the
 * way they fail on AWS. A "crash" kills the calling sandbox's process (sandboxes.ts), so it really stops
 * that process's side effects (a dead process sends nothing and cleans nothing up).
 *
 * Faults are planned per payment and per call site ("the 1st and 2nd settlement transactions of payment
 * p007 are throttled"), never by global call order, so a seeded plan injects the same faults whatever the
 * interleaving of concurrent consumers.
 *
 * The middleware sits at the `initialize` step, above the SDK's own retry middleware: an injected
 * throttling error is what the service sees once the SDK has given up (`$metadata.attempts` says so).
 */
import { createHash } from 'node:crypto';
import {
  ProvisionedThroughputExceededException,
  ThrottlingException,
  TransactionCanceledException,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { RequestThrottled, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import type { SandboxProcess } from './sandboxes';

/** Where a fault can strike. Settle-side sites are what the settle function calls, in order. */
export type CallSite =
  /** submit: the payment and its uniqueness keys (TransactWriteItems). */
  | 'create.tx'
  /** submit: SendMessage to the FIFO queue. */
  | 'enqueue'
  /** submit: RECEIVED -> ACCEPTED (TransactWriteItems). */
  | 'accept.tx'
  /** settle: Powertools idempotency writes the INPROGRESS record (conditional PutItem). */
  | 'idem.put'
  /** settle: the ledger transaction (TransactWriteItems over payments + ledger). */
  | 'settle.tx'
  /** settle: RECEIVED|ACCEPTED -> REJECTED (TransactWriteItems). */
  | 'reject.tx'
  /** settle: reading the payment back (replays and refused transitions). */
  | 'payment.get'
  /** settle: Powertools idempotency marks the record COMPLETED with the result (UpdateItem). */
  | 'idem.complete'
  /** settle: Powertools idempotency deletes the INPROGRESS record after a failure (DeleteItem). */
  | 'idem.delete'
  /** settle: flag a payment whose message is going to the DLQ (TransactWriteItems). */
  | 'flag.tx'
  /** the event source mapping's DeleteMessageBatch after the function returned (poller hook). */
  | 'delete';

export type FaultKind =
  /**
   * ThrottlingException: on-demand table or account throughput limits, as the service sees it once the
   * SDK's retries are exhausted. On a TransactWriteItems DynamoDB may instead cancel the transaction
   * with a `ThrottlingError` reason for the throttled item: both forms are injected, alternately.
   */
  | 'throttle'
  /** ProvisionedThroughputExceededException: a hot partition / exhausted provisioned capacity. */
  | 'capacity'
  /**
   * TransactionCanceledException with a `TransactionConflict` reason: another transaction held one of
   * the items (typically the hot creditor account). Transactions only.
   */
  | 'conflict'
  /** The sandbox's process dies just before the request is sent (runtime crash, out of memory). */
  | 'crash-before'
  /** The process dies just after the request succeeded: DynamoDB applied it, nobody saw the answer. */
  | 'crash-after'
  /**
   * DynamoDB applied the request but the answer was lost on the way back (a reset connection): the SDK
   * reports a TimeoutError and the caller may retry the very same request (same ClientRequestToken).
   */
  | 'lost-response'
  /**
   * The request never answers (a stuck connection): the invocation runs into the Lambda time-out, and
   * Lambda then discards the sandbox, so nothing more happens in it.
   */
  | 'hang'
  /**
   * The request reaches DynamoDB only after the queue's visibility timeout (`slowMs`): the message is
   * delivered to another consumer while this one is still working, and this one's write lands afterwards
   * (a zombie).
   * On AWS: a request stuck in the network past the invocation's end; locally also what a timed-out
   * handler does (it keeps running, see tools/local/lambda-context.ts).
   */
  | 'slow'
  /**
   * The event source mapping does not delete the messages of a successful invocation (it died between
   * the function's success and DeleteMessageBatch, or the delete was lost): they come back after the
   * visibility timeout. Site `delete` only.
   */
  | 'lost-delete';

export interface FaultRule {
  readonly site: CallSite;
  readonly kind: FaultKind;
  /** First affected call at that site for that payment (1 = the first call). */
  readonly from: number;
  /** Consecutive calls affected (only throttle / capacity / conflict use more than 1). */
  readonly times: number;
}

/** One settlement attempt (one ClientRequestToken) and what became of its calls. */
export interface SettleAttempt {
  readonly startedAt: number;
  /** TransactWriteItems calls (the first and the retries), including those a fault cut short. */
  calls: number;
  /** Calls answered by an injected fault. */
  injected: number;
  /** Calls DynamoDB accepted (the transaction was applied, or deduplicated by its token). */
  applied: number;
}

interface ClassifiedCall {
  readonly site: CallSite;
  readonly paymentId: string;
  /** Number of TransactItems (for cancellation reasons), 0 otherwise. */
  readonly items: number;
}

export interface FaultTables {
  readonly payments: string;
  readonly ledger: string;
  readonly idempotency: string;
}

/** The planned payment id of an actual one (resubmissions may get `<planned>~<n>` ids). */
export function plannedIdOf(paymentId: string): string {
  return paymentId.split('~')[0] ?? paymentId;
}

/**
 * Powertools idempotency record ids are `<prefix>#<base64 md5 of the JSON key>`, the key being the
 * payment id (eventKeyJmesPath 'paymentId'); this is how an idempotency call is traced to its payment.
 */
export function idempotencyHash(paymentId: string): string {
  return createHash('md5').update(JSON.stringify(paymentId)).digest('base64');
}

let requestCounter = 0;
function metadata(): {
  httpStatusCode: number;
  requestId: string;
  attempts: number;
  totalRetryDelay: number;
} {
  requestCounter++;
  return {
    httpStatusCode: 400,
    requestId: `CHAOS${String(requestCounter).padStart(8, '0')}`,
    attempts: 3,
    totalRetryDelay: 180,
  };
}

const THROTTLED =
  'Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling your table or index so please try again shortly.';

export function throttlingException(): ThrottlingException {
  const error = new ThrottlingException({ message: THROTTLED, $metadata: metadata() });
  error.$retryable = { throttling: true };
  return error;
}

export function provisionedThroughputExceeded(): ProvisionedThroughputExceededException {
  const error = new ProvisionedThroughputExceededException({
    message:
      'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
    $metadata: metadata(),
  });
  error.$retryable = { throttling: true };
  return error;
}

/** A cancelled transaction whose reasons are in TransactItems order, as DynamoDB returns them. */
export function transactionCanceled(
  items: number,
  failedIndex: number,
  code: 'TransactionConflict' | 'ThrottlingError',
): TransactionCanceledException {
  const reasons = Array.from({ length: items }, (_, index) =>
    index === failedIndex
      ? {
          Code: code,
          Message: code === 'TransactionConflict' ? 'Transaction is ongoing for the item' : THROTTLED,
        }
      : { Code: 'None' },
  );
  return new TransactionCanceledException({
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
    Message: undefined,
    CancellationReasons: reasons,
    $metadata: metadata(),
  });
}

/** What the SDK's Node HTTP handler throws when a socket times out (no $metadata: no response came). */
export function socketTimeout(): Error {
  return Object.assign(new Error('Connection timed out after 3000 ms'), {
    name: 'TimeoutError',
    code: 'ETIMEDOUT',
    $metadata: { attempts: 3 },
  });
}

export function sqsRequestThrottled(): RequestThrottled {
  const error = new RequestThrottled({ message: 'Request is throttled.', $metadata: metadata() });
  error.$retryable = { throttling: true };
  return error;
}

type Item = Record<string, unknown>;
const asItem = (value: unknown): Item | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Item) : undefined;

/** `PAY#<id>` in a document-form key or item. */
function paymentIdIn(record: Item | undefined): string | undefined {
  const pk = record?.pk;
  return typeof pk === 'string' && pk.startsWith('PAY#') ? pk.slice(4) : undefined;
}

export class FaultInjector {
  /** Injected faults by `<kind>@<site>`. */
  readonly injected = new Map<string, number>();
  readonly #rules = new Map<string, FaultRule[]>();
  readonly #calls = new Map<string, number>();
  readonly #byIdempotencyHash = new Map<string, string>();
  /** Settlement attempts per planned payment, by ClientRequestToken (the retries of an attempt share it). */
  readonly #attempts = new Map<string, Map<string, SettleAttempt>>();
  /** When each payment's idempotency record was first completed (UpdateItem accepted by DynamoDB). */
  readonly #completedAt = new Map<string, number>();
  /** Errors the emulator itself returned (not injected), by name or cancellation reason code. */
  readonly observed = new Map<string, number>();
  /** Every injected fault, per planned payment, in the order it struck (the timeout invariant's evidence). */
  readonly #struck = new Map<string, Array<{ readonly kind: FaultKind; readonly site: CallSite }>>();

  constructor(
    private readonly tables: FaultTables,
    private readonly options: { readonly slowMs: number },
  ) {}

  /** How late a `slow` request lands. */
  get slowMs(): number {
    return this.options.slowMs;
  }

  /** Plans faults for a payment (replacing any earlier plan for it). */
  plan(plannedId: string, rules: readonly FaultRule[]): void {
    this.#rules.set(plannedId, [...rules]);
    this.track(plannedId);
  }

  /** Makes a payment id traceable through its idempotency record. */
  track(paymentId: string): void {
    this.#byIdempotencyHash.set(idempotencyHash(paymentId), paymentId);
  }

  get total(): number {
    return [...this.injected.values()].reduce((sum, n) => sum + n, 0);
  }

  /** Faults injected for one kind (all sites). */
  count(kind: FaultKind, site?: CallSite): number {
    let n = 0;
    for (const [key, value] of this.injected)
      if (key.startsWith(`${kind}@`) && (site === undefined || key === `${kind}@${site}`)) n += value;
    return n;
  }

  /** Counts the call and returns the fault planned for it, if any. */
  #match(site: CallSite, paymentId: string): FaultRule | undefined {
    const planned = plannedIdOf(paymentId);
    const key = `${planned}|${site}`;
    const call = (this.#calls.get(key) ?? 0) + 1;
    this.#calls.set(key, call);
    const rule = this.#rules
      .get(planned)
      ?.find((r) => r.site === site && call >= r.from && call < r.from + r.times);
    if (rule !== undefined) {
      const label = `${rule.kind}@${site}`;
      this.injected.set(label, (this.injected.get(label) ?? 0) + 1);
      this.#struck.set(planned, [...(this.#struck.get(planned) ?? []), { kind: rule.kind, site }]);
    }
    return rule;
  }

  /** The faults that struck a payment's calls (each injected call once), in order. */
  struck(paymentId: string): ReadonlyArray<{ readonly kind: FaultKind; readonly site: CallSite }> {
    return this.#struck.get(plannedIdOf(paymentId)) ?? [];
  }

  /** A payment's settlement attempts (one per run of the settle use case), in the order they started. */
  settleAttempts(paymentId: string): SettleAttempt[] {
    return [...(this.#attempts.get(plannedIdOf(paymentId))?.values() ?? [])];
  }

  /** When the payment's idempotency record was first completed, if it was. */
  completedAt(paymentId: string): number | undefined {
    return this.#completedAt.get(plannedIdOf(paymentId));
  }

  #attempt(paymentId: string, token: unknown): SettleAttempt | undefined {
    if (typeof token !== 'string') return undefined;
    const planned = plannedIdOf(paymentId);
    const attempts = this.#attempts.get(planned) ?? new Map<string, SettleAttempt>();
    this.#attempts.set(planned, attempts);
    const attempt = attempts.get(token) ?? { startedAt: Date.now(), calls: 0, injected: 0, applied: 0 };
    attempts.set(token, attempt);
    return attempt;
  }

  #observe(error: unknown): void {
    if (!(error instanceof Error)) return;
    const reasons = (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons;
    const codes = Array.isArray(reasons)
      ? reasons.map((r) => r.Code ?? '').filter((code) => code !== 'None' && code !== '')
      : [];
    // Conditional failures are business outcomes (refusals, replays), not faults: count the rest.
    for (const name of codes.length > 0 ? codes : [error.name]) {
      if (name === 'ConditionalCheckFailed' || name === 'ConditionalCheckFailedException') continue;
      this.observed.set(name, (this.observed.get(name) ?? 0) + 1);
    }
  }

  /** Calls made so far at a site for a payment. */
  calls(paymentId: string, site: CallSite): number {
    return this.#calls.get(`${plannedIdOf(paymentId)}|${site}`) ?? 0;
  }

  /** Adds the fault middleware to a DynamoDB client (the document client shares its stack). */
  attachDynamoDb(client: DynamoDBClient, process: SandboxProcess): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        process.assertAlive();
        const input = asItem(args.input) ?? {};
        const call = this.#classifyDynamoDb(context.commandName ?? '', input);
        const rule = call === undefined ? undefined : this.#match(call.site, call.paymentId);
        if (call !== undefined && rule !== undefined)
          process.struck.push({ paymentId: call.paymentId, kind: rule.kind, site: call.site });
        const attempt =
          call?.site === 'settle.tx' ? this.#attempt(call.paymentId, input.ClientRequestToken) : undefined;
        if (attempt !== undefined) attempt.calls++;
        if (attempt !== undefined && rule !== undefined) attempt.injected++;
        /** Sends the request, recording what DynamoDB accepted whatever the caller then hears. */
        const send = async (): Promise<Awaited<ReturnType<typeof next>>> => {
          const output = await next(args).catch((error: unknown) => {
            this.#observe(error);
            throw error;
          });
          if (attempt !== undefined) attempt.applied++;
          if (call?.site === 'idem.complete' && !this.#completedAt.has(plannedIdOf(call.paymentId))) {
            this.#completedAt.set(plannedIdOf(call.paymentId), Date.now());
          }
          return output;
        };
        if (call === undefined || rule === undefined) {
          const output = await send();
          process.assertAlive(); // a process that died meanwhile never sees the answer
          return output;
        }
        const n = this.calls(call.paymentId, call.site);
        switch (rule.kind) {
          case 'throttle':
            throw call.items > 0 && n % 2 === 0
              ? transactionCanceled(call.items, 0, 'ThrottlingError')
              : throttlingException();
          case 'capacity':
            throw provisionedThroughputExceeded();
          case 'conflict':
            // On the settlement transaction, alternate between the creditor (hot account) and the debtor.
            throw transactionCanceled(
              Math.max(call.items, 1),
              call.site === 'settle.tx' ? (n % 2 === 0 ? 1 : 2) : 0,
              'TransactionConflict',
            );
          case 'crash-before':
            throw process.die(`crashed before ${context.commandName} (${call.site} of ${call.paymentId})`);
          case 'crash-after': {
            await send();
            throw process.die(
              `crashed after ${context.commandName} (${call.site} of ${call.paymentId}) succeeded`,
            );
          }
          case 'lost-response': {
            await send();
            throw socketTimeout();
          }
          case 'hang':
            return process.untilDeath();
          case 'slow': {
            process.zombie = true;
            await new Promise((resolve) => setTimeout(resolve, this.options.slowMs));
            return send();
          }
          case 'lost-delete':
            return send();
        }
      },
      { step: 'initialize', name: 'chaosFaultInjection', priority: 'high' },
    );
  }

  /** Adds the fault middleware to the submit side's SQS client (SendMessage only). */
  attachSqs(client: SQSClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = asItem(args.input);
        const paymentId =
          context.commandName === 'SendMessageCommand' ? input?.MessageDeduplicationId : undefined;
        if (typeof paymentId === 'string' && this.#match('enqueue', paymentId) !== undefined)
          throw sqsRequestThrottled();
        return next(args);
      },
      { step: 'initialize', name: 'chaosFaultInjection', priority: 'high' },
    );
  }

  /** The poller's `beforeDelete` hook: keeps back the records of payments with a `lost-delete` fault. */
  readonly beforeDelete = (records: readonly SQSRecord[]): readonly SQSRecord[] =>
    records.filter((record) => {
      const paymentId = paymentIdOfBody(record.body);
      return paymentId === undefined || this.#match('delete', paymentId)?.kind !== 'lost-delete';
    });

  #classifyDynamoDb(commandName: string, input: Item): ClassifiedCall | undefined {
    const { payments, ledger, idempotency } = this.tables;
    if (commandName === 'TransactWriteItemsCommand') {
      const items = Array.isArray(input.TransactItems) ? (input.TransactItems as unknown[]).map(asItem) : [];
      const ops = items.map(
        (item) =>
          asItem(item?.Put) ?? asItem(item?.Update) ?? asItem(item?.ConditionCheck) ?? asItem(item?.Delete),
      );
      const first = ops[0];
      const paymentId = paymentIdIn(asItem(first?.Key)) ?? paymentIdIn(asItem(first?.Item));
      if (paymentId === undefined) return undefined;
      const n = items.length;
      if (ops.some((op) => op?.TableName === ledger)) return { site: 'settle.tx', paymentId, items: n };
      if (asItem(first?.Item)?.type === 'PAYMENT') return { site: 'create.tx', paymentId, items: n };
      const to = asItem(first?.ExpressionAttributeValues)?.[':to'];
      if (to === 'ACCEPTED') return { site: 'accept.tx', paymentId, items: n };
      if (to === 'REJECTED') return { site: 'reject.tx', paymentId, items: n };
      if (String(first?.UpdateExpression ?? '').includes('investigation'))
        return { site: 'flag.tx', paymentId, items: n };
      return undefined;
    }
    const table = input.TableName;
    if (table === payments && commandName === 'GetItemCommand') {
      const paymentId = paymentIdIn(asItem(input.Key));
      return paymentId === undefined ? undefined : { site: 'payment.get', paymentId, items: 0 };
    }
    if (table === idempotency) {
      const key = asItem(asItem(input.Key)?.id) ?? asItem(asItem(input.Item)?.id);
      const id = typeof key?.S === 'string' ? key.S : '';
      const paymentId = this.#byIdempotencyHash.get(id.slice(id.lastIndexOf('#') + 1));
      if (paymentId === undefined) return undefined;
      const site: CallSite | undefined =
        commandName === 'PutItemCommand'
          ? 'idem.put'
          : commandName === 'UpdateItemCommand'
            ? 'idem.complete'
            : commandName === 'DeleteItemCommand'
              ? 'idem.delete'
              : undefined;
      return site === undefined ? undefined : { site, paymentId, items: 0 };
    }
    return undefined;
  }
}

/** What the harness's timing is made of: the settle function's time-out and the retry backoffs. */
export interface DelayModel {
  /** Function time-out = the queue's visibility timeout in the chaos worlds (harness.ts), ms. */
  readonly functionTimeoutMs: number;
  /** The zombie's delay of fault `slow` (FaultInjector's `slowMs`). */
  readonly slowMs: number;
  /** The longest visibility the settle consumer gives a failed record (retry-visibility.ts maxSeconds), ms. */
  readonly maxRetryVisibilityMs: number;
  /** The longest backoff between two retries inside an invocation (settleRetryPolicy.maxDelayMs). */
  readonly maxRetryDelayMs: number;
}

/**
 * The most one injected call can hold back the payment it strikes, and every later payment of its message
 * group (FIFO: they wait behind it). An upper bound, so the timeout invariant never blames the system for
 * time a fault took:
 *  - hang: the invocation runs into the time-out, and the batch returns only after the visibility
 *    timeout (a timed-out invocation sets no shorter visibility): 2 x the function time-out;
 *  - slow: the invocation times out the same way, and the zombie's write lands after `slowMs`: the longer;
 *  - crash-before / crash-after: the invocation fails (at worst at its time-out) and its batch returns after
 *    the visibility timeout: 2 x the function time-out;
 *  - lost-delete: the settled message stays in flight until its visibility timeout (its followers wait);
 *  - throttle / capacity / conflict: each failed call costs at most one failed receive: the rest of the
 *    invocation and the longest retry visibility (or the visibility timeout if that was not set);
 *  - lost-response: one retry inside the invocation (same token, deduplicated);
 *  - submit-side faults (create, enqueue, accept): the partner retries at once, before or while the
 *    payment is created; a settle-side upper bound of one retry covers them.
 */
export function worstCaseDelayMs(kind: FaultKind, model: DelayModel): number {
  const timeout = model.functionTimeoutMs;
  switch (kind) {
    case 'hang':
    case 'crash-before':
    case 'crash-after':
      return 2 * timeout;
    case 'slow':
      return Math.max(model.slowMs, 2 * timeout);
    case 'lost-delete':
      return timeout;
    case 'throttle':
    case 'capacity':
    case 'conflict':
      return timeout + Math.max(timeout, model.maxRetryVisibilityMs);
    case 'lost-response':
      return model.maxRetryDelayMs;
  }
}

/** The payment id of a settlement message body, if it has one. */
export function paymentIdOfBody(body: string): string | undefined {
  try {
    const parsed = asItem(JSON.parse(body));
    return typeof parsed?.paymentId === 'string' ? parsed.paymentId : undefined;
  } catch {
    return undefined;
  }
}
