import { createHash } from 'node:crypto';
import { DuplicateError, OverloadedError, ValidationError } from '../domain/errors';
import type { Partner } from '../domain/partner';
import type { IsoOrigin, Payment, RawMessage } from '../domain/payment';
import { findRecorded, submitPayment, type SubmitDeps } from './submit';
import {
  buildPacs002Reply,
  parsePaymentMessage,
  SchemaValidationError,
  toPaymentInstruction,
  validatePacs008,
  isoFormats,
  tchSenderParticipantId,
  type ParsedPaymentMessage,
  type Rail,
} from '../iso20022';
import { reportForMessage, reportForResend, type OriginalRefs } from './status-report';

/**
 * ISO 20022 intake use case: a pacs.008 (XML in a FedNow / TCH envelope, or the JSON form) is
 * parsed, validated to the rail's and the partner's rules, mapped to the domain instruction in
 * one place (shared/iso20022/map.ts) and submitted; the answer is a pacs.002 in the partner's
 * own form. The rest of the pipeline never sees XML.
 *
 *   accepted                        -> 202, pacs.002 ACTC (RTP: RCVD)
 *   resent (same payment, content)  -> its current status (status-report.ts ISO_STATUS): 202 in
 *                                      flight, 200 settled or RJCT + reason rejected
 *   refused by a rule               -> 400, pacs.002 RJCT with the reason code, nothing written
 *   debtor / instructing agent not  -> 403, pacs.002 RJCT AGNT, nothing written (the same whatever
 *   the partner's own institution       the named account's state)
 *   same reference, other content   -> 409, pacs.002 RJCT DUPL, nothing written
 *   refused by admission control    -> 503 (backlog past the SLA budget) / 429 (this partner's
 *   (shared/domain/admission.ts)       share spent), Retry-After, pacs.002 RJCT NARR "OVERLOADED
 *                                      ..." / "PARTNER_SHARE_EXCEEDED ...", nothing written.
 *                                      NARR, not AB05/AB06/TM01: the payment did not time out
 *                                      and was not late, it was never taken; TCH admits NARR.
 *   not a pacs.008 at all           -> MalformedRequestError (400 JSON error), thrown
 */
