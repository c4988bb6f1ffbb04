import { NotPermittedError, ValidationError, type FieldIssue } from '../domain/errors';
import { isOwnInstitution, NOT_OWN_DEBTOR_ACCOUNT } from '../domain/ownership';
import type { Money } from '../domain/money';
import type { PaymentReferences } from '../domain/payment';
import { isIsoDate, isIsoDateTime, isMaxText, isUetr } from './formats';
import { IssueList } from './issues';
import type { PartnerContext } from './partner-context';
import { inferRail, type CreditTransferTransaction, type GroupHeader, type ParsedPacs008 } from './pacs008';
import { RAIL_RULES, type Rail, type RailRules } from './rails';
import { checkAmount, checkTotal } from './validate-amount';
import { checkRailRules, type RailCheckOptions } from './validate-rail';
import { checkAccount, checkAgent, checkPartyName, type AgentIdentity } from './validate-parties';

export type { PartnerContext };

export interface ValidateOptions extends RailCheckOptions {
  readonly partner: PartnerContext;
  /**
   * Rail of the route / partner. If omitted it is taken from the envelope (TCH Message -> rtp,
   * FedNow envelope -> fednow), else from GrpHdr/SttlmInf/ClrSys/Cd (FDN / TCH).
   */
  readonly rail?: Rail;
  /** Enforce the ABA check digit on routing numbers (default true). */
  readonly routingCheckDigit?: boolean;
}

export interface AccountRef {
  /** Routing number (or BIC) of the account's agent. */
  readonly agentMemberId: string;
  /** IBAN, Othr/Id, or `tel:+E164` for a mobile wallet. */
  readonly accountId: string;
  readonly name: string;
}

/** A pacs.008 that passed every check, with its business content extracted and typed. */
export interface ValidatedPacs008 {
  readonly parsed: ParsedPacs008;
  readonly rail: Rail;
  readonly creationDateTime: string;
  readonly references: PaymentReferences & { readonly msgId: string };
  readonly amount: Money;
  readonly settlementDate: string;
  readonly debtor: AccountRef;
  readonly creditor: AccountRef;
  readonly instructingAgentId: string;
  readonly instructedAgentId: string;
  /** CreDtTm + the rail's timeout clock (ISO instant), when CreDtTm could be read. */
  readonly railDeadline?: string;
}

const TX = 'CdtTrfTxInf';

/** GrpHdr: MsgId (rail convention), CreDtTm, NbOfTxs = 1, SttlmInf CLRG + the rail's clearing system. */
function checkGroupHeader(
  hdr: GroupHeader | undefined,
  transactionCount: number,
  rules: RailRules | undefined,
  issues: IssueList,
): { msgId?: string; creDtTm?: string } {
  if (!issues.required(hdr, 'GrpHdr')) return {};
  const msgId = issues.required(hdr?.MsgId, 'GrpHdr.MsgId');
  let msgIdOk = msgId !== undefined;
  if (msgId !== undefined) {
    const problem = !isMaxText(msgId, 35) ? 'MsgId must be 1..35 characters' : rules?.checkMsgId(msgId);
    if (problem) issues.add('GrpHdr.MsgId', 'FF01', problem);
    msgIdOk = !problem;
  }
  const creDtTm = issues.required(hdr?.CreDtTm, 'GrpHdr.CreDtTm');
  if (creDtTm !== undefined && !isIsoDateTime(creDtTm)) {
    issues.add(
      'GrpHdr.CreDtTm',
      'DT01',
      'CreDtTm must be an ISO date-time YYYY-MM-DDThh:mm:ss[.s][Z|+hh:mm]',
    );
  }
  const nbOfTxs = issues.required(hdr?.NbOfTxs, 'GrpHdr.NbOfTxs');
  if (nbOfTxs !== undefined && nbOfTxs !== '1') {
    // FedNow Max15NumericTextFixed = "1"; TCH Max1NumericText = [1]: one transaction per message.
    issues.add(
      'GrpHdr.NbOfTxs',
      'FF01',
      `NbOfTxs must be 1 (one transaction per message), got '${nbOfTxs.slice(0, 18)}'`,
    );
  } else if (nbOfTxs === '1' && transactionCount > 1) {
    issues.add(TX, 'FF01', `NbOfTxs is 1 but the message holds ${transactionCount} CdtTrfTxInf`);
  }
  const sttlm = issues.required(hdr?.SttlmInf, 'GrpHdr.SttlmInf');
  if (sttlm) {
    const method = issues.required(sttlm.SttlmMtd, 'GrpHdr.SttlmInf.SttlmMtd');
    if (method !== undefined && method !== 'CLRG') {
      issues.add(
        'GrpHdr.SttlmInf.SttlmMtd',
        'FF01',
        'SttlmMtd must be CLRG (settled through the clearing system)',
      );
    }
    const clrSys = issues.required(sttlm.ClrSys, 'GrpHdr.SttlmInf.ClrSys');
    const code = clrSys ? issues.required(clrSys.Cd, 'GrpHdr.SttlmInf.ClrSys.Cd') : undefined;
    if (code !== undefined && rules && code !== rules.clearingSystem) {
      issues.add(
        'GrpHdr.SttlmInf.ClrSys.Cd',
        'FF01',
        `clearing system must be ${rules.clearingSystem} for ${rules.name}`,
      );
    } else if (code !== undefined && !rules) {
      issues.add(
        'GrpHdr.SttlmInf.ClrSys.Cd',
        'FF01',
        `unknown clearing system '${code.slice(0, 10)}': expected FDN (FedNow) or TCH (RTP)`,
      );
    }
  }
  return { ...(msgIdOk ? { msgId } : {}), ...(creDtTm !== undefined ? { creDtTm } : {}) };
}

