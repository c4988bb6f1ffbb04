import { randomBytes } from 'node:crypto';
import { RAILS_CONFIG } from '../config/rails';
import { tchSenderParticipantId } from '../iso20022/rails';
import type {
  Rail,
  StatusReasonCode,
  StatusReportInput,
  TchStatusReason,
  TransactionStatus,
} from '../iso20022';
import type { Payment, PaymentStatus } from '../domain/payment';
import { REASON_CODES, type ReasonCode } from '../domain/reasons';

/**
 * pacs.002 status reports about our payments: the ONE place a payment's state becomes an ISO
 * transaction status, per rail (every report goes through reportForMessage, below).
 *
 * FedNow (ISO ExternalPaymentTransactionStatus1Code, as the FedNow samples use it):
 *   RECEIVED -> ACTC (accepted after technical validation)
 *   ACCEPTED -> ACSP (accepted, settlement in process: it is on the settlement queue)
 *   SETTLED  -> ACSC (settled, with FctvIntrBkSttlmDt)
 *   REJECTED -> RJCT (with the ISO reason code)
 *
 * TCH RTP: TCH's pacs.002 usage schema admits only ACTC, ACWP, RCVD, RJCT
 * (ExternalPaymentTransactionStatus1Code in
 * shared/iso20022/schema/xsd/rtp/messages_urn_iso_std_iso_20022_tech_xsd_pacs_002_001_10.xsd) and
 * has no FctvIntrBkSttlmDt. On RTP settlement is final when the payment is accepted, so an RTP
 * sender reads ACTC as "accepted and settled" (TCH's own pacs002.ACTC sample):
 *   RECEIVED, ACCEPTED -> RCVD (received, in flight: not yet accepted)
 *   SETTLED            -> ACTC (accepted = settled; AccptncDtTm is when it settled)
 *   REJECTED           -> RJCT (reason mapped to TCH's list: TCH_REASON)
 */
export const ISO_STATUS: Readonly<Record<Rail, Readonly<Record<PaymentStatus, TransactionStatus>>>> = {
  fednow: { RECEIVED: 'ACTC', ACCEPTED: 'ACSP', SETTLED: 'ACSC', REJECTED: 'RJCT' },
  rtp: { RECEIVED: 'RCVD', ACCEPTED: 'RCVD', SETTLED: 'ACTC', REJECTED: 'RJCT' },
};

/**
 * Our reason codes that TCH's ExternalStatusReason1Code (same XSD) does not admit, and the
 * closest one it does; every other code of ours is in TCH's list and is sent as is
 * (status-report.test.ts checks all of REASON_CODES). The text (AddtlInf) is unchanged.
 */
export const TCH_REASON: Readonly<Partial<Record<ReasonCode, TchStatusReason>>> = {
  AB05: 'TM01', // timeout in the pipeline -> "received after the cut-off time": too late to settle
  AB06: 'TM01', // could not settle before its deadline / rail clock passed -> same
  AM03: 'AM12', // currency not allowed: the ActiveCurrencyAndAmount is invalid for RTP (USD only)
  CURR: 'AM12', // not an ISO 4217 currency -> invalid amount, likewise
  FF01: 'FF02', // invalid format / schema -> syntax error (TCH's format code)
  DT01: 'DT04', // CreDtTm in the future / IntrBkSttlmDt not the business day -> date not supported
  RR04: 'NARR', // regulatory reason: TCH has no RR code; the text says why
  CH11: 'NARR',
  MS03: 'NARR',
  NOAS: 'NARR',
};

/** A reason code as the rail admits it (RTP: TCH_REASON; FedNow: unchanged). */
export function railReasonCode(rail: Rail, code: ReasonCode): StatusReasonCode {
  return rail === 'rtp' ? (TCH_REASON[code] ?? (code as TchStatusReason)) : code;
}

/**
 * Identifier this service uses as the sender of its FedNow status reports (9 characters, the
 * MsgId's sender-id part). On RTP the service's TCH participant id (shared/config/rails.ts).
 */
