import { checkIdentifierChars, checkXmlChars } from './charset';
import type { IssueList } from './issues';
import type { CreditTransferTransaction, GroupHeader, ParsedPacs008 } from './pacs008';
import { checkRailClock, instantOf, railDeadline } from './rail-clock';
import type { Rail } from './rails';

const TX = 'CdtTrfTxInf';

export interface RailCheckOptions {
  /** Arrival instant: with it the clock rules apply (the intake always passes one). */
  readonly now?: number;
  readonly clockSkewSeconds?: number;
}

/**
 * The rail rules that need more than one element (README "Rail rules and sources"):
 * characters (every text an XML Char; references and account numbers printable ASCII), the
 * timeout clock from CreDtTm and the business day of IntrBkSttlmDt. Returns the rail deadline
 * (CreDtTm + the rail's timeout clock) when CreDtTm can be read.
 */
export function checkRailRules(
  parsed: ParsedPacs008,
  tx: CreditTransferTransaction,
  hdr: GroupHeader | undefined,
  rail: Rail | undefined,
  options: RailCheckOptions,
  issues: IssueList,
): { railDeadline?: string; bizMsgIdr?: string } {
  checkXmlChars(parsed.document.FIToFICstmrCdtTrf, '', issues);
  if (parsed.appHdr) checkXmlChars(parsed.appHdr, 'AppHdr', issues);
  const identifiers: [string | undefined, string][] = [
    [hdr?.MsgId, 'GrpHdr.MsgId'],
    [tx.PmtId?.EndToEndId, `${TX}.PmtId.EndToEndId`],
    [tx.PmtId?.InstrId, `${TX}.PmtId.InstrId`],
    [tx.PmtId?.TxId, `${TX}.PmtId.TxId`],
    [tx.PmtId?.UETR, `${TX}.PmtId.UETR`],
    [parsed.appHdr?.bizMsgIdr, 'AppHdr.BizMsgIdr'],
    [tx.DbtrAcct?.Id?.IBAN, `${TX}.DbtrAcct.Id.IBAN`],
    [tx.DbtrAcct?.Id?.Othr?.Id, `${TX}.DbtrAcct.Id.Othr.Id`],
    [tx.CdtrAcct?.Id?.IBAN, `${TX}.CdtrAcct.Id.IBAN`],
    [tx.CdtrAcct?.Id?.Othr?.Id, `${TX}.CdtrAcct.Id.Othr.Id`],
  ];
  for (const [value, field] of identifiers) checkIdentifierChars(value, field, issues);

  if (!rail) return {};
  // FedNow duplicate detection also runs on the AppHdr BizMsgIdr (head.001), when given.
  const bizMsgIdr = rail === 'fednow' ? parsed.appHdr?.bizMsgIdr?.trim() || undefined : undefined;
  const created = hdr?.CreDtTm !== undefined ? instantOf(hdr.CreDtTm) : undefined;
  if (options.now !== undefined) {
    const txDate = tx.IntrBkSttlmDt?.trim() ? tx.IntrBkSttlmDt : undefined;
    const settlementDate = txDate ?? (hdr?.IntrBkSttlmDt?.trim() ? hdr.IntrBkSttlmDt : undefined);
    checkRailClock(
      {
        rail,
        ...(hdr?.CreDtTm !== undefined ? { creDtTm: hdr.CreDtTm } : {}),
        ...(settlementDate !== undefined ? { settlementDate } : {}),
        settlementField: txDate !== undefined ? `${TX}.IntrBkSttlmDt` : 'GrpHdr.IntrBkSttlmDt',
      },
      {
        now: options.now,
        ...(options.clockSkewSeconds !== undefined ? { clockSkewSeconds: options.clockSkewSeconds } : {}),
      },
      issues,
    );
  }
  return {
    ...(created !== undefined ? { railDeadline: new Date(railDeadline(rail, created)).toISOString() } : {}),
    ...(bizMsgIdr !== undefined ? { bizMsgIdr } : {}),
  };
}