/** Settlement date from the transaction, or the group header (TCH RTP carries it there). */
function checkSettlementDate(
  tx: CreditTransferTransaction,
  hdr: GroupHeader | undefined,
  issues: IssueList,
): string | undefined {
  const candidates = [
    { field: `${TX}.IntrBkSttlmDt`, value: tx.IntrBkSttlmDt },
    { field: 'GrpHdr.IntrBkSttlmDt', value: hdr?.IntrBkSttlmDt },
  ].filter((c): c is { field: string; value: string } => c.value !== undefined && c.value.trim() !== '');
  const [first, second] = candidates;
  if (!first) return issues.required(undefined, `${TX}.IntrBkSttlmDt`, 'IntrBkSttlmDt (settlement date)');
  let ok = true;
  for (const c of candidates) {
    if (!isIsoDate(c.value)) {
      issues.add(c.field, 'DT01', 'settlement date must be an ISO date YYYY-MM-DD');
      ok = false;
    }
  }
  if (ok && second && second.value !== first.value) {
    issues.add(`${TX}.IntrBkSttlmDt`, 'FF01', 'IntrBkSttlmDt differs from GrpHdr/IntrBkSttlmDt');
    ok = false;
  }
  return ok ? first.value : undefined;
}

function checkPaymentIds(tx: CreditTransferTransaction, issues: IssueList): PaymentReferences | undefined {
  const pmtId = issues.required(tx.PmtId, `${TX}.PmtId`);
  if (!pmtId) return undefined;
  const before = issues.items.length;
  const endToEndId = issues.required(pmtId.EndToEndId, `${TX}.PmtId.EndToEndId`);
  for (const [name, value] of [
    ['EndToEndId', endToEndId],
    ['InstrId', pmtId.InstrId],
    ['TxId', pmtId.TxId],
  ] as const) {
    if (value !== undefined && !isMaxText(value, 35))
      issues.add(`${TX}.PmtId.${name}`, 'FF01', `${name} must be 1..35 characters`);
  }
  if (pmtId.UETR !== undefined && !isUetr(pmtId.UETR)) {
    issues.add(`${TX}.PmtId.UETR`, 'FF01', 'UETR must be a lower-case UUID version 4 (ISO UUIDv4Identifier)');
  }
  if (endToEndId === undefined || issues.items.length !== before) return undefined;
  return {
    endToEndId,
    ...(pmtId.InstrId !== undefined ? { instrId: pmtId.InstrId } : {}),
    ...(pmtId.TxId !== undefined ? { txId: pmtId.TxId } : {}),
    ...(pmtId.UETR !== undefined ? { uetr: pmtId.UETR } : {}),
  };
}

