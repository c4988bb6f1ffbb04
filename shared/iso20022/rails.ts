import { RAILS_CONFIG } from '../config/rails';
import { isCompactDate, isMaxText } from './formats';

export type Rail = 'fednow' | 'rtp';

export interface RailRules {
  readonly rail: Rail;
  readonly name: string;
  /** GrpHdr/SttlmInf/ClrSys/Cd the rail requires. */
  readonly clearingSystem: string;
  /** ClrSysMmbId/ClrSysId/Cd when present (FedNow ExternalClearingSystemIdentification1CodeFixed). */
  readonly memberClearingSystemId?: string;
  /** Currencies the rail settles. */
  readonly currencies: readonly string[];
  /** Network per-transaction limit, in minor units of the rail currency. */
  readonly limitMinor: number;
  /** Maximum digits of the amount (FedNow ActiveCurrencyAndAmountFedNow1 totalDigits 14). */
  readonly maxAmountDigits: number;
  /** Allowed PmtTpInf/SvcLvl/Cd values when present (undefined = not restricted). */
  readonly serviceLevels?: readonly string[];
  /** Allowed PmtTpInf/LclInstrm/Prtry values when present (undefined = not restricted). */
  readonly localInstruments?: readonly string[];
  /**
   * Whether agent member ids must pass the ABA 3-7-1 check digit. FedNow agents are ABA routing
   * numbers (USABA). The TCH schema asks only for 9 characters, and TCH's own published sample
   * participant ids do not carry a valid ABA check digit, so RTP checks the format only.
   */
  readonly abaCheckDigit: boolean;
  /** Rail MsgId convention; returns a reason text when `msgId` breaks it. */
  readonly checkMsgId: (msgId: string) => string | undefined;
}

/**
 * FedNow MessageIdentificationFedNow1 (FedNow pacs.008 schema, moov-io/fednow20022):
 * `[0-9]{8}[a-zA-Z0-9]{9}[a-zA-Z0-9]{1,18}`, 18..35 characters: the business date YYYYMMDD,
 * then the 9-character sender id (the participant's routing number), then a free unique part.
 * Sample: `20230604` + `011104238` + `Sc01Step1MsgId`.
 */
function checkFedNowMsgId(msgId: string): string | undefined {
  if (!/^[0-9]{8}[a-zA-Z0-9]{9}[a-zA-Z0-9]{1,18}$/.test(msgId)) {
    return 'FedNow MsgId must be YYYYMMDD + 9-character sender id + 1..18 alphanumerics (18..35 characters)';
  }
  if (!isCompactDate(msgId.slice(0, 8))) return 'FedNow MsgId must start with a valid date YYYYMMDD';
  return undefined;
}

/**
 * TCH RTP Max35TextTCH (TCH pacs.008 schema, moov-io/rtp20022): `M` + YYYYMMDD + 11 upper-case
 * alphanumerics (the 9-digit participant id and a 2-character suffix) + anything, at most 35
 * characters. Sample: `M` + `20230713` + `234567891T1` + `BOTS02083825666`.
 */
function checkRtpMsgId(msgId: string): string | undefined {
  if (!isMaxText(msgId, 35) || !/^M[0-9]{8}[A-Z0-9]{11}/.test(msgId)) {
    return 'RTP MsgId must be M + YYYYMMDD + 11 upper-case alphanumerics + optional suffix (at most 35 characters)';
  }
  if (!isCompactDate(msgId.slice(1, 9))) return 'RTP MsgId must carry a valid date YYYYMMDD after the M';
  return undefined;
}

export const RAIL_RULES: Readonly<Record<Rail, RailRules>> = {
  fednow: {
    rail: 'fednow',
    name: 'FedNow',
    clearingSystem: 'FDN',
    memberClearingSystemId: 'USABA',
    currencies: ['USD'],
    // FedNow network transaction limit, with its source and date: shared/config/rails.ts.
    limitMinor: RAILS_CONFIG.fednow.limit.limitMinor,
    maxAmountDigits: 14,
    abaCheckDigit: true,
    checkMsgId: checkFedNowMsgId,
  },
  rtp: {
    rail: 'rtp',
    name: 'TCH RTP',
    clearingSystem: 'TCH',
    currencies: ['USD'],
    // TCH RTP network transaction limit, with its source and date: shared/config/rails.ts.
    limitMinor: RAILS_CONFIG.rtp.limit.limitMinor,
    maxAmountDigits: 18,
    abaCheckDigit: false,
    // TCH schema enumerations (ExternalServiceLevel1Code, LocalProp).
    serviceLevels: ['SDVA'],
    localInstruments: ['STANDARD', 'ZELLE', 'IXB', 'INTERMEDIARY', 'FOREIGN AFFILIATE'],
    checkMsgId: checkRtpMsgId,
  },
};

/** Rail named by a clearing system code (GrpHdr/SttlmInf/ClrSys/Cd). */
export function railForClearingSystem(code: string | undefined): Rail | undefined {
  if (code === 'FDN') return 'fednow';
  if (code === 'TCH') return 'rtp';
  return undefined;
}

/** What TCH's Max35Text_TCH patterns admit for the participant part: `[A-Z0-9]{11}`. */
const TCH_PARTICIPANT_PATTERN = /^[A-Z0-9]{11}$/;

/**
 * The TCH participant id (11 characters) of the sender of a TCH message, to answer it in
 * AppHdr/To: its AppHdr Fr member id when given (TCH's schema makes a non-empty one 11
 * characters), otherwise the one TCH's MsgId convention carries after `M` + YYYYMMDD (TCH's
 * own samples leave the AppHdr empty; checkRtpMsgId). Undefined when neither is readable.
 */
export function tchSenderParticipantId(
  appHdrFrom: string | undefined,
  msgId: string | undefined,
): string | undefined {
  const from = appHdrFrom?.trim();
  if (from && TCH_PARTICIPANT_PATTERN.test(from)) return from;
  if (msgId !== undefined && checkRtpMsgId(msgId) === undefined) return msgId.slice(9, 20);
  return undefined;
}
