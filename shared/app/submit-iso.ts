import { createHash } from 'node:crypto';
import { DuplicateError, OverloadedError, ValidationError } from '../domain/errors';
import type { Partner } from '../domain/partner';
import type { IsoOrigin, Payment, RawMessage } from '../domain/payment';
import { findRecorded, submitPayment, type SubmitDeps, type SubmitResult } from './submit';
import {
  buildPacs002Reply,
  parsePaymentMessage,
  SchemaValidationError,
  toPaymentInstruction,
  validatePacs008,
  isoFormats,
  tchSenderParticipantId,
  type ParsedPaymentMessage,
  type PartnerContext,
  type Rail,
  type ValidatedPacs008,
} from '../iso20022';
import { reportForMessage, reportForResend, type OriginalRefs } from './status-report';
import type { IsoAnswer, SubmitOutcome, SubmitRequest } from './submit-outcome';

/**
 * ISO 20022 intake use case: a pacs.008 (XML in a FedNow / TCH envelope, or the JSON form) is
 * parsed, validated to the rail's and the partner's rules, mapped to the domain instruction in
 * one place (shared/iso20022/map.ts) and submitted; the answer is a pacs.002 in the partner's
 * own form. The rest of the pipeline never sees XML. Outcomes (submit-outcome.ts; the HTTP
 * status is the edge's, shared/edges/http/submit-route.ts):
 *
 *   accepted                        -> pacs.002 ACTC (RTP: RCVD), reports RECEIVED (HTTP 202)
 *   resent (same payment, content)  -> duplicate: its current status (status-report.ts
 *                                      ISO_STATUS): in flight (202), settled or RJCT + reason (200)
 *   refused by a rule               -> refused, pacs.002 RJCT with the reason code (400), nothing
 *                                      written
 *   debtor / instructing agent not  -> refused (NotPermittedError), pacs.002 RJCT AGNT (403),
 *   the partner's own institution      nothing written (the same whatever the account's state)
 *   same reference, other content   -> refused (DuplicateError), pacs.002 RJCT DUPL (409)
 *   refused by admission control    -> shed (503 backlog past the SLA budget / 429 this partner's
 *   (shared/domain/admission.ts)       share spent, Retry-After), pacs.002 RJCT NARR "OVERLOADED
 *                                      ..." / "PARTNER_SHARE_EXCEEDED ...", nothing written.
 *                                      NARR, not AB05/AB06/TM01: the payment did not time out
 *                                      and was not late, it was never taken; TCH admits NARR.
 *   not a pacs.008 at all           -> MalformedRequestError (400 JSON error), thrown
 */
type IsoRequest = Extract<SubmitRequest, { form: 'pacs.008' }>;

/** What every answer to one message is built from. */
interface IsoContext {
  readonly parsed: ParsedPaymentMessage;
  readonly rail: Rail;
  readonly refs: OriginalRefs;
  /** TCH: the sender's participant id, answered in AppHdr To, also when nothing is stored. */
  readonly participant: { participant?: string };
  readonly now: number;
}

export async function submitPacs008(input: IsoRequest, deps: SubmitDeps): Promise<SubmitOutcome> {
  const { parsed, schemaError } = parse(input);
  const refs = originalRefs(parsed);
  const ctx: IsoContext = {
    parsed,
    rail: parsed.rail ?? 'fednow',
    refs,
    participant: senderParticipant(parsed, refs),
    now: deps.clock.now(),
  };
  const partner = partnerContext(input.partner);
  let validated: ValidatedPacs008;
  try {
    if (schemaError) throw schemaError;
    // The rail clock rules (CreDtTm within the timeout clock, IntrBkSttlmDt = business day).
    validated = validatePacs008(parsed, { partner, now: ctx.now });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    if (!schemaError) {
      const resend = await resendPastTheClock(ctx, partner, deps);
      if (resend) return resend;
    }
    const first = error.issues[0];
    const info = first ? `${first.field}: ${first.message}` : error.message;
    return { kind: 'refused', error, answer: refusalAnswer(ctx, { code: error.code, info }) };
  }
  return record(input, validated, ctx, deps);
}