const SERVICE_ID = 'RTPPIPE01';
const ALPHANUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomAlnum(length: number): string {
  const bytes = randomBytes(length);
  return Array.from(bytes, (b) => ALPHANUM[b % ALPHANUM.length]).join('');
}

/**
 * A fresh MsgId for a status report, following the rail's convention: FedNow
 * `YYYYMMDD` + 9-character sender id + unique part; TCH RTP `M` + `YYYYMMDD` + our 11-character
 * participant id + unique part. At most 35 characters.
 */
export function newStatusMsgId(rail: Rail, now: number): string {
  const date = new Date(now).toISOString().slice(0, 10).replaceAll('-', '');
  return rail === 'rtp'
    ? `M${date}${RAILS_CONFIG.rtp.participantId}${randomAlnum(15)}`
    : `${date}${SERVICE_ID}${randomAlnum(18)}`;
}

/**
 * AddtlInf is Max105Text but repeatable (0..n): the pacs.002 builder splits the text into
 * 105-character lines, so nothing is cut with an ellipsis; the whole is bounded to 5 lines.
 */
const MAX_ADDTL_INF_LINES = 5;
function max105(text: string): string {
  return [...text].slice(0, 105 * MAX_ADDTL_INF_LINES).join('');
}

export interface OriginalRefs {
  readonly msgId?: string;
  readonly creDtTm?: string;
  readonly endToEndId?: string;
  readonly txId?: string;
  readonly instrId?: string;
  readonly uetr?: string;
}

/** Who the report is addressed to, beyond the agents: the partner's TCH participant id. */
export interface ReportParties {
  readonly agents?: { readonly instructing?: string; readonly instructed?: string };
  /**
   * TCH: the sender's 11-character participant id (its AppHdr Fr, see rails.ts
   * tchSenderParticipantId), answered in AppHdr To; our own Fr is RAILS_CONFIG.rtp.participantId.
   */
  readonly participant?: string;
}

/**
 * A report on a message in a given payment state: e.g. the RJCT (REJECTED) of a refused pacs.008,
 * or the immediate answer to an accepted one (RECEIVED: FedNow ACTC, RTP RCVD). The state becomes
 * the rail's status (ISO_STATUS) and the reason the rail's code (TCH_REASON) here, for every
 * report we build.
 */
export function reportForMessage(
  original: OriginalRefs,
  state: PaymentStatus,
  options: {
    rail: Rail;
    now: number;
    reason?: { code: ReasonCode; info?: string };
  } & ReportParties,
): StatusReportInput {
  const { rail } = options;
  const reason = options.reason;
  const code = reason ? railReasonCode(rail, reason.code) : undefined;
  // A NARR we chose for TCH carries at least the meaning of our own code as its text.
  const info = reason?.info || (code === 'NARR' && reason ? REASON_CODES[reason.code] : undefined);
  return {
    msgId: newStatusMsgId(rail, options.now),
    createdAt: new Date(options.now).toISOString(),
    original: {
      msgId: original.msgId ?? 'NOTPROVIDED',
      msgNmId: 'pacs.008.001.08',
      ...(original.creDtTm !== undefined ? { creDtTm: original.creDtTm } : {}),
      endToEndId: original.endToEndId ?? 'NOTPROVIDED',
      ...(original.txId !== undefined ? { txId: original.txId } : {}),
      ...(original.instrId !== undefined ? { instrId: original.instrId } : {}),
      ...(original.uetr !== undefined ? { uetr: original.uetr } : {}),
    },
    status: ISO_STATUS[rail][state],
    ...(code !== undefined ? { reason: { code, ...(info ? { additionalInfo: max105(info) } : {}) } } : {}),
    // The report travels back: we instruct the partner that instructed us.
    ...(options.agents?.instructed !== undefined ? { instructingAgent: options.agents.instructed } : {}),
    ...(options.agents?.instructing !== undefined ? { instructedAgent: options.agents.instructing } : {}),
    ...(rail === 'rtp'
      ? {
          participants: {
            from: RAILS_CONFIG.rtp.participantId,
            ...(options.participant !== undefined ? { to: options.participant } : {}),
          },
        }
      : {}),
  };
}

