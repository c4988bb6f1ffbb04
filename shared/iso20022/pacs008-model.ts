import * as z from 'zod/mini';
import { many, obj } from './json-guard';
import type { IsoNode } from './mirror';

/**
 * Typed model of the FIToFICstmrCdtTrf subset we read, using the ISO 20022 element names
 * (so the model IS the documented JSON form). Every leaf is the element's text; every field
 * is optional here: presence and format are checked by validate.ts, which can then report
 * each problem with its path and reason code instead of a schema dump. Unknown elements are
 * dropped. Elements that may repeat in the schema and that we keep are arrays.
 */

export interface CodeOrProprietary {
  readonly Cd?: string;
  readonly Prtry?: string;
}

/** ActiveCurrencyAndAmount: attribute `Ccy` + the decimal text as `value`. */
export interface IsoAmount {
  readonly Ccy?: string;
  readonly value?: string;
}

export interface PostalAddress {
  readonly Dept?: string;
  readonly SubDept?: string;
  readonly StrtNm?: string;
  readonly BldgNb?: string;
  readonly BldgNm?: string;
  readonly Flr?: string;
  readonly PstBx?: string;
  readonly Room?: string;
  readonly PstCd?: string;
  readonly TwnNm?: string;
  readonly TwnLctnNm?: string;
  readonly DstrctNm?: string;
  readonly CtrySubDvsn?: string;
  readonly Ctry?: string;
  readonly AdrLine?: readonly string[];
}

export interface ClearingSystemMemberId {
  readonly ClrSysId?: CodeOrProprietary;
  readonly MmbId?: string;
}

export interface FinancialInstitutionId {
  readonly BICFI?: string;
  readonly ClrSysMmbId?: ClearingSystemMemberId;
  readonly LEI?: string;
  readonly Nm?: string;
  readonly PstlAdr?: PostalAddress;
}

export interface Agent {
  readonly FinInstnId?: FinancialInstitutionId;
}

export interface Party {
  readonly Nm?: string;
  readonly PstlAdr?: PostalAddress;
  readonly CtryOfRes?: string;
}

export interface CashAccount {
  readonly Id?: {
    readonly IBAN?: string;
    readonly Othr?: { readonly Id?: string; readonly SchmeNm?: CodeOrProprietary; readonly Issr?: string };
  };
  readonly Tp?: CodeOrProprietary;
  readonly Ccy?: string;
  readonly Nm?: string;
  /** Proxy (alias) of the account, e.g. `{ Tp: { Cd: 'MBNO' }, Id: '+15555550100' }` for a mobile wallet. */
  readonly Prxy?: { readonly Tp?: CodeOrProprietary; readonly Id?: string };
}

export interface GroupHeader {
  readonly MsgId?: string;
  readonly CreDtTm?: string;
  readonly NbOfTxs?: string;
  readonly TtlIntrBkSttlmAmt?: IsoAmount;
  /** Group-level settlement date (TCH RTP puts it here). */
  readonly IntrBkSttlmDt?: string;
  readonly SttlmInf?: { readonly SttlmMtd?: string; readonly ClrSys?: CodeOrProprietary };
}

export interface CreditTransferTransaction {
  readonly PmtId?: {
    readonly InstrId?: string;
    readonly EndToEndId?: string;
    readonly TxId?: string;
    readonly UETR?: string;
    readonly ClrSysRef?: string;
  };
  readonly PmtTpInf?: {
    readonly InstrPrty?: string;
    readonly SvcLvl?: readonly CodeOrProprietary[];
    readonly LclInstrm?: CodeOrProprietary;
    readonly CtgyPurp?: CodeOrProprietary;
  };
  readonly IntrBkSttlmAmt?: IsoAmount;
  readonly IntrBkSttlmDt?: string;
  readonly ChrgBr?: string;
  readonly InstgAgt?: Agent;
  readonly InstdAgt?: Agent;
  readonly UltmtDbtr?: Party;
  readonly Dbtr?: Party;
  readonly DbtrAcct?: CashAccount;
  readonly DbtrAgt?: Agent;
  readonly CdtrAgt?: Agent;
  readonly Cdtr?: Party;
  readonly CdtrAcct?: CashAccount;
  readonly UltmtCdtr?: Party;
  readonly Purp?: CodeOrProprietary;
  /** Unstructured lines as text; structured blocks kept as their JSON mirror (not interpreted). */
  readonly RmtInf?: { readonly Ustrd?: readonly string[]; readonly Strd?: readonly IsoNode[] };
}