export interface IsoSubmitOutcome {
  readonly httpStatus: number;
  readonly contentType: string;
  readonly body: string;
  readonly payment?: Payment;
  readonly duplicate?: boolean;
  readonly reasonCode?: string;
  /** Extra response headers (Retry-After of an admission refusal). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Set when admission control refused the submission (counted as shed, not as a rule refusal). */
  readonly shed?: OverloadedError;
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

export async function submitPacs008(
  input: { readonly body: Buffer; readonly contentType: string; readonly partner: Partner },
  deps: SubmitDeps,
): Promise<IsoSubmitOutcome> {
  // A body that fails its XSD is refused like a rule failure (400 + pacs.002 RJCT FF01, below),
  // echoing what could be read of it; unreadable beyond that, it is thrown as before.
  let parsed: ParsedPaymentMessage;
  let schemaError: SchemaValidationError | undefined;
  try {
    parsed = parsePaymentMessage({ body: input.body, contentType: input.contentType });
  } catch (error) {
    if (!(error instanceof SchemaValidationError) || !error.parsed) throw error;
    parsed = error.parsed as ParsedPaymentMessage;
    schemaError = error;
  }
  const now = deps.clock.now();
  const rail: Rail = parsed.rail ?? 'fednow';
  const refs = originalRefs(parsed);
  // TCH: the sender's participant id, answered in AppHdr To, also when nothing is stored.
  const participant = senderParticipant(parsed, refs);
  const reply = (reason: { code: ValidationError['code']; info: string }) =>
    buildPacs002Reply(
      reportForMessage(refs, 'REJECTED', {
        rail,
        now,
        reason,
        ...participant,
        ...refusalAgents(parsed, rail),
      }),
      parsed.transport,
      rail,
    );

  const partner = {
    partnerId: input.partner.partnerId,
    agentIds: input.partner.agentIds,
    ...(input.partner.limitMinor !== undefined ? { limitMinor: input.partner.limitMinor } : {}),
    currencies: input.partner.currencies,
  };
  let validated;
  try {
    if (schemaError) throw schemaError;
    // The rail clock rules (CreDtTm within the timeout clock, IntrBkSttlmDt = business day).
    validated = validatePacs008(parsed, { partner, now });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    if (!schemaError) {
      const resend = await resendPastTheClock(parsed, partner, refs, deps, now);
      if (resend) return resend;
    }
    const first = error.issues[0];
    const info = first ? `${first.field}: ${first.message}` : error.message;
    // 400 for a rule refusal, 403 for a movement the partner may not instruct (NotPermittedError).
    return {
      httpStatus: error.httpStatus,
      reasonCode: error.code,
      ...reply({ code: error.code, info }),
    };
  }

  const iso: IsoOrigin = {
    rail: validated.rail,
    envelope: parsed.transport.format === 'xml' ? parsed.transport.envelope : 'document',
    format: parsed.transport.format,
    msgNmId: 'pacs.008.001.08',
    creDtTm: validated.creationDateTime,
    instructingAgent: validated.instructingAgentId,
    instructedAgent: validated.instructedAgentId,
    ...(participant.participant !== undefined ? { senderParticipantId: participant.participant } : {}),
  };
  const raw: RawMessage = {
    contentType: input.contentType,
    sha256: createHash('sha256').update(input.body).digest('hex'),
    body: input.body,
  };
  try {
    const { payment, duplicate } = await submitPayment(
      { ...toPaymentInstruction(validated, input.partner.partnerId), iso },
      deps,
      { raw },
    );
    const agents = { instructing: validated.instructingAgentId, instructed: validated.instructedAgentId };
    if (duplicate || payment.status === 'REJECTED') {
      // A resend of a recorded payment, or one refused for good on the way to the queue: its
      // current status (status-report.ts reportForResend).
      const answer = reportForResend(payment, refs, { rail: validated.rail, now, agents, ...participant });
      return {
        httpStatus: answer.httpStatus,
        ...buildPacs002Reply(answer.report, parsed.transport, validated.rail),
        payment,
        duplicate,
      };
    }
    // The immediate answer reports the message received and valid (RECEIVED: FedNow ACTC, RTP
    // RCVD), whether or not it already reached the settlement queue.
    const report = reportForMessage(refs, 'RECEIVED', { rail: validated.rail, now, agents, ...participant });
    return {
      httpStatus: 202,
      ...buildPacs002Reply(
        { ...report, acceptanceDateTime: payment.acceptedAt ?? payment.createdAt },
        parsed.transport,
        validated.rail,
      ),
      payment,
      duplicate,
    };
  } catch (error) {
    if (error instanceof OverloadedError) {
      return {
        httpStatus: error.httpStatus,
        reasonCode: 'NARR',
        headers: { 'retry-after': String(error.retryAfterSeconds) },
        shed: error,
        ...reply({ code: 'NARR', info: `${error.code}: ${error.message}` }),
      };
    }
    if (!(error instanceof DuplicateError)) throw error;
    return { httpStatus: 409, reasonCode: 'DUPL', ...reply({ code: 'DUPL', info: error.message }) };
  }
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
  parsed: ParsedPaymentMessage,
  partner: Parameters<typeof validatePacs008>[1]['partner'],
  refs: OriginalRefs,
  deps: SubmitDeps,
  now: number,
): Promise<IsoSubmitOutcome | undefined> {
  let timeless;
  try {
    timeless = validatePacs008(parsed, { partner });
  } catch (error) {
    if (error instanceof ValidationError) return undefined;
    throw error;
  }
  const existing = await findRecorded(toPaymentInstruction(timeless, partner.partnerId), deps.store);
  if (!existing) return undefined;
  const agents = { instructing: timeless.instructingAgentId, instructed: timeless.instructedAgentId };
  const answer = reportForResend(existing, refs, {
    rail: timeless.rail,
    now,
    agents,
    ...senderParticipant(parsed, refs),
  });
  return {
    httpStatus: answer.httpStatus,
    ...buildPacs002Reply(answer.report, parsed.transport, timeless.rail),
    payment: existing,
    duplicate: true,
  };
}
