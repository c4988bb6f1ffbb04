/**
 * The bank invariants, checked against what the tables and the DLQ hold after a chaos run (Jepsen's
 * "bank" test: whatever failed, no money appears, disappears or moves twice).
 */

export interface AccountState {
  readonly ownerPartnerId: string;
  readonly balanceMinor: number;
  readonly availableMinor: number;
  readonly overdraftLimitMinor: number;
}

export interface EntryState {
  readonly accountId: string;
  readonly paymentId: string;
  readonly amountMinor: number;
  readonly counterpartyAccountId: string;
  readonly postedAt: string;
}

export interface PaymentState {
  readonly paymentId: string;
  /** The partner that instructed the payment. */
  readonly partnerId: string;
  readonly status: string;
  readonly endToEndId: string;
  readonly debtorAccount: string;
  readonly creditorAccount: string;
  readonly amountMinor: number;
  readonly createdAt: string;
  readonly settledAt?: string;
  readonly rejectionCode?: string;
  /** Marked for investigation (its message went to the DLQ). */
  readonly flagged: boolean;
}

export interface Snapshot {
  readonly accounts: Map<string, AccountState>;
  readonly entries: EntryState[];
  readonly payments: Map<string, PaymentState>;
  /** Statuses of the terminal event items (EVENT#3#...) of each payment. */
  readonly terminalEvents: Map<string, string[]>;
  /** Messages found in the dead-letter queue. */
  readonly dlq: Array<{ readonly body: string; readonly paymentId?: string }>;
}

export interface Expectations {
  /** Opening balance and overdraft limit of every account. */
  readonly opening: ReadonlyMap<
    string,
    { readonly balanceMinor: number; readonly overdraftLimitMinor?: number }
  >;
  /** Payments whose settlement message reached the queue (the submit side's successful sends). */
  readonly accepted: ReadonlySet<string>;
  /** Message bodies that can never settle (must be in the DLQ). */
  readonly poison: readonly string[];
}

const sum = (values: Iterable<number>): number => {
  let total = 0;
  for (const value of values) total += value;
  return total;
};