/** The JSON form: `{ "FIToFICstmrCdtTrf": { "GrpHdr": {...}, "CdtTrfTxInf": {...} } }`. */
export interface Pacs008Document {
  readonly FIToFICstmrCdtTrf: {
    readonly GrpHdr?: GroupHeader;
    readonly CdtTrfTxInf?: CreditTransferTransaction;
  };
}

// ---- zod schemas (shape only; see module comment) ----

const text = z.string();

const isoNode: z.ZodMiniType<IsoNode> = z.lazy(() =>
  z.union([z.string(), z.array(isoNode), z.record(z.string(), isoNode)]),
);

const codeOrProprietary = obj({ Cd: z.optional(text), Prtry: z.optional(text) });
/** `"1.00"` alone (no Ccy attribute in the XML) is accepted here so validate.ts can say "Ccy missing". */
const amount = z.union([
  z.pipe(
    z.string(),
    z.transform((value): IsoAmount => ({ value })),
  ),
  z.object({ Ccy: z.optional(text), value: z.optional(text) }),
]);
const postalAddress = obj({
  Dept: z.optional(text),
  SubDept: z.optional(text),
  StrtNm: z.optional(text),
  BldgNb: z.optional(text),
  BldgNm: z.optional(text),
  Flr: z.optional(text),
  PstBx: z.optional(text),
  Room: z.optional(text),
  PstCd: z.optional(text),
  TwnNm: z.optional(text),
  TwnLctnNm: z.optional(text),
  DstrctNm: z.optional(text),
  CtrySubDvsn: z.optional(text),
  Ctry: z.optional(text),
  AdrLine: z.optional(many(text)),
});
const agent = obj({
  FinInstnId: z.optional(
    obj({
      BICFI: z.optional(text),
      ClrSysMmbId: z.optional(obj({ ClrSysId: z.optional(codeOrProprietary), MmbId: z.optional(text) })),
      LEI: z.optional(text),
      Nm: z.optional(text),
      PstlAdr: z.optional(postalAddress),
    }),
  ),
});
const party = obj({
  Nm: z.optional(text),
  PstlAdr: z.optional(postalAddress),
  CtryOfRes: z.optional(text),
});
const account = obj({
  Id: z.optional(
    obj({
      IBAN: z.optional(text),
      Othr: z.optional(
        obj({
          Id: z.optional(text),
          SchmeNm: z.optional(codeOrProprietary),
          Issr: z.optional(text),
        }),
      ),
    }),
  ),
  Tp: z.optional(codeOrProprietary),
  Ccy: z.optional(text),
  Nm: z.optional(text),
  Prxy: z.optional(obj({ Tp: z.optional(codeOrProprietary), Id: z.optional(text) })),
});

const groupHeader = obj({
  MsgId: z.optional(text),
  CreDtTm: z.optional(text),
  NbOfTxs: z.optional(text),
  TtlIntrBkSttlmAmt: z.optional(amount),
  IntrBkSttlmDt: z.optional(text),
  SttlmInf: z.optional(obj({ SttlmMtd: z.optional(text), ClrSys: z.optional(codeOrProprietary) })),
});

const transaction = obj({
  PmtId: z.optional(
    obj({
      InstrId: z.optional(text),
      EndToEndId: z.optional(text),
      TxId: z.optional(text),
      UETR: z.optional(text),
      ClrSysRef: z.optional(text),
    }),
  ),
  PmtTpInf: z.optional(
    obj({
      InstrPrty: z.optional(text),
      SvcLvl: z.optional(many(codeOrProprietary)),
      LclInstrm: z.optional(codeOrProprietary),
      CtgyPurp: z.optional(codeOrProprietary),
    }),
  ),
  IntrBkSttlmAmt: z.optional(amount),
  IntrBkSttlmDt: z.optional(text),
  ChrgBr: z.optional(text),
  InstgAgt: z.optional(agent),
  InstdAgt: z.optional(agent),
  UltmtDbtr: z.optional(party),
  Dbtr: z.optional(party),
  DbtrAcct: z.optional(account),
  DbtrAgt: z.optional(agent),
  CdtrAgt: z.optional(agent),
  Cdtr: z.optional(party),
  CdtrAcct: z.optional(account),
  UltmtCdtr: z.optional(party),
  Purp: z.optional(codeOrProprietary),
  RmtInf: z.optional(obj({ Ustrd: z.optional(many(text)), Strd: z.optional(many(isoNode)) })),
});

/** FIToFICstmrCdtTrf with CdtTrfTxInf as one object or an array (counted, first one kept). */
export const creditTransferSchema = obj({
  GrpHdr: z.optional(groupHeader),
  CdtTrfTxInf: z.optional(many(transaction)),
});
