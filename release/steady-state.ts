import { randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import { uuidv7 } from '../shared/domain/ids';
import type { PreparedRequest } from '../shared/partner-client';
import {
  PROBE_ACCOUNTS,
  PROBE_AMOUNT_MINOR,
  PROBE_CURRENCY,
  PROBE_PARTNER,
  isProbeAccount,
  probeEndToEndId,
  type ProbePurpose,
} from './probe-identity';
import type {
  FunctionInvoker,
  LedgerReader,
  ProbeFixtures,
  ProbeRecorder,
  ProbeSigner,
  ProbedFunction,
} from './ports';
import {
  PROBE_BASE_URL,
  apiEvent,
  scheduledEvent,
  settleBatchEvent,
  type ApiRoute,
} from './synthetic-events';

/**
 * The pre-traffic steady-state check: before CodeDeploy moves any traffic to a new version, invoke
 * that version directly with synthetic, clearly marked test traffic (release/probe-identity.ts)
 * and check the outcomes, the records it wrote, and that only probe accounts moved.
 *
 * Per function (its published version, never the alias):
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
export interface SteadyStateDeps {
  readonly invoker: FunctionInvoker;
  readonly fixtures: ProbeFixtures;
  readonly ledger: LedgerReader;
  readonly recorder: ProbeRecorder;
  /** How long the live settle consumer gets to settle the submit probe's payment (default 25 s: SLA + margin). */
  readonly liveSettleTimeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly log?: (message: string, detail: Record<string, unknown>) => void;
}

export interface ProbeTarget {
  readonly fn: ProbedFunction;
  /** Published version to invoke (`$LATEST` only locally). */
  readonly version: string;
}

export interface CheckResult {
  readonly fn: ProbedFunction | 'fixtures';
  readonly step: string;
  readonly ok: boolean;
  readonly detail?: string;
}

export interface SteadyStateReport {
  readonly runId: string;
  readonly ok: boolean;
  readonly checks: readonly CheckResult[];
  /** Every probe payment this run created (all between probe accounts). */
  readonly paymentIds: readonly string[];
}

export class ProbeFailure extends Error {
  override readonly name = 'ProbeFailure';
}

function must(condition: boolean, detail: string): asserts condition {
  if (!condition) throw new ProbeFailure(detail);
}

const HttpResult = z.object({
  statusCode: z.number(),
  body: z.optional(z.string()),
  isBase64Encoded: z.optional(z.boolean()),
});
const PaymentJson = z.object({ paymentId: z.string(), status: z.string() });
const BatchResponse = z.object({ batchItemFailures: z.array(z.object({ itemIdentifier: z.string() })) });
const SweepResult = z.object({ sweeps: z.number(), rejected: z.number() });

const PURPOSE_OF: Record<ProbedFunction, ProbePurpose | undefined> = {
  submitPayment: 'submit',
  getPayment: 'lookup',
  paymentStatusRequest: 'lookup',
  settlePayment: 'settle',
  sweepDeadlines: undefined,
};

