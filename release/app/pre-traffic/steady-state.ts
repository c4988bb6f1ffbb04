import type { ProbedFunction, ProbeSigner } from '../../domain/ports';
import { PROBE_CURRENCY, PROBE_PARTNER, isProbeAccount } from '../../domain/probe-identity';
import {
  describe,
  must,
  newRunId,
  probeAccountsFor,
  type ProbeTarget,
  type SteadyStateReport,
} from '../../domain/steady-state';
import * as lookup from './lookup-probes';
import { ProbeRun, probe, type Probe, type SteadyStateDeps } from './run';
import * as settle from './settle-probe';
import * as submit from './submit-probe';

export type { SteadyStateDeps } from './run';

/**
 * The pre-traffic steady-state check: before CodeDeploy moves any traffic to a new version, invoke
 * that version directly with synthetic, clearly marked test traffic (release/domain/probe-identity.ts)
 * and check the outcomes, the records it wrote, and that only probe accounts moved.
 *
 * Every check, in the order it runs, is decided here: the fixtures (probe partner, accounts, a
 * signing key), then each target function's probe (PROBES: its published version, never the
 * alias; a probe stops at its first failed check, the other functions are still probed), then
 * that the run touched only probe accounts. In short:
 *   submitPayment         refuses an unsigned request (401); accepts a signed test payment (202)
 *                         and records it between probe accounts; answers a resend with the same
 *                         payment; and the LIVE settle consumer settles what it queued (a new
 *                         submit's message read by the current settle: the mixed-version case).
 *   getPayment            refuses an unsigned request; answers a probe payment to its partner;
 *                         404 for an unknown id.
 *   paymentStatusRequest  refuses an unsigned request; answers a pacs.028 for a probe payment.
 *   settlePayment         settles a recorded (not queued: it must be the only settler) probe
 *                         payment from an SQS batch: SETTLED, both journal lines, exactly one
 *                         minor unit moved between the two probe accounts; a redelivery moves
 *                         nothing.
 *   sweepDeadlines        runs a sweep to completion.
 * Every probe payment ends terminal (a failed probe closes its payments as REJECTED NARR), so the
 * deadline sweeper never finds one late and no SLA-breach metric counts probe traffic.
 */
export const PROBES: { readonly [F in ProbedFunction]: Probe } = {
  submitPayment: probe(submit.startSubmit, [
    { check: 'refuses an unsigned request (401)', run: submit.submitRefusesUnsigned },
    { check: 'accepts a signed test payment (202 ACCEPTED)', run: submit.acceptsSigned },
    { check: 'records it between the probe accounts only', run: submit.recordsBetweenProbeAccounts },
    { check: 'answers a resend with the same payment', run: submit.answersResend },
    { check: 'the live settle consumer settles the message it queued', run: submit.liveSettleSettles },
  ]),
  getPayment: probe(lookup.startLookup, [
    { check: 'refuses an unsigned request (401)', run: lookup.getRefusesUnsigned },
    { check: 'a probe payment to look up', run: lookup.closedLookupPayment('G') },
    { check: 'answers a probe payment to its partner (200)', run: lookup.answersProbePayment },
    { check: 'answers 404 for an unknown payment', run: lookup.answers404 },
  ]),
  paymentStatusRequest: probe(lookup.startLookup, [
    { check: 'a probe payment to look up', run: lookup.closedLookupPayment('Q') },
    { prepare: lookup.prepareStatusRequest },
    { check: 'refuses an unsigned request (401)', run: lookup.statusRefusesUnsigned },
    { check: 'answers a pacs.028 for a probe payment (200)', run: lookup.answersStatusRequest },
  ]),
  settlePayment: probe(settle.startSettle, [
    { check: 'reads the probe accounts', run: settle.readsAccounts },
    { check: 'records a probe payment (not queued)', run: settle.recordsProbePayment },
    { check: 'settles an SQS batch with the probe payment', run: settle.settlesBatch },
    { check: 'the payment is SETTLED with both journal lines', run: settle.isSettled },
    { check: 'moved exactly the amount between the two probe accounts', run: settle.movedExactly },
    { check: 'a redelivery of the batch moves nothing', run: settle.redeliveryMovesNothing },
  ]),
  sweepDeadlines: probe(
    () => ({}),
    [{ check: 'runs a sweep to completion', run: settle.sweepRunsToCompletion }],
  ),
};

export async function checkSteadyState(
  deps: SteadyStateDeps,
  targets: readonly ProbeTarget[],
  options: { runId?: string } = {},
): Promise<SteadyStateReport> {
  const run = new ProbeRun(deps, options.runId ?? newRunId());
  const key = await prepareFixtures(run, targets).catch(() => undefined);
  if (key === undefined) return run.report(false);
  try {
    for (const target of targets) await probeFunction(run, target, key.signer);
    await run
      .step('fixtures', 'the probe touched only probe accounts', () => touchedOnlyProbeAccounts(run))
      .catch(() => undefined);
  } finally {
    await key
      .retire()
      .catch((error: unknown) =>
        run.log('could not retire the probe key', { runId: run.runId, error: describe(error) }),
      );
  }
  return run.report();
}

/** The probe partner and accounts, checked before anything is invoked, then the run's key. */
async function prepareFixtures(
  run: ProbeRun,
  targets: readonly ProbeTarget[],
): Promise<{ signer: ProbeSigner; retire(): Promise<void> }> {
  const accounts = probeAccountsFor(targets.map(({ fn }) => fn));
  await run.step('fixtures', 'probe partner and accounts are in place', async () => {
    await run.deps.fixtures.ensure(accounts);
    for (const accountId of accounts) await isProbeOwnedOpenAccount(run, accountId);
  });
  return run.step('fixtures', 'a signing key for this run', () => run.deps.fixtures.issueKey(run.runId));
}

async function isProbeOwnedOpenAccount(run: ProbeRun, accountId: string): Promise<void> {
  must(isProbeAccount(accountId), `${accountId} is not a probe account`);
  const account = await run.deps.ledger.getAccount(accountId);
  must(account !== undefined, `probe account ${accountId} does not exist`);
  must(
    account.ownerPartnerId === PROBE_PARTNER.partnerId,
    `${accountId} belongs to ${account.ownerPartnerId}, not the probe partner: refusing to move it`,
  );
  must(
    account.status === 'OPEN' && account.currency === PROBE_CURRENCY,
    `probe account ${accountId} is ${account.status} ${account.currency}`,
  );
}

/** One function's probe; a failure that is no recorded check's (a bug, a throw) is recorded as `probe`. */
async function probeFunction(run: ProbeRun, target: ProbeTarget, signer: ProbeSigner): Promise<void> {
  try {
    await PROBES[target.fn].run({ run, target, signer });
  } catch (error) {
    if (!run.failedACheck(error))
      run.record({ fn: target.fn, step: 'probe', ok: false, detail: describe(error) });
  }
}

async function touchedOnlyProbeAccounts(run: ProbeRun): Promise<void> {
  for (const paymentId of run.paymentIds) {
    const payment = await run.deps.ledger.getPayment(paymentId);
    if (payment === undefined) continue;
    must(
      isProbeAccount(payment.debtorAccount) &&
        isProbeAccount(payment.creditorAccount) &&
        payment.partnerId === PROBE_PARTNER.partnerId,
      `probe payment ${paymentId} involves a non-probe account or partner`,
    );
  }
}