function checkPaymentType(
  tx: CreditTransferTransaction,
  rules: RailRules | undefined,
  issues: IssueList,
): void {
  const codes = (tx.PmtTpInf?.SvcLvl ?? []).map((s) => s.Cd).filter((c): c is string => c !== undefined);
  for (const code of codes) {
    if (rules?.serviceLevels && !rules.serviceLevels.includes(code)) {
      issues.add(
        `${TX}.PmtTpInf.SvcLvl.Cd`,
        'FF01',
        `${rules.name} service level must be ${rules.serviceLevels.join(' or ')}`,
      );
    }
  }
  const local = tx.PmtTpInf?.LclInstrm?.Prtry;
  if (local !== undefined && rules?.localInstruments && !rules.localInstruments.includes(local)) {
    issues.add(
      `${TX}.PmtTpInf.LclInstrm.Prtry`,
      'FF01',
      `${rules.name} local instrument must be one of ${rules.localInstruments.join(', ')}`,
    );
  }
}

/** Where an agent identifier came from: the routing number (MmbId) or the BIC. */
function agentIdPath(path: string, id: string): string {
  return /^[0-9]{9}$/.test(id) ? `${path}.FinInstnId.ClrSysMmbId.MmbId` : `${path}.FinInstnId.BICFI`;
}

/**
 * Ownership: the partner sends only on behalf of its own institution. The debtor agent's
 * identifier from which the ledger account id is derived (its routing number, else its BIC)
 * must be one of the partner's institution ids, and so must every other identifier given for
 * the debtor agent and the instructing agent (a partner's own BIC next to another bank's routing
 * number is refused). Decided from the message alone, never from the ledger, so the refusal is
 * the same whatever the named account's state.
 */
function checkOwnAgents(
  debtorAgent: AgentIdentity | undefined,
  instructingAgent: AgentIdentity | undefined,
  partner: PartnerContext,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const refuse = (path: string, message: string) => issues.push({ field: path, code: 'AGNT', message });
  if (debtorAgent) {
    for (const id of debtorAgent.ids) {
      if (isOwnInstitution(partner, id)) continue;
      refuse(
        agentIdPath(`${TX}.DbtrAgt`, id),
        id === debtorAgent.memberId
          ? NOT_OWN_DEBTOR_ACCOUNT.message
          : 'every identifier of the debtor agent must be an institution of the calling partner',
      );
    }
  }
  if (instructingAgent) {
    for (const id of instructingAgent.ids) {
      if (!isOwnInstitution(partner, id)) {
        refuse(
          agentIdPath(`${TX}.InstgAgt`, id),
          'the instructing agent must be an institution of the calling partner',
        );
      }
    }
  }
  return issues;
}

/**
 * The four agents, then ownership (refused first and alone, as NotPermittedError), then the
 * debtor and creditor names and accounts, and the creditor account not being the debtor's.
 */