/**
 * A body that fails its XSD is refused like a rule failure (pacs.002 RJCT FF01), echoing what
 * could be read of it; unreadable beyond that, it is thrown as before.
 */
function parse(input: IsoRequest): { parsed: ParsedPaymentMessage; schemaError?: SchemaValidationError } {
  try {
    const limits = { maxBytes: input.maxBytes };
    return { parsed: parsePaymentMessage({ body: input.body, contentType: input.contentType, limits }) };
  } catch (error) {
    if (!(error instanceof SchemaValidationError) || !error.parsed) throw error;
    return { parsed: error.parsed as ParsedPaymentMessage, schemaError: error };
  }
}

function partnerContext(partner: Partner): PartnerContext {
  return {
    partnerId: partner.partnerId,
    agentIds: partner.agentIds,
    ...(partner.limitMinor !== undefined ? { limitMinor: partner.limitMinor } : {}),
    currencies: partner.currencies,
  };
}

/** Records a valid message; its answer: the payment's pacs.002, or a refusal of the recording. */
async function record(
  input: IsoRequest,
  validated: ValidatedPacs008,
  ctx: IsoContext,
  deps: SubmitDeps,
): Promise<SubmitOutcome> {
  const iso: IsoOrigin = {
    rail: validated.rail,
    envelope: ctx.parsed.transport.format === 'xml' ? ctx.parsed.transport.envelope : 'document',
    format: ctx.parsed.transport.format,
    msgNmId: 'pacs.008.001.08',
    creDtTm: validated.creationDateTime,
    instructingAgent: validated.instructingAgentId,
    instructedAgent: validated.instructedAgentId,
    ...(ctx.participant.participant !== undefined
      ? { senderParticipantId: ctx.participant.participant }
      : {}),
  };
  const raw: RawMessage = {
    contentType: input.contentType,
    sha256: createHash('sha256').update(input.body).digest('hex'),
    body: input.body,
  };
  let result: SubmitResult;
  try {
    const instruction = { ...toPaymentInstruction(validated, input.partner.partnerId), iso };
    result = await submitPayment(instruction, deps, { raw });
  } catch (error) {
    if (error instanceof OverloadedError) {
      const info = `${error.code}: ${error.message}`;
      return { kind: 'shed', error, answer: refusalAnswer(ctx, { code: 'NARR', info }) };
    }
    if (!(error instanceof DuplicateError)) throw error;
    return { kind: 'refused', error, answer: refusalAnswer(ctx, { code: 'DUPL', info: error.message }) };
  }
  return {
    kind: result.duplicate ? 'duplicate' : 'accepted',
    payment: result.payment,
    answer: answerFor(result, validated, ctx),
  };
}

/** The pacs.002 for a recorded payment. */
function answerFor(
  { payment, duplicate }: SubmitResult,
  validated: ValidatedPacs008,
  ctx: IsoContext,
): IsoAnswer {
  const agents = { instructing: validated.instructingAgentId, instructed: validated.instructedAgentId };
  // A resend of a recorded payment, or one refused for good on the way to the queue: its
  // current status (status-report.ts reportForResend).
  if (duplicate || payment.status === 'REJECTED') return resendAnswer(payment, ctx, validated.rail, agents);
  // The immediate answer reports the message received and valid (RECEIVED: FedNow ACTC, RTP
  // RCVD), whether or not it already reached the settlement queue.
  const report = reportForMessage(ctx.refs, 'RECEIVED', {
    rail: validated.rail,
    now: ctx.now,
    agents,
    ...ctx.participant,
  });
  const reply = buildPacs002Reply(
    { ...report, acceptanceDateTime: payment.acceptedAt ?? payment.createdAt },
    ctx.parsed.transport,
    validated.rail,
  );
  return { ...reply, reports: 'RECEIVED' };
}

/** A recorded payment's current status, as answered to a resend. */
function resendAnswer(
  payment: Payment,
  ctx: IsoContext,
  rail: Rail,
  agents: { instructing: string; instructed: string },
): IsoAnswer {
  const report = reportForResend(payment, ctx.refs, { rail, now: ctx.now, agents, ...ctx.participant });
  return { ...buildPacs002Reply(report, ctx.parsed.transport, rail), reports: payment.status };
}

