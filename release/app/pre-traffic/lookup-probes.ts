import type { Payment } from '../../../shared/domain/payment';
import { uuidv7 } from '../../../shared/domain/ids';
import { PROBE_ACCOUNTS, PROBE_AMOUNT_MINOR, probeEndToEndId } from '../../domain/probe-identity';
import { PaymentJson, must, parseJson } from '../../domain/steady-state';
import { earlier, invokeHttp, refusesUnsigned, unsigned, type ProbeContext, type ProbeState } from './run';

/** The getPayment and paymentStatusRequest probes' checks (their order: steady-state.ts). */

export interface LookupState extends ProbeState {
  /** A payment id nobody has (getPayment's 404). */
  readonly unknownId: string;
  /** The terminal probe payment to look up. */
  payment?: Payment;
  /** The pacs.028 status request for it (paymentStatusRequest). */
  request?: string;
}

export const startLookup = (): LookupState => ({ unknownId: uuidv7() });

/** A terminal probe payment to look up (recorded, then closed: never queued, never swept). */
export const closedLookupPayment =
  (label: string) =>
  async (ctx: ProbeContext, state: LookupState): Promise<void> => {
    const pair = PROBE_ACCOUNTS.lookup;
    const { payment } = await ctx.run.deps.recorder.recordAccepted({
      endToEndId: probeEndToEndId(ctx.run.runId, label),
      debtorAccount: pair.debtor,
      creditorAccount: pair.creditor,
      amountMinor: PROBE_AMOUNT_MINOR,
    });
    ctx.run.paymentIds.push(payment.paymentId);
    await ctx.run.deps.recorder.close(payment.paymentId, 'release probe: lookup target');
    state.payment = payment;
  };

const byId = (id: string) => ({ routeKey: 'GET /payments/{id}', pathParameters: { id } });

export const getRefusesUnsigned = (ctx: ProbeContext, state: LookupState) =>
  refusesUnsigned(ctx, unsigned('GET', `/payments/${state.unknownId}`), byId(state.unknownId));

export async function answersProbePayment(ctx: ProbeContext, state: LookupState): Promise<void> {
  const { paymentId } = earlier(state.payment);
  const res = await invokeHttp(ctx, ctx.signer.prepare('GET', `/payments/${paymentId}`), byId(paymentId));
  const view = PaymentJson.safeParse(parseJson(res.body));
  must(
    res.status === 200 && view.success && view.data.paymentId === paymentId,
    `answered ${res.status}: ${res.body.slice(0, 300)}`,
  );
  must(view.data.status === 'REJECTED', `status ${view.data.status}, expected REJECTED`);
}

export async function answers404(ctx: ProbeContext, state: LookupState): Promise<void> {
  const id = state.unknownId;
  const res = await invokeHttp(ctx, ctx.signer.prepare('GET', `/payments/${id}`), byId(id));
  must(res.status === 404, `answered ${res.status}: ${res.body.slice(0, 300)}`);
}

const STATUS_ROUTE = { routeKey: 'POST /payments/status-requests' };

export function prepareStatusRequest(ctx: ProbeContext, state: LookupState): void {
  state.request = JSON.stringify({
    FIToFIPmtStsReq: {
      GrpHdr: { MsgId: probeEndToEndId(ctx.run.runId, 'QM') },
      TxInf: { OrgnlEndToEndId: earlier(state.payment).references.endToEndId },
    },
  });
}

export const statusRefusesUnsigned = (ctx: ProbeContext, state: LookupState) =>
  refusesUnsigned(ctx, unsigned('POST', '/payments/status-requests', earlier(state.request)), STATUS_ROUTE);

export async function answersStatusRequest(ctx: ProbeContext, state: LookupState): Promise<void> {
  const request = ctx.signer.prepare('POST', '/payments/status-requests', {
    body: earlier(state.request),
    contentType: 'application/json',
  });
  const res = await invokeHttp(ctx, request, STATUS_ROUTE);
  const view = PaymentJson.safeParse(parseJson(res.body));
  must(
    res.status === 200 && view.success && view.data.paymentId === earlier(state.payment).paymentId,
    `answered ${res.status}: ${res.body.slice(0, 300)}`,
  );
}