/** A short id for one hook run, usable in key ids and EndToEndIds. */
export function newRunId(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

export async function checkSteadyState(
  deps: SteadyStateDeps,
  targets: readonly ProbeTarget[],
  options: { runId?: string } = {},
): Promise<SteadyStateReport> {
  const runId = options.runId ?? newRunId();
  const checks: CheckResult[] = [];
  const paymentIds: string[] = [];
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const log = deps.log ?? (() => undefined);

  const recorded = new WeakSet<object>();
  const record = (result: CheckResult) => {
    checks.push(result);
    log(result.ok ? 'release probe step passed' : 'release probe step FAILED', { runId, ...result });
  };
  async function step<T>(fn: CheckResult['fn'], name: string, body: () => Promise<T>): Promise<T> {
    try {
      const value = await body();
      record({ fn, step: name, ok: true });
      return value;
    } catch (error) {
      record({ fn, step: name, ok: false, detail: describe(error) });
      if (typeof error === 'object' && error !== null) recorded.add(error);
      throw error;
    }
  }

  // Fixtures: the probe partner and the probe accounts, checked before anything is invoked.
  const accounts = [...new Set(targets.flatMap(({ fn }) => accountsFor(PURPOSE_OF[fn])))];
  let signer: ProbeSigner;
  let retire: () => Promise<void>;
  try {
    await step('fixtures', 'probe partner and accounts are in place', async () => {
      await deps.fixtures.ensure(accounts);
      for (const accountId of accounts) {
        must(isProbeAccount(accountId), `${accountId} is not a probe account`);
        const account = await deps.ledger.getAccount(accountId);
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
    });
    ({ signer, retire } = await step('fixtures', 'a signing key for this run', () =>
      deps.fixtures.issueKey(runId),
    ));
  } catch {
    return { runId, ok: false, checks, paymentIds };
  }

  const invokeHttp = async (target: ProbeTarget, request: PreparedRequest, route: ApiRoute) => {
    const result = await deps.invoker.invoke(target.fn, target.version, apiEvent(request, route, runId));
    must(result.ok, `${target.fn}:${target.version} failed: ${result.ok ? '' : result.error}`);
    const parsed = HttpResult.safeParse(result.payload);
    must(parsed.success, `${target.fn}:${target.version} did not answer an HTTP response`);
    const body = parsed.data.isBase64Encoded
      ? Buffer.from(parsed.data.body ?? '', 'base64').toString('utf8')
      : (parsed.data.body ?? '');
    return { status: parsed.data.statusCode, body };
  };
  const unsigned = (method: string, path: string, body?: string): PreparedRequest => ({
    method,
    url: `${PROBE_BASE_URL}${path}`,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: Buffer.from(body) }),
  });
  const paymentJson = (purpose: ProbePurpose, label: string, amountMinor = PROBE_AMOUNT_MINOR) => {
    const pair = PROBE_ACCOUNTS[purpose];
    const endToEndId = probeEndToEndId(runId, label);
    return {
      endToEndId,
      body: JSON.stringify({
        endToEndId,
        debtorAccount: pair.debtor,
        creditorAccount: pair.creditor,
        amountMinor,
        currency: PROBE_CURRENCY,
      }),
    };
  };
  const refusesUnsigned = (target: ProbeTarget, request: PreparedRequest, route: ApiRoute) =>
    step(target.fn, 'refuses an unsigned request (401)', async () => {
      const res = await invokeHttp(target, request, route);
      must(res.status === 401, `answered ${res.status} to an unsigned request: ${res.body.slice(0, 200)}`);
    });
  /** A terminal probe payment to look up (recorded, then closed: never queued, never swept). */
  const closedLookupPayment = async (target: ProbeTarget, label: string) =>
    step(target.fn, 'a probe payment to look up', async () => {
      const pair = PROBE_ACCOUNTS.lookup;
      const { payment } = await deps.recorder.recordAccepted({
        endToEndId: probeEndToEndId(runId, label),
        debtorAccount: pair.debtor,
        creditorAccount: pair.creditor,
        amountMinor: PROBE_AMOUNT_MINOR,
      });
      paymentIds.push(payment.paymentId);
      await deps.recorder.close(payment.paymentId, 'release probe: lookup target');
      return payment;
    });
  const journalOf = async (paymentId: string, debtor: string, creditor: string, amountMinor: number) => {
    const [debit, credit] = await Promise.all([
      deps.ledger.getEntry(debtor, paymentId),
      deps.ledger.getEntry(creditor, paymentId),
    ]);
    must(
      debit?.amountMinor === -amountMinor,
      `debtor journal line of ${paymentId} is ${debit?.amountMinor ?? 'missing'}, expected ${-amountMinor}`,
    );
    must(
      credit?.amountMinor === amountMinor,
      `creditor journal line of ${paymentId} is ${credit?.amountMinor ?? 'missing'}, expected ${amountMinor}`,
    );
  };

  const probes: Record<ProbedFunction, (target: ProbeTarget) => Promise<void>> = {
    async submitPayment(target) {
      const route = { routeKey: 'POST /payments' };
      const { endToEndId, body } = paymentJson('submit', 'S');
      await refusesUnsigned(target, unsigned('POST', '/payments', body), route);
      const paymentId = await step(target.fn, 'accepts a signed test payment (202 ACCEPTED)', async () => {
        const res = await invokeHttp(
          target,
          signer.prepare('POST', '/payments', { body, contentType: 'application/json' }),
          route,
        );
        must(res.status === 202, `answered ${res.status}: ${res.body.slice(0, 300)}`);
        const view = PaymentJson.safeParse(parseJson(res.body));
        must(view.success && view.data.status === 'ACCEPTED', `unexpected answer ${res.body.slice(0, 300)}`);
        paymentIds.push(view.data.paymentId);
        return view.data.paymentId;
      });
      try {
        await step(target.fn, 'records it between the probe accounts only', async () => {
          const payment = await deps.ledger.getPayment(paymentId);
          must(payment !== undefined, `payment ${paymentId} was not recorded`);
          must(payment.partnerId === PROBE_PARTNER.partnerId, `recorded for partner ${payment.partnerId}`);
          must(
            payment.references.endToEndId === endToEndId,
            `recorded EndToEndId ${payment.references.endToEndId}`,
          );
          must(
            payment.debtorAccount === PROBE_ACCOUNTS.submit.debtor &&
              payment.creditorAccount === PROBE_ACCOUNTS.submit.creditor,
            'recorded with other accounts than the probe sent',
          );
          must(
            payment.amount.amountMinor === PROBE_AMOUNT_MINOR && payment.amount.currency === PROBE_CURRENCY,
            'recorded another amount',
          );
        });
        await step(target.fn, 'answers a resend with the same payment', async () => {
          const res = await invokeHttp(
            target,
            signer.prepare('POST', '/payments', { body, contentType: 'application/json' }),
            route,
          );
          const view = PaymentJson.safeParse(parseJson(res.body));
          must(
            // 202 while the payment is on its way, 200 once it is terminal (settled meanwhile).
            (res.status === 202 || res.status === 200) && view.success && view.data.paymentId === paymentId,
            `resend answered ${res.status}: ${res.body.slice(0, 300)}`,
          );
        });
        await step(target.fn, 'the live settle consumer settles the message it queued', async () => {
          const until = Date.now() + (deps.liveSettleTimeoutMs ?? 25_000);
          for (;;) {
            const payment = await deps.ledger.getPayment(paymentId);
            if (payment?.status === 'SETTLED') break;
            must(
              payment?.status !== 'REJECTED',
              `rejected ${payment?.rejection?.code ?? ''}: ${payment?.rejection?.message ?? ''}`,
            );
            must(
              Date.now() < until,
              `still ${payment?.status ?? 'missing'}: the live settle did not settle a message written by this version`,
            );
            await sleep(200);
          }
          await journalOf(
            paymentId,
            PROBE_ACCOUNTS.submit.debtor,
            PROBE_ACCOUNTS.submit.creditor,
            PROBE_AMOUNT_MINOR,
          );
        });
      } catch (error) {
        await deps.recorder.close(paymentId, 'release probe failed').catch(() => undefined);
        throw error;
      }
    },

    async getPayment(target) {
      const unknownId = uuidv7();
      await refusesUnsigned(target, unsigned('GET', `/payments/${unknownId}`), {
        routeKey: 'GET /payments/{id}',
        pathParameters: { id: unknownId },
      });
      const payment = await closedLookupPayment(target, 'G');
      await step(target.fn, 'answers a probe payment to its partner (200)', async () => {
        const route = { routeKey: 'GET /payments/{id}', pathParameters: { id: payment.paymentId } };
        const res = await invokeHttp(target, signer.prepare('GET', `/payments/${payment.paymentId}`), route);
        const view = PaymentJson.safeParse(parseJson(res.body));
        must(
          res.status === 200 && view.success && view.data.paymentId === payment.paymentId,
          `answered ${res.status}: ${res.body.slice(0, 300)}`,
        );
        must(view.data.status === 'REJECTED', `status ${view.data.status}, expected REJECTED`);
      });
      await step(target.fn, 'answers 404 for an unknown payment', async () => {
        const route = { routeKey: 'GET /payments/{id}', pathParameters: { id: unknownId } };
        const res = await invokeHttp(target, signer.prepare('GET', `/payments/${unknownId}`), route);
        must(res.status === 404, `answered ${res.status}: ${res.body.slice(0, 300)}`);
      });
    },

    async paymentStatusRequest(target) {
      const route = { routeKey: 'POST /payments/status-requests' };
      const payment = await closedLookupPayment(target, 'Q');
      const request = JSON.stringify({
        FIToFIPmtStsReq: {
          GrpHdr: { MsgId: probeEndToEndId(runId, 'QM') },
          TxInf: { OrgnlEndToEndId: payment.references.endToEndId },
        },
      });
      await refusesUnsigned(target, unsigned('POST', '/payments/status-requests', request), route);
      await step(target.fn, 'answers a pacs.028 for a probe payment (200)', async () => {
        const res = await invokeHttp(
          target,
          signer.prepare('POST', '/payments/status-requests', {
            body: request,
            contentType: 'application/json',
          }),
          route,
        );
        const view = PaymentJson.safeParse(parseJson(res.body));
        must(
          res.status === 200 && view.success && view.data.paymentId === payment.paymentId,
          `answered ${res.status}: ${res.body.slice(0, 300)}`,
        );
      });
    },

    async settlePayment(target) {
      const pair = PROBE_ACCOUNTS.settle;
      const balances = async () => {
        const [debtor, creditor] = await Promise.all([
          deps.ledger.getAccount(pair.debtor),
          deps.ledger.getAccount(pair.creditor),
        ]);
        must(debtor !== undefined && creditor !== undefined, 'probe settle accounts vanished');
        return { debtor: debtor.balanceMinor, creditor: creditor.balanceMinor };
      };
      const before = await step(target.fn, 'reads the probe accounts', balances);
      const { payment, message } = await step(target.fn, 'records a probe payment (not queued)', async () => {
        const recorded = await deps.recorder.recordAccepted({
          endToEndId: probeEndToEndId(runId, 'T'),
          debtorAccount: pair.debtor,
          creditorAccount: pair.creditor,
          amountMinor: PROBE_AMOUNT_MINOR,
        });
        paymentIds.push(recorded.payment.paymentId);
        return recorded;
      });
      const settleBatch = async () => {
        const result = await deps.invoker.invoke(target.fn, target.version, settleBatchEvent(message, runId));
        must(result.ok, `${target.fn}:${target.version} failed: ${result.ok ? '' : result.error}`);
        const response = BatchResponse.safeParse(result.payload);
        must(
          response.success,
          `did not answer a batch response: ${JSON.stringify(result.payload).slice(0, 300)}`,
        );
        must(
          response.data.batchItemFailures.length === 0,
          `reported the probe record as a batch item failure`,
        );
      };
      try {
        await step(target.fn, 'settles an SQS batch with the probe payment', settleBatch);
        await step(target.fn, 'the payment is SETTLED with both journal lines', async () => {
          const settled = await deps.ledger.getPayment(payment.paymentId);
          must(
            settled?.status === 'SETTLED',
            `payment is ${settled?.status ?? 'missing'}${settled?.rejection ? ` ${settled.rejection.code}` : ''}`,
          );
          await journalOf(payment.paymentId, pair.debtor, pair.creditor, PROBE_AMOUNT_MINOR);
        });
        await step(target.fn, 'moved exactly the amount between the two probe accounts', async () => {
          const after = await balances();
          must(
            after.debtor === before.debtor - PROBE_AMOUNT_MINOR &&
              after.creditor === before.creditor + PROBE_AMOUNT_MINOR,
            `balances went ${JSON.stringify(before)} -> ${JSON.stringify(after)}`,
          );
        });
        await step(target.fn, 'a redelivery of the batch moves nothing', async () => {
          const settledBalances = await balances();
          await settleBatch();
          const after = await balances();
          must(
            after.debtor === settledBalances.debtor && after.creditor === settledBalances.creditor,
            'a redelivery moved money again',
          );
        });
      } catch (error) {
        await deps.recorder.close(payment.paymentId, 'release probe failed').catch(() => undefined);
        throw error;
      }
    },

    async sweepDeadlines(target) {
      await step(target.fn, 'runs a sweep to completion', async () => {
        const result = await deps.invoker.invoke(target.fn, target.version, scheduledEvent(runId));
        must(result.ok, `${target.fn}:${target.version} failed: ${result.ok ? '' : result.error}`);
        const summary = SweepResult.safeParse(result.payload);
        must(
          summary.success && summary.data.sweeps >= 1,
          `unexpected result ${JSON.stringify(result.payload).slice(0, 300)}`,
        );
      });
    },
  };

  try {
    for (const target of targets) {
      try {
        await probes[target.fn](target);
      } catch (error) {
        // A failed step is already recorded; anything else fails the probe here. Either way the
        // other functions are still probed.
        if (typeof error !== 'object' || error === null || !recorded.has(error)) {
          record({ fn: target.fn, step: 'probe', ok: false, detail: describe(error) });
        }
      }
    }
    await step('fixtures', 'the probe touched only probe accounts', async () => {
      for (const paymentId of paymentIds) {
        const payment = await deps.ledger.getPayment(paymentId);
        if (payment === undefined) continue;
        must(
          isProbeAccount(payment.debtorAccount) &&
            isProbeAccount(payment.creditorAccount) &&
            payment.partnerId === PROBE_PARTNER.partnerId,
          `probe payment ${paymentId} involves a non-probe account or partner`,
        );
      }
    }).catch(() => undefined);
  } finally {
    await retire().catch((error: unknown) =>
      log('could not retire the probe key', { runId, error: describe(error) }),
    );
  }
  return { runId, ok: checks.length > 0 && checks.every((c) => c.ok), checks, paymentIds };
}

function accountsFor(purpose: ProbePurpose | undefined): string[] {
  if (purpose === undefined) return [];
  const pair = PROBE_ACCOUNTS[purpose];
  return [pair.debtor, pair.creditor];
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function describe(error: unknown): string {
  if (error instanceof ProbeFailure) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