/** A pacs.002 RJCT about the message received, with the reason; nothing was recorded. */
function refusalAnswer(ctx: IsoContext, reason: { code: ValidationError['code']; info: string }): IsoAnswer {
  const report = reportForMessage(ctx.refs, 'REJECTED', {
    rail: ctx.rail,
    now: ctx.now,
    reason,
    ...ctx.participant,
    ...refusalAgents(ctx.parsed, ctx.rail),
  });
  return { ...buildPacs002Reply(report, ctx.parsed.transport, ctx.rail), reports: 'REJECTED' };
}

function originalRefs(parsed: ParsedPaymentMessage): OriginalRefs {
  const doc = parsed.document.FIToFICstmrCdtTrf;
  const tx = doc.CdtTrfTxInf;
  return {
    ...(doc.GrpHdr?.MsgId !== undefined ? { msgId: doc.GrpHdr.MsgId } : {}),
    ...(doc.GrpHdr?.CreDtTm !== undefined ? { creDtTm: doc.GrpHdr.CreDtTm } : {}),
    ...(tx?.PmtId?.EndToEndId !== undefined ? { endToEndId: tx.PmtId.EndToEndId } : {}),
    ...(tx?.PmtId?.TxId !== undefined ? { txId: tx.PmtId.TxId } : {}),
    ...(tx?.PmtId?.InstrId !== undefined ? { instrId: tx.PmtId.InstrId } : {}),
    ...(tx?.PmtId?.UETR !== undefined ? { uetr: tx.PmtId.UETR } : {}),
  };
}

/**
 * TCH's pacs.002 requires InstgAgt and InstdAgt (PaymentTransaction110_TCH): a refusal on RTP
 * echoes the message's agents when they read as routing numbers (9 digits). FedNow refusals
 * keep naming none (AppHdr NOTPROVIDED).
 */
function refusalAgents(
  parsed: ParsedPaymentMessage,
  rail: Rail,
): { agents?: { instructing?: string; instructed?: string } } {
  if (rail !== 'rtp') return {};
  const tx = parsed.document.FIToFICstmrCdtTrf.CdtTrfTxInf;
  const id = (value: string | undefined) =>
    value !== undefined && isoFormats.isRoutingNumberShape(value) ? value : undefined;
  const instructing = id(tx?.InstgAgt?.FinInstnId?.ClrSysMmbId?.MmbId);
  const instructed = id(tx?.InstdAgt?.FinInstnId?.ClrSysMmbId?.MmbId);
  return {
    agents: {
      ...(instructing !== undefined ? { instructing } : {}),
      ...(instructed !== undefined ? { instructed } : {}),
    },
  };
}

/** TCH envelope: the sender's participant id (AppHdr Fr, else its MsgId's), for AppHdr To. */
function senderParticipant(parsed: ParsedPaymentMessage, refs: OriginalRefs): { participant?: string } {
  if (parsed.transport.format !== 'xml' || parsed.transport.envelope !== 'tch') return {};
  const id = tchSenderParticipantId(parsed.appHdr?.fromMemberId, refs.msgId);
  return id !== undefined ? { participant: id } : {};
}

/**
 * A resend of a payment already recorded is answered with its current status even when the
 * rail clock or the business day has moved on since it was first sent: refusing it "timed out"
 * could contradict a settlement the partner has not heard of yet. Only when every other rule
 * holds (the message is otherwise the same valid instruction) and the same content is recorded.
 */
async function resendPastTheClock(
  ctx: IsoContext,
  partner: PartnerContext,
  deps: SubmitDeps,
): Promise<SubmitOutcome | undefined> {
  let timeless;
  try {
    timeless = validatePacs008(ctx.parsed, { partner });
  } catch (error) {
    if (error instanceof ValidationError) return undefined;
    throw error;
  }
  const existing = await findRecorded(toPaymentInstruction(timeless, partner.partnerId), deps.store);
  if (!existing) return undefined;
  const agents = { instructing: timeless.instructingAgentId, instructed: timeless.instructedAgentId };
  return { kind: 'duplicate', payment: existing, answer: resendAnswer(existing, ctx, timeless.rail, agents) };
}
