import type { Payment } from '../../../shared/domain/payment';
import type { QueuedProbeMessage } from '../../domain/ports';
import { PROBE_ACCOUNTS, PROBE_AMOUNT_MINOR, probeEndToEndId } from '../../domain/probe-identity';
import { BatchResponse, SweepResult, must } from '../../domain/steady-state';
import { scheduledEvent, settleBatchEvent } from '../../domain/synthetic-events';
import { earlier, invokeTarget, journalOf, type ProbeContext, type ProbeState } from './run';

/**
 * The settlePayment and sweepDeadlines probes' checks (their order: steady-state.ts). The settle
 * probe's payment is recorded, not queued: it must be the only settler of it.
 */

const PAIR = PROBE_ACCOUNTS.settle;

interface Balances {
  readonly debtor: number;
  readonly creditor: number;
}

export interface SettleState extends ProbeState {
  before?: Balances;
  recorded?: { readonly payment: Payment } & QueuedProbeMessage;
}

export const startSettle = (): SettleState => ({});

async function balances(ctx: ProbeContext): Promise<Balances> {
  const [debtor, creditor] = await Promise.all([
    ctx.run.deps.ledger.getAccount(PAIR.debtor),
    ctx.run.deps.ledger.getAccount(PAIR.creditor),
  ]);
  must(debtor !== undefined && creditor !== undefined, 'probe settle accounts vanished');
  return { debtor: debtor.balanceMinor, creditor: creditor.balanceMinor };
}

/** The version under test settles a one-record SQS batch of the probe payment, failing no item. */
export async function settlesBatch(ctx: ProbeContext, state: SettleState): Promise<void> {
  const payload = await invokeTarget(ctx, settleBatchEvent(earlier(state.recorded), ctx.run.runId));
  const response = BatchResponse.safeParse(payload);
  must(response.success, `did not answer a batch response: ${JSON.stringify(payload).slice(0, 300)}`);
  must(response.data.batchItemFailures.length === 0, `reported the probe record as a batch item failure`);
}

export async function readsAccounts(ctx: ProbeContext, state: SettleState): Promise<void> {
  state.before = await balances(ctx);
}

export async function recordsProbePayment(ctx: ProbeContext, state: SettleState): Promise<void> {
  const recorded = await ctx.run.deps.recorder.recordAccepted({
    endToEndId: probeEndToEndId(ctx.run.runId, 'T'),
    debtorAccount: PAIR.debtor,
    creditorAccount: PAIR.creditor,
    amountMinor: PROBE_AMOUNT_MINOR,
  });
  ctx.run.paymentIds.push(recorded.payment.paymentId);
  state.recorded = recorded;
  state.open = recorded.payment.paymentId;
}

export async function isSettled(ctx: ProbeContext, state: SettleState): Promise<void> {
  const { paymentId } = earlier(state.recorded).payment;
  const settled = await ctx.run.deps.ledger.getPayment(paymentId);
  must(
    settled?.status === 'SETTLED',
    `payment is ${settled?.status ?? 'missing'}${settled?.rejection ? ` ${settled.rejection.code}` : ''}`,
  );
  await journalOf(ctx, paymentId, PAIR, PROBE_AMOUNT_MINOR);
}

export async function movedExactly(ctx: ProbeContext, state: SettleState): Promise<void> {
  const before = earlier(state.before);
  const after = await balances(ctx);
  must(
    after.debtor === before.debtor - PROBE_AMOUNT_MINOR &&
      after.creditor === before.creditor + PROBE_AMOUNT_MINOR,
    `balances went ${JSON.stringify(before)} -> ${JSON.stringify(after)}`,
  );
}

export async function redeliveryMovesNothing(ctx: ProbeContext, state: SettleState): Promise<void> {
  const settledBalances = await balances(ctx);
  await settlesBatch(ctx, state);
  const after = await balances(ctx);
  must(
    after.debtor === settledBalances.debtor && after.creditor === settledBalances.creditor,
    'a redelivery moved money again',
  );
}

export async function sweepRunsToCompletion(ctx: ProbeContext): Promise<void> {
  const payload = await invokeTarget(ctx, scheduledEvent(ctx.run.runId));
  const summary = SweepResult.safeParse(payload);
  must(
    summary.success && summary.data.sweeps >= 1,
    `unexpected result ${JSON.stringify(payload).slice(0, 300)}`,
  );
}
