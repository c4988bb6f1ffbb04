import { randomBytes } from 'node:crypto';
import type { Rail, StatusReportInput, TransactionStatus } from '../iso20022';
import type { Payment, PaymentStatus } from '../domain/payment';
import type { ReasonCode } from '../domain/reasons';

/**
 * pacs.002 status reports about our payments: the one place a payment's state becomes an ISO
 * transaction status.
 *
 *   RECEIVED -> ACTC (accepted after technical validation)
 *   ACCEPTED -> ACSP (accepted, settlement in process: it is on the settlement queue)
 *   SETTLED  -> ACSC (settled, with the settlement date)
 *   REJECTED -> RJCT (with the ISO reason code)
 */
export const ISO_STATUS: Readonly<Record<PaymentStatus, TransactionStatus>> = {
  RECEIVED: 'ACTC',
  ACCEPTED: 'ACSP',
  SETTLED: 'ACSC',
  REJECTED: 'RJCT',
};

/** Identifier this service uses as the sender of its status reports (9 characters). */
const SERVICE_ID = 'RTPPIPE01';
const ALPHANUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomAlnum(length: number): string {
  const bytes = randomBytes(length);
  return Array.from(bytes, (b) => ALPHANUM[b % ALPHANUM.length]).join('');
}

/**
 * A fresh MsgId for a status report, following the rail's convention: FedNow
 * `YYYYMMDD` + 9-character sender id + unique part; TCH RTP `M` + `YYYYMMDD` + 11 characters
 * + unique part. At most 35 characters.
 */
export function newStatusMsgId(rail: Rail, now: number): string {
  const date = new Date(now).toISOString().slice(0, 10).replaceAll('-', '');
  return rail === 'rtp'
    ? `M${date}${SERVICE_ID}SR${randomAlnum(15)}`
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

/** A report on a message that is not (or not yet) a payment: e.g. the RJCT of a refused pacs.008. */
export function reportForMessage(
  original: OriginalRefs,
  status: TransactionStatus,
  options: {
    rail: Rail;
    now: number;
    reason?: { code: ReasonCode; info?: string };
    agents?: { instructing?: string; instructed?: string };
  },
): StatusReportInput {
  return {
    msgId: newStatusMsgId(options.rail, options.now),
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
    status,
    ...(options.reason
      ? {
          reason: {
            code: options.reason.code,
            ...(options.reason.info ? { additionalInfo: max105(options.reason.info) } : {}),
          },
        }
      : {}),
    // The report travels back: we instruct the partner that instructed us.
    ...(options.agents?.instructed !== undefined ? { instructingAgent: options.agents.instructed } : {}),
    ...(options.agents?.instructing !== undefined ? { instructedAgent: options.agents.instructing } : {}),
  };
}

/** The current status of a payment as a pacs.002 report. */
export function reportForPayment(
  payment: Payment,
  now: number,
  statusOverride?: TransactionStatus,
): StatusReportInput {
  const status = statusOverride ?? ISO_STATUS[payment.status];
  const iso = payment.iso;
  const report = reportForMessage(
    { ...payment.references, ...(iso?.creDtTm !== undefined ? { creDtTm: iso.creDtTm } : {}) },
    status,
    {
      rail: iso?.rail ?? 'fednow',
      now,
      ...(status === 'RJCT' && payment.rejection
        ? { reason: { code: payment.rejection.code, info: payment.rejection.message } }
        : {}),
      agents: {
        ...(iso?.instructingAgent !== undefined ? { instructing: iso.instructingAgent } : {}),
        ...(iso?.instructedAgent !== undefined ? { instructed: iso.instructedAgent } : {}),
      },
    },
  );
  return {
    ...report,
    acceptanceDateTime: payment.acceptedAt ?? payment.createdAt,
    ...(status === 'ACSC' && payment.settledAt !== undefined
      ? { settlementDate: payment.settledAt.slice(0, 10) }
      : {}),
  };
}

/** What a resent pacs.008 (same payment, same content) is answered with. */
export interface ResendAnswer {
  /** 200 once the payment is final (ACSC / RJCT), 202 while it is still in flight (ACTC / ACSP). */
  readonly httpStatus: 200 | 202;
  readonly report: StatusReportInput;
}

/**
 * The answer to a pacs.008 that resends a payment already recorded: the payment's CURRENT status
 * (the one mapping, ISO_STATUS), never a blanket ACTC. A resent payment that has since settled is
 * answered ACSC with its settlement date, one that was rejected (enqueue failure, deadline sweep
 * AB05, AM04 at settlement...) RJCT with its reason, both HTTP 200: nothing new was accepted, the
 * answer is a known final status. A payment still in flight is answered ACTC (RECEIVED) or ACSP
 * (ACCEPTED) with HTTP 202, as a new submission is. The report is about the message received
 * (its MsgId, CreDtTm and references), like every answer to a submission.
 */
export function reportForResend(
  payment: Payment,
  message: OriginalRefs,
  options: { rail: Rail; now: number; agents?: { instructing?: string; instructed?: string } },
): ResendAnswer {
  const status = ISO_STATUS[payment.status];
  const rejection = payment.rejection ?? { code: 'NARR' as ReasonCode, message: 'payment rejected' };
  const report = reportForMessage(message, status, {
    rail: options.rail,
    now: options.now,
    ...(status === 'RJCT' ? { reason: { code: rejection.code, info: rejection.message } } : {}),
    ...(options.agents ? { agents: options.agents } : {}),
  });
  return {
    httpStatus: payment.status === 'SETTLED' || payment.status === 'REJECTED' ? 200 : 202,
    report: {
      ...report,
      acceptanceDateTime: payment.acceptedAt ?? payment.createdAt,
      ...(status === 'ACSC' && payment.settledAt !== undefined
        ? { settlementDate: payment.settledAt.slice(0, 10) }
        : {}),
    },
  };
}
