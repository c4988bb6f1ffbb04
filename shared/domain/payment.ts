import type { Money } from './money';
import type { ReasonCode } from './reasons';
import { InternalError } from './errors';

/**
 * Payment state machine:
 *
 *   RECEIVED --enqueue--> ACCEPTED --settle--> SETTLED
 *       |                    |
 *       +------reject--------+------reject---> REJECTED (with ISO reason)
 *
 * RECEIVED: recorded, not yet on the queue. ACCEPTED: on the queue, 202 answered (pacs.002 ACTC).
 * SETTLED and REJECTED are terminal. A message may reach settle while the payment is still
 * RECEIVED (crash between enqueue and the ACCEPTED write): settle treats both as settleable.
 */
export type PaymentStatus = 'RECEIVED' | 'ACCEPTED' | 'SETTLED' | 'REJECTED';

export const TERMINAL_STATUSES: readonly PaymentStatus[] = ['SETTLED', 'REJECTED'];
export const SETTLEABLE_STATUSES: readonly PaymentStatus[] = ['RECEIVED', 'ACCEPTED'];

const TRANSITIONS: Readonly<Record<PaymentStatus, readonly PaymentStatus[]>> = {
  RECEIVED: ['ACCEPTED', 'SETTLED', 'REJECTED'],
  ACCEPTED: ['SETTLED', 'REJECTED'],
  SETTLED: [],
  REJECTED: [],
};

export function canTransition(from: PaymentStatus, to: PaymentStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(from: PaymentStatus, to: PaymentStatus): void {
  if (!canTransition(from, to)) throw new InternalError(`illegal payment transition ${from} -> ${to}`);
}

export function isTerminal(status: PaymentStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export interface Rejection {
  readonly code: ReasonCode;
  readonly message: string;
}

/** References the partner gave us, echoed back in status reports (pacs.002 OrgnlMsgId etc.). */
export interface PaymentReferences {
  readonly endToEndId: string;
  readonly msgId?: string;
  /** FedNow envelope AppHdr/BizMsgIdr (head.001), unique per sender. */
  readonly bizMsgIdr?: string;
  readonly instrId?: string;
  readonly txId?: string;
  readonly uetr?: string;
}

/**
 * Where an ISO 20022 instruction came from, kept so status reports (pacs.002) answer in the
 * partner's own form: same rail, envelope and format, correlated to the original message.
 */
export interface IsoOrigin {
  readonly rail: 'fednow' | 'rtp';
  readonly envelope: 'document' | 'fednow' | 'tch';
  readonly format: 'xml' | 'json';
  readonly msgNmId: string;
  readonly creDtTm?: string;
  readonly instructingAgent?: string;
  readonly instructedAgent?: string;
  /**
   * TCH envelope: the sender's 11-character TCH participant id (its AppHdr Fr, or the one its
   * MsgId carries), answered in our reports' AppHdr To. Optional and additive (docs/release.md
   * rule 3): payments recorded before it have none.
   */
  readonly senderParticipantId?: string;
}

/** The message exactly as received, kept immutable with the payment for audit. */
export interface RawMessage {
  readonly contentType: string;
  /** SHA-256 of the raw bytes, hex. */
  readonly sha256: string;
  readonly body: Buffer;
}

/**
 * What intake hands to the core: the validated instruction. Every intake form (JSON API,
 * ISO 20022 pacs.008 XML or JSON) maps to this one shape in one place.
 */
export interface PaymentInstruction {
  readonly partnerId: string;
  readonly references: PaymentReferences;
  /** Ledger account id of the debtor (opaque to the core). */
  readonly debtorAccount: string;
  /** Ledger account id of the creditor (opaque to the core). */
  readonly creditorAccount: string;
  readonly amount: Money;
  /** Interbank settlement date requested by the partner (ISO date), if any. */
  readonly settlementDate?: string;
  /** Where the instruction came from: `json` (simple API), `pacs.008` (ISO 20022). */
  readonly source: 'json' | 'pacs.008';
  /** Hash of the instruction's business content: same key + same hash = a true duplicate. */
  readonly contentHash: string;
  /** Present for ISO 20022 instructions (source 'pacs.008'). */
  readonly iso?: IsoOrigin;
  /**
   * The rail's own deadline (ISO instant): GrpHdr/CreDtTm + the rail's timeout clock (FedNow
   * 20 s). The payment's deadline is the earlier of this and acceptance + the SLA.
   */
  readonly railDeadline?: string;
}

export interface Payment extends PaymentInstruction {
  readonly paymentId: string;
  readonly status: PaymentStatus;
  readonly createdAt: string;
  readonly acceptedAt?: string;
  readonly settledAt?: string;
  readonly rejectedAt?: string;
  /** Latest instant at which the payment may still settle (ISO date-time). */
  readonly deadline: string;
  readonly rejection?: Rejection;
  readonly version: number;
}