function checkParties(
  tx: CreditTransferTransaction,
  rules: RailRules | undefined,
  partner: PartnerContext,
  checkDigit: boolean,
  issues: IssueList,
) {
  const instg = checkAgent(tx.InstgAgt, `${TX}.InstgAgt`, issues, rules, checkDigit);
  const instd = checkAgent(tx.InstdAgt, `${TX}.InstdAgt`, issues, rules, checkDigit);
  const dbtrAgt = checkAgent(tx.DbtrAgt, `${TX}.DbtrAgt`, issues, rules, checkDigit);
  const cdtrAgt = checkAgent(tx.CdtrAgt, `${TX}.CdtrAgt`, issues, rules, checkDigit);
  // Refused first and alone: a movement the caller may not instruct (403), whatever else is wrong.
  const notPermitted = checkOwnAgents(dbtrAgt, instg, partner);
  if (notPermitted.length > 0) throw new NotPermittedError(notPermitted);
  const dbtrName = checkPartyName(tx.Dbtr, `${TX}.Dbtr`, issues);
  const cdtrName = checkPartyName(tx.Cdtr, `${TX}.Cdtr`, issues);
  const dbtrAcct = checkAccount(tx.DbtrAcct, `${TX}.DbtrAcct`, 'AC02', issues);
  const cdtrAcct = checkAccount(tx.CdtrAcct, `${TX}.CdtrAcct`, 'AC03', issues);
  if (
    dbtrAgt &&
    cdtrAgt &&
    dbtrAgt.memberId === cdtrAgt.memberId &&
    dbtrAcct !== undefined &&
    dbtrAcct === cdtrAcct
  ) {
    issues.add(`${TX}.CdtrAcct`, 'AC03', 'creditor account is the debtor account');
  }
  return { instg, instd, dbtrAgt, cdtrAgt, dbtrName, cdtrName, dbtrAcct, cdtrAcct };
}

/**
 * Validates a parsed pacs.008 against ISO 20022, the rail's published rules (FedNow / TCH RTP)
 * and the partner's rights. Every problem is collected; throws ValidationError(issues) if any.
 */
export function validatePacs008(parsed: ParsedPacs008, options: ValidateOptions): ValidatedPacs008 {
  const issues = new IssueList();
  const { partner } = options;
  const rail = options.rail ?? inferRail(parsed);
  const rules = rail ? RAIL_RULES[rail] : undefined;
  const checkDigit = options.routingCheckDigit ?? rules?.abaCheckDigit ?? true;
  const hdr = parsed.document.FIToFICstmrCdtTrf.GrpHdr;
  const header = checkGroupHeader(hdr, parsed.transactionCount, rules, issues);
  const tx = issues.required(parsed.document.FIToFICstmrCdtTrf.CdtTrfTxInf, TX);
  if (!tx) throw new ValidationError(issues.items);

  const references = checkPaymentIds(tx, issues);
  checkPaymentType(tx, rules, issues);
  const amount = checkAmount(tx.IntrBkSttlmAmt, rules, partner, issues);
  checkTotal(hdr?.TtlIntrBkSttlmAmt, amount, issues);
  const settlementDate = checkSettlementDate(tx, hdr, issues);
  const chrgBr = issues.required(tx.ChrgBr, `${TX}.ChrgBr`);
  if (chrgBr !== undefined && chrgBr !== 'SLEV') {
    issues.add(
      `${TX}.ChrgBr`,
      'FF01',
      'ChrgBr must be SLEV (charges follow the service level) on both rails',
    );
  }
  const { instg, instd, dbtrAgt, cdtrAgt, dbtrName, cdtrName, dbtrAcct, cdtrAcct } = checkParties(
    tx,
    rules,
    partner,
    checkDigit,
    issues,
  );
  const { bizMsgIdr, ...railChecks } = checkRailRules(parsed, tx, hdr, rail, options, issues);

  if (
    !issues.empty ||
    !rail ||
    !header.msgId ||
    !header.creDtTm ||
    !references ||
    !amount ||
    !settlementDate ||
    !instg ||
    !instd ||
    !dbtrAgt ||
    !cdtrAgt ||
    !dbtrName ||
    !cdtrName ||
    !dbtrAcct ||
    !cdtrAcct
  ) {
    throw new ValidationError(
      issues.items.length ? issues.items : [{ field: TX, code: 'FF01', message: 'invalid credit transfer' }],
    );
  }
  return {
    parsed,
    rail,
    creationDateTime: header.creDtTm,
    references: { ...references, msgId: header.msgId, ...(bizMsgIdr !== undefined ? { bizMsgIdr } : {}) },
    amount,
    settlementDate,
    debtor: { agentMemberId: dbtrAgt.memberId, accountId: dbtrAcct, name: dbtrName },
    creditor: { agentMemberId: cdtrAgt.memberId, accountId: cdtrAcct, name: cdtrName },
    instructingAgentId: instg.memberId,
    instructedAgentId: instd.memberId,
    ...railChecks,
  };
}
