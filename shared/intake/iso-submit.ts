import { createHash } from 'node:crypto';
import { DuplicateError, ValidationError } from '../domain/errors';
import type { Partner } from '../domain/partner';
import type { IsoOrigin, Payment, RawMessage } from '../domain/payment';
import { submitPayment, type SubmitDeps } from '../domain/submit';
import {
  buildPacs002Reply,
  parsePaymentMessage,
  toPaymentInstruction,
  validatePacs008,
  type ParsedPaymentMessage,
  type Rail,
} from '../iso20022';
import { reportForMessage, type OriginalRefs } from './status-report';

/**
 * ISO 20022 intake use case: a pacs.008 (XML in a FedNow / TCH envelope, or the JSON form) is
 * parsed, validated to the rail's and the partner's rules, mapped to the domain instruction in
 * one place (shared/iso20022/map.ts) and submitted; the answer is a pacs.002 in the partner's
 * own form. The rest of the pipeline never sees XML.
 *
 *   accepted                        -> 202, pacs.002 ACTC
 *   refused by a rule               -> 400, pacs.002 RJCT with the reason code, nothing written
 *   same reference, other content   -> 409, pacs.002 RJCT DUPL, nothing written
 *   not a pacs.008 at all           -> MalformedRequestError (400 JSON error), thrown
 */
export interface IsoSubmitOutcome {
  readonly httpStatus: 202 | 400 | 409;
  readonly contentType: string;
  readonly body: string;
  readonly payment?: Payment;
  readonly duplicate?: boolean;
  readonly reasonCode?: string;
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
  const parsed = parsePaymentMessage({ body: input.body, contentType: input.contentType });
  const now = deps.clock.now();
  const rail: Rail = parsed.rail ?? 'fednow';
  const refs = originalRefs(parsed);
  const reply = (status: 'ACTC' | 'RJCT', reason?: { code: ValidationError['code']; info: string }) =>
    buildPacs002Reply(
      reportForMessage(refs, status, { rail, now, ...(reason ? { reason } : {}) }),
      parsed.transport,
      rail,
    );

  let validated;
  try {
    validated = validatePacs008(parsed, {
      partner: {
        partnerId: input.partner.partnerId,
        agentIds: input.partner.agentIds,
        ...(input.partner.limitMinor !== undefined ? { limitMinor: input.partner.limitMinor } : {}),
        currencies: input.partner.currencies,
      },
      // The rail clock rules (CreDtTm within the timeout clock, IntrBkSttlmDt = business day).
      now,
    });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const first = error.issues[0];
    const info = first ? `${first.field}: ${first.message}` : error.message;
    return { httpStatus: 400, reasonCode: error.code, ...reply('RJCT', { code: error.code, info }) };
  }

  const iso: IsoOrigin = {
    rail: validated.rail,
    envelope: parsed.transport.format === 'xml' ? parsed.transport.envelope : 'document',
    format: parsed.transport.format,
    msgNmId: 'pacs.008.001.08',
    creDtTm: validated.creationDateTime,
    instructingAgent: validated.instructingAgentId,
    instructedAgent: validated.instructedAgentId,
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
    const report = reportForMessage(refs, 'ACTC', { rail: validated.rail, now, agents });
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
    if (!(error instanceof DuplicateError)) throw error;
    return { httpStatus: 409, reasonCode: 'DUPL', ...reply('RJCT', { code: 'DUPL', info: error.message }) };
  }
}
