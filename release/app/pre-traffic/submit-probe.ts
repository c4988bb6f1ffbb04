import {
  PROBE_ACCOUNTS,
  PROBE_AMOUNT_MINOR,
  PROBE_CURRENCY,
  PROBE_PARTNER,
  probeEndToEndId,
} from '../../domain/probe-identity';
import { PaymentJson, must, parseJson } from '../../domain/steady-state';
import {
  earlier,
  invokeHttp,
  journalOf,
  refusesUnsigned,
  unsigned,
  type ProbeContext,
  type ProbeState,
} from './run';

/** The submitPayment probe's checks (their order: steady-state.ts). */

const ROUTE = { routeKey: 'POST /payments' };

export interface SubmitState extends ProbeState {
  readonly endToEndId: string;
  /** The JSON test payment, sent unsigned, signed, and signed again (the resend). */
  readonly body: string;
  paymentId?: string;
}

export function startSubmit(ctx: ProbeContext): SubmitState {
  const pair = PROBE_ACCOUNTS.submit;
  const endToEndId = probeEndToEndId(ctx.run.runId, 'S');
  const body = JSON.stringify({
    endToEndId,
    debtorAccount: pair.debtor,
    creditorAccount: pair.creditor,
    amountMinor: PROBE_AMOUNT_MINOR,
    currency: PROBE_CURRENCY,
  });
  return { endToEndId, body };
}

const sendSigned = (ctx: ProbeContext, state: SubmitState) =>
  invokeHttp(
    ctx,
    ctx.signer.prepare('POST', '/payments', { body: state.body, contentType: 'application/json' }),
    ROUTE,
  );

export const submitRefusesUnsigned = (ctx: ProbeContext, state: SubmitState) =>
  refusesUnsigned(ctx, unsigned('POST', '/payments', state.body), ROUTE);

export async function acceptsSigned(ctx: ProbeContext, state: SubmitState): Promise<void> {
  const res = await sendSigned(ctx, state);
  must(res.status === 202, `answered ${res.status}: ${res.body.slice(0, 300)}`);
  const view = PaymentJson.safeParse(parseJson(res.body));
  must(view.success && view.data.status === 'ACCEPTED', `unexpected answer ${res.body.slice(0, 300)}`);
  ctx.run.paymentIds.push(view.data.paymentId);
  state.paymentId = view.data.paymentId;
  state.open = view.data.paymentId;
}

export async function recordsBetweenProbeAccounts(ctx: ProbeContext, state: SubmitState): Promise<void> {
  const paymentId = earlier(state.paymentId);
  const payment = await ctx.run.deps.ledger.getPayment(paymentId);
  must(payment !== undefined, `payment ${paymentId} was not recorded`);
  must(payment.partnerId === PROBE_PARTNER.partnerId, `recorded for partner ${payment.partnerId}`);
  must(
    payment.references.endToEndId === state.endToEndId,
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
}

export async function answersResend(ctx: ProbeContext, state: SubmitState): Promise<void> {
  const res = await sendSigned(ctx, state);
  const view = PaymentJson.safeParse(parseJson(res.body));
  must(
    // 202 while the payment is on its way, 200 once it is terminal (settled meanwhile).
    (res.status === 202 || res.status === 200) && view.success && view.data.paymentId === state.paymentId,
    `resend answered ${res.status}: ${res.body.slice(0, 300)}`,
  );
}

/** The mixed-version case: the LIVE settle consumer settles what the new submit queued. */
export async function liveSettleSettles(ctx: ProbeContext, state: SubmitState): Promise<void> {
  const paymentId = earlier(state.paymentId);
  const until = Date.now() + (ctx.run.deps.liveSettleTimeoutMs ?? 25_000);
  for (;;) {
    const payment = await ctx.run.deps.ledger.getPayment(paymentId);
    if (payment?.status === 'SETTLED') break;
    must(
      payment?.status !== 'REJECTED',
      `rejected ${payment?.rejection?.code ?? ''}: ${payment?.rejection?.message ?? ''}`,
    );
    must(
      Date.now() < until,
      `still ${payment?.status ?? 'missing'}: the live settle did not settle a message written by this version`,
    );
    await ctx.run.sleep(200);
  }
  await journalOf(ctx, paymentId, PROBE_ACCOUNTS.submit, PROBE_AMOUNT_MINOR);
}