/**
 * When the payment's state took effect, as the rail reports it. FedNow: AccptncDtTm = accepted,
 * FctvIntrBkSttlmDt = settlement date once SETTLED. RTP (no FctvIntrBkSttlmDt): AccptncDtTm is
 * when the reported state took effect: settled (ACTC), rejected (RJCT), accepted (RCVD).
 */
function stateTiming(
  payment: Payment,
  rail: Rail,
): Pick<StatusReportInput, 'acceptanceDateTime' | 'settlementDate'> {
  const accepted = payment.acceptedAt ?? payment.createdAt;
  if (rail === 'rtp') {
    const at =
      payment.status === 'SETTLED'
        ? payment.settledAt
        : payment.status === 'REJECTED'
          ? payment.rejectedAt
          : undefined;
    return { acceptanceDateTime: at ?? accepted };
  }
  return {
    acceptanceDateTime: accepted,
    ...(payment.status === 'SETTLED' && payment.settledAt !== undefined
      ? { settlementDate: payment.settledAt.slice(0, 10) }
      : {}),
  };
}

/** The current status of a payment as a pacs.002 report. */
export function reportForPayment(payment: Payment, now: number): StatusReportInput {
  const iso = payment.iso;
  const rail = iso?.rail ?? 'fednow';
  const report = reportForMessage(
    { ...payment.references, ...(iso?.creDtTm !== undefined ? { creDtTm: iso.creDtTm } : {}) },
    payment.status,
    {
      rail,
      now,
      ...(payment.status === 'REJECTED' ? { reason: rejectionOf(payment) } : {}),
      agents: {
        ...(iso?.instructingAgent !== undefined ? { instructing: iso.instructingAgent } : {}),
        ...(iso?.instructedAgent !== undefined ? { instructed: iso.instructedAgent } : {}),
      },
      ...participantOf(payment),
    },
  );
  return { ...report, ...stateTiming(payment, rail) };
}

/**
 * The sender's TCH participant id recorded with the payment; for a payment recorded before it was
 * (docs/release.md rule 3), the one its MsgId carries, as intake reads it.
 */
function participantOf(payment: Payment): { participant?: string } {
  const iso = payment.iso;
  if (iso?.envelope !== 'tch') return {};
  const id = iso.senderParticipantId ?? tchSenderParticipantId(undefined, payment.references.msgId);
  return id !== undefined ? { participant: id } : {};
}

function rejectionOf(payment: Payment): { code: ReasonCode; info: string } {
  const rejection = payment.rejection ?? { code: 'NARR' as ReasonCode, message: 'payment rejected' };
  return { code: rejection.code, info: rejection.message };
}

/**
 * The answer to a pacs.008 that resends a payment already recorded: the payment's CURRENT status
 * (the one mapping, ISO_STATUS), never a blanket "accepted". A resent payment that has since
 * settled is answered FedNow ACSC with its settlement date / RTP ACTC, one that was rejected
 * (enqueue failure, deadline sweep AB05, AM04 at settlement...) RJCT with its reason: nothing new
 * was accepted, the answer is a known final status (HTTP 200 at the edge). A payment still in
 * flight is answered FedNow ACTC (RECEIVED) or ACSP (ACCEPTED) / RTP RCVD (HTTP 202, as a new
 * submission is). The report is about the message received (its MsgId, CreDtTm and references),
 * like every answer to a submission.
 */
export function reportForResend(
  payment: Payment,
  message: OriginalRefs,
  options: { rail: Rail; now: number } & ReportParties,
): StatusReportInput {
  const report = reportForMessage(message, payment.status, {
    rail: options.rail,
    now: options.now,
    ...(payment.status === 'REJECTED' ? { reason: rejectionOf(payment) } : {}),
    ...(options.agents ? { agents: options.agents } : {}),
    ...(options.participant !== undefined ? { participant: options.participant } : {}),
  });
  return { ...report, ...stateTiming(payment, options.rail) };
}