/** Every violated invariant, as one readable line each (empty = all hold). */
export function checkInvariants(s: Snapshot, e: Expectations): string[] {
  const violations: string[] = [];
  const fail = (message: string): void => {
    violations.push(message);
  };
  const dlqPayments = new Set(
    s.dlq.flatMap((message) => (message.paymentId !== undefined ? [message.paymentId] : [])),
  );

  // 1. Money is conserved: the sum of all balances is the sum of the opening balances.
  const opened = sum([...e.opening.values()].map((account) => account.balanceMinor));
  const now = sum([...s.accounts.values()].map((account) => account.balanceMinor));
  if (now !== opened)
    fail(
      `money not conserved: balances sum to ${now}, opened with ${opened} (${now - opened > 0 ? '+' : ''}${now - opened})`,
    );

  for (const [accountId, opening] of e.opening) {
    const account = s.accounts.get(accountId);
    if (account === undefined) {
      fail(`account ${accountId} disappeared`);
      continue;
    }
    // 2. No balance below minus its overdraft limit; `available` stays balance + overdraft.
    const limit = opening.overdraftLimitMinor ?? 0;
    if (account.balanceMinor < -limit)
      fail(`account ${accountId} at ${account.balanceMinor}, below its overdraft limit -${limit}`);
    if (account.availableMinor !== account.balanceMinor + limit) {
      fail(
        `account ${accountId}: available ${account.availableMinor} != balance ${account.balanceMinor} + overdraft ${limit}`,
      );
    }
    // 5. Each balance is its opening balance plus its journal.
    const journal = sum(
      s.entries.filter((entry) => entry.accountId === accountId).map((entry) => entry.amountMinor),
    );
    if (account.balanceMinor !== opening.balanceMinor + journal) {
      fail(
        `account ${accountId}: balance ${account.balanceMinor} != opening ${opening.balanceMinor} + journal ${journal}`,
      );
    }
  }
  const journalTotal = sum(s.entries.map((entry) => entry.amountMinor));
  if (journalTotal !== 0) fail(`the journal sums to ${journalTotal}, not 0`);

  // 3. Settled at most once: two lines (debit, credit) per SETTLED payment, none for any other.
  const entriesByPayment = new Map<string, EntryState[]>();
  for (const entry of s.entries)
    entriesByPayment.set(entry.paymentId, [...(entriesByPayment.get(entry.paymentId) ?? []), entry]);
  for (const [paymentId, entries] of entriesByPayment) {
    const payment = s.payments.get(paymentId);
    if (payment === undefined) fail(`journal lines for unknown payment ${paymentId}`);
    else if (payment.status !== 'SETTLED')
      fail(`payment ${paymentId} is ${payment.status} but has ${entries.length} journal line(s)`);
  }
  const byEndToEnd = new Map<string, string[]>();
  for (const payment of s.payments.values()) {
    byEndToEnd.set(payment.endToEndId, [...(byEndToEnd.get(payment.endToEndId) ?? []), payment.paymentId]);
    const events = s.terminalEvents.get(payment.paymentId) ?? [];
    if (events.length > 1)
      fail(`payment ${payment.paymentId} has ${events.length} terminal events (${events.join(', ')})`);
    if (payment.status === 'SETTLED' || payment.status === 'REJECTED') {
      if (events.length !== 1 || events[0] !== payment.status)
        fail(`payment ${payment.paymentId} is ${payment.status} with terminal events [${events.join(', ')}]`);
    } else if (events.length > 0) {
      fail(`payment ${payment.paymentId} is ${payment.status} with terminal events [${events.join(', ')}]`);
    }
    if (payment.status === 'REJECTED' && payment.rejectionCode === undefined)
      fail(`payment ${payment.paymentId} REJECTED without a reason`);
    if (payment.status !== 'SETTLED') continue;
    const entries = entriesByPayment.get(payment.paymentId) ?? [];
    const debit = entries.filter((entry) => entry.amountMinor < 0);
    const credit = entries.filter((entry) => entry.amountMinor > 0);
    const shapeOk =
      entries.length === 2 &&
      debit.length === 1 &&
      credit.length === 1 &&
      debit[0]?.accountId === payment.debtorAccount &&
      debit[0].amountMinor === -payment.amountMinor &&
      debit[0].counterpartyAccountId === payment.creditorAccount &&
      credit[0]?.accountId === payment.creditorAccount &&
      credit[0].amountMinor === payment.amountMinor &&
      credit[0].counterpartyAccountId === payment.debtorAccount;
    if (!shapeOk) {
      fail(
        `SETTLED payment ${payment.paymentId} (${payment.amountMinor}) has journal lines ${JSON.stringify(entries.map((x) => [x.accountId, x.amountMinor]))}`,
      );
    }
    if (entries.some((entry) => entry.postedAt !== payment.settledAt))
      fail(`payment ${payment.paymentId}: journal postedAt differs from settledAt`);
  }
  for (const [endToEndId, ids] of byEndToEnd) {
    if (ids.length > 1)
      fail(`EndToEndId ${endToEndId} recorded as ${ids.length} payments (${ids.join(', ')})`);
  }

  // 7. Money moves only on its owner's instruction: every debit line belongs to a payment that the
  //    debtor account's owner instructed.
  for (const entry of s.entries) {
    if (entry.amountMinor >= 0) continue;
    const payment = s.payments.get(entry.paymentId);
    const owner = s.accounts.get(entry.accountId)?.ownerPartnerId;
    if (payment !== undefined && payment.partnerId !== owner) {
      fail(
        `account ${entry.accountId} (owner ${owner ?? 'unknown'}) debited by payment ${entry.paymentId}, ` +
          `instructed by ${payment.partnerId}`,
      );
    }
  }

  // 4. Every accepted payment is terminal, or its message is in the DLQ (a flagged payment).
  for (const paymentId of e.accepted) {
    const payment = s.payments.get(paymentId);
    if (payment === undefined) fail(`accepted payment ${paymentId} is not recorded`);
    else if (payment.status !== 'SETTLED' && payment.status !== 'REJECTED' && !dlqPayments.has(paymentId)) {
      fail(
        `accepted payment ${paymentId} is ${payment.status}: not terminal and its message is not in the DLQ`,
      );
    }
  }
  // Poison ends in the DLQ.
  const dlqBodies = s.dlq.map((message) => message.body);
  for (const body of e.poison) {
    if (!dlqBodies.includes(body)) fail(`poison message not in the DLQ: ${body.slice(0, 80)}`);
  }

  // 6. One debtor's settled payments were applied in submission order (createdAt), leaving out payments
  //    whose message went to the DLQ: the queue lets the group move on without them, by design.
  const byDebtor = new Map<string, PaymentState[]>();
  for (const payment of s.payments.values()) {
    if (payment.status !== 'SETTLED' || dlqPayments.has(payment.paymentId)) continue;
    byDebtor.set(payment.debtorAccount, [...(byDebtor.get(payment.debtorAccount) ?? []), payment]);
  }
  for (const [debtor, payments] of byDebtor) {
    payments.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    for (let i = 1; i < payments.length; i++) {
      const before = payments[i - 1];
      const after = payments[i];
      if (before === undefined || after === undefined) continue;
      if ((after.settledAt ?? '') < (before.settledAt ?? '')) {
        fail(
          `debtor ${debtor}: ${after.paymentId} (created ${after.createdAt}) settled at ${after.settledAt}, before ` +
            `${before.paymentId} (created ${before.createdAt}) settled at ${before.settledAt}`,
        );
      }
    }
  }
  return violations;
}

/** Counts for the one-line summary of a run. */
export function tally(s: Snapshot): {
  settled: number;
  rejected: Record<string, number>;
  open: number;
  flagged: number;
  dlq: number;
} {
  const rejected: Record<string, number> = {};
  let settled = 0;
  let open = 0;
  let flagged = 0;
  for (const payment of s.payments.values()) {
    if (payment.flagged) flagged++;
    if (payment.status === 'SETTLED') settled++;
    else if (payment.status === 'REJECTED')
      rejected[payment.rejectionCode ?? '?'] = (rejected[payment.rejectionCode ?? '?'] ?? 0) + 1;
    else open++;
  }
  return { settled, rejected, open, flagged, dlq: s.dlq.length };
}
