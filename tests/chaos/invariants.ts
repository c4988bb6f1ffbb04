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
  readonly rejectedAt?: string;
  /** The settlement deadline recorded with the payment (createdAt + the SLA). */
  readonly deadline?: string;
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

/** Rejections for a time-out: the sweeper's (AB05) and settle's past the deadline (AB06). */
export const TIMEOUT_CODES: readonly string[] = ['AB05', 'AB06'];

/** One injected fault that struck a payment's calls, with the most time it can have cost (faults.ts). */
export interface FaultTouch {
  readonly paymentId: string;
  readonly kind: string;
  readonly site: string;
  readonly delayMs: number;
}

/** What a run did to the payments' time: the evidence the timeout invariant weighs. */
export interface TimeoutEvidence {
  /** The clock jumps the run injected: the clock just before each, and how far it moved, ms. */
  readonly clockJumps: ReadonlyArray<{ readonly fromMs: number; readonly byMs: number }>;
  /** The faults that struck each payment, by payment id. */
  readonly faults: ReadonlyMap<string, readonly FaultTouch[]>;
  /** Message groups with poison ahead of their payments: the most time it holds the group, ms. */
  readonly poisonGroups: ReadonlyMap<string, number>;
  /** The message group of a payment (FIFO order holds within it: its later payments wait). */
  readonly groupOf: (payment: PaymentState) => string;
  /** The least time a payment needs to settle at all (an invocation and the commit margin), ms. */
  readonly settleFloorMs: number;
  /** The queue's maxReceiveCount: a message that failed that many receives is in the DLQ. */
  readonly maxReceiveCount: number;
}

/** A payment timed out without a fault that made its deadline impossible. */
export interface TimeoutViolation {
  readonly paymentId: string;
  readonly code: string;
  /** Its message is in the DLQ. */
  readonly inDlq: boolean;
  /** The faults on it and on the earlier payments of its group. */
  readonly faults: readonly FaultTouch[];
  /** Poison ahead of it in its group, ms it can hold the group (0: none). */
  readonly poisonAheadMs: number;
  readonly message: string;
}

const clockTime = (ms: number): string => new Date(ms).toISOString().slice(11, 23);

/**
 * 8. A payment ends AB05/AB06 only where the run made its deadline impossible: a clock jump over its
 *    deadline, or faults (its own, those of the earlier payments of its message group, which FIFO makes it
 *    wait behind, poison ahead of it in its group, clock jumps inside its window) whose worst-case delays
 *    (faults.ts worstCaseDelayMs) leave less than `settleFloorMs` of its budget (deadline - createdAt);
 *    a payment created with less than that budget is excused by the same sum. Every other time-out is the
 *    system's: returned one per payment with its faults and times.
 */
export function timeoutViolations(
  s: Snapshot,
  evidence: TimeoutEvidence,
  /** Filled with how many time-outs each excuse covered (clock-jump, faults, dlq), for the figures. */
  excused: Map<string, number> = new Map(),
): TimeoutViolation[] {
  const excuse = (why: string): void => {
    excused.set(why, (excused.get(why) ?? 0) + 1);
  };
  const dlqPayments = new Set(s.dlq.flatMap((message) => (message.paymentId ? [message.paymentId] : [])));
  const violations: TimeoutViolation[] = [];
  const payments = [...s.payments.values()];
  for (const payment of payments) {
    if (payment.status !== 'REJECTED' || !TIMEOUT_CODES.includes(payment.rejectionCode ?? '')) continue;
    const createdMs = Date.parse(payment.createdAt);
    const deadlineMs = Date.parse(payment.deadline ?? '');
    if (Number.isNaN(deadlineMs)) {
      violations.push(timeoutCase(payment, dlqPayments, [], 0, 'no deadline recorded'));
      continue;
    }
    const jumpedOver = evidence.clockJumps.some(
      (jump) => jump.fromMs < deadlineMs && deadlineMs <= jump.fromMs + jump.byMs,
    );
    if (jumpedOver) {
      excuse('clock-jump');
      continue;
    }
    const jumpedMs = evidence.clockJumps
      .map((jump) =>
        Math.max(0, Math.min(jump.fromMs + jump.byMs, deadlineMs) - Math.max(jump.fromMs, createdMs)),
      )
      .reduce((total, ms) => total + ms, 0);
    const group = evidence.groupOf(payment);
    const ahead = payments.filter(
      (other) => evidence.groupOf(other) === group && other.createdAt <= payment.createdAt,
    );
    const faults = ahead.flatMap((other) => evidence.faults.get(other.paymentId) ?? []);
    const poisonAheadMs = evidence.poisonGroups.get(group) ?? 0;
    const stolenMs = jumpedMs + poisonAheadMs + faults.reduce((total, fault) => total + fault.delayMs, 0);
    const budgetMs = deadlineMs - createdMs;
    if (budgetMs - stolenMs < evidence.settleFloorMs) {
      excuse('faults');
      continue;
    }
    // In the DLQ: the queue gave up after maxReceiveCount failed receives; each fault that touched it
    // fails at most one, poison ahead in its group fails all of them (its followers are received with it).
    const failedReceives = faults.length + (poisonAheadMs > 0 ? evidence.maxReceiveCount : 0);
    const inDlq = dlqPayments.has(payment.paymentId);
    if (inDlq && failedReceives >= evidence.maxReceiveCount) {
      excuse('dlq');
      continue;
    }
    const why: string =
      `no clock jump over its deadline; faults on it and ahead of it in group ${group}: ` +
      `${faults.map((f) => `${f.kind}@${f.site} on ${f.paymentId} (<= ${f.delayMs} ms)`).join(', ') || 'none'}` +
      `${poisonAheadMs > 0 ? `, poison ahead in the group (<= ${poisonAheadMs} ms)` : ''}` +
      `${jumpedMs > 0 ? `, clock jumps inside its window (${jumpedMs} ms)` : ''}: <= ${stolenMs} ms in all, ` +
      `leaving ${budgetMs - stolenMs} ms of its ${budgetMs} ms budget, >= the ${evidence.settleFloorMs} ms a settlement needs` +
      `${inDlq ? `; in the DLQ with faults for at most ${failedReceives} of the ${evidence.maxReceiveCount} failed receives` : ''}`;
    violations.push(timeoutCase(payment, dlqPayments, faults, poisonAheadMs, why));
  }
  return violations;
}

function timeoutCase(
  payment: PaymentState,
  dlqPayments: ReadonlySet<string>,
  faults: readonly FaultTouch[],
  poisonAheadMs: number,
  why: string,
): TimeoutViolation {
  const inDlq = dlqPayments.has(payment.paymentId);
  const rejected =
    payment.rejectedAt === undefined ? '' : `, rejected ${clockTime(Date.parse(payment.rejectedAt))}`;
  const deadline = payment.deadline === undefined ? '?' : clockTime(Date.parse(payment.deadline));
  return {
    paymentId: payment.paymentId,
    code: payment.rejectionCode ?? '?',
    inDlq,
    faults,
    poisonAheadMs,
    message:
      `payment ${payment.paymentId} (debtor ${payment.debtorAccount}) timed out ${payment.rejectionCode ?? '?'} ` +
      `without a fault that made its deadline impossible: created ${clockTime(Date.parse(payment.createdAt))}, ` +
      `deadline ${deadline}${rejected}${inDlq ? ', its message in the DLQ' : ''}; ${why}`,
  };
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
