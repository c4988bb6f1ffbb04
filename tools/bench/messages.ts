/**
 * Payment request bodies for the load: signed pacs.008 messages built from the real FedNow sample
 * (shared/iso20022/__fixtures__) as a template with fresh references, amount and accounts, as XML
 * or in the ISO JSON form, and the simple JSON form. Templates are compiled once (the sample with
 * its values replaced by tokens, each replacement counted so a changed sample fails loudly);
 * filling one is a join of a few strings.
 */
import { fixture, FEDNOW_SCENARIO1 } from '../../shared/iso20022/__fixtures__';
import { NS, parseXml, parsePacs008Json, PACS008_SPEC, toPacs008Json } from '../../shared/iso20022';
import { locateMessage } from '../../shared/iso20022/envelope';
import { toMirror } from '../../shared/iso20022/mirror';
import { railBusinessDay } from '../../shared/iso20022/rail-clock';
import type { SimAccount } from './world';

export type WireForm = 'xml' | 'json' | 'simple';

export interface PaymentFields {
  readonly endToEndId: string;
  readonly msgId: string;
  readonly instrId: string;
  readonly uetr: string;
  readonly debtor: SimAccount;
  readonly creditor: SimAccount;
  readonly amountMinor: number;
  readonly createdAt: Date;
  /** Make the message invalid on purpose (an amount with three decimals, or zero minor units). */
  readonly invalid: boolean;
}

export interface PaymentBody {
  readonly body: string;
  readonly contentType: string;
}

const TOKENS = [
  'MSGID',
  'CREDTTM',
  'INSTRID',
  'E2E',
  'UETR',
  'AMOUNT',
  'STTLMDT',
  'DBTR_AGT',
  'CDTR_AGT',
  'DBTR_ACCT',
  'CDTR_ACCT',
] as const;
type Token = (typeof TOKENS)[number];
type TemplateValues = Readonly<Record<Token, string>>;

/** The literal values of the FedNow Scenario 1 sample, and how many times each occurs. */
const SAMPLE_VALUES: readonly (readonly [string, Token, number])[] = [
  ['<MsgId>20230604011104238Sc01Step1MsgId</MsgId>', 'MSGID', 1],
  ['<CreDtTm>2023-06-04T10:55:26-04:00</CreDtTm>', 'CREDTTM', 1],
  ['<InstrId>Scenario01InstrId001</InstrId>', 'INSTRID', 1],
  ['<EndToEndId>Scenario01EtoEId001</EndToEndId>', 'E2E', 1],
  ['<UETR>8a562c67-ca16-48ba-b074-65581be6f011</UETR>', 'UETR', 1],
  ['<IntrBkSttlmAmt Ccy="USD">51.74</IntrBkSttlmAmt>', 'AMOUNT', 1],
  ['<IntrBkSttlmDt>2023-06-04</IntrBkSttlmDt>', 'STTLMDT', 1],
  ['<MmbId>011104238</MmbId>', 'DBTR_AGT', 2],
  ['<MmbId>021040078</MmbId>', 'CDTR_AGT', 2],
  ['<Id>0031234567</Id>', 'DBTR_ACCT', 1],
  ['<Id>56478374687</Id>', 'CDTR_ACCT', 1],
];

const marker = (token: Token) => `@@${token}@@`;

function count(text: string, part: string): number {
  return text.split(part).length - 1;
}

/** The sample with every varying value replaced by its marker. */
function tokenizedSample(): string {
  let xml = fixture(FEDNOW_SCENARIO1);
  for (const [literal, token, expected] of SAMPLE_VALUES) {
    const found = count(xml, literal);
    if (found !== expected) {
      throw new Error(
        `bench template: expected ${expected} × ${literal} in ${FEDNOW_SCENARIO1}, found ${found}`,
      );
    }
    const open = literal.slice(0, literal.indexOf('>') + 1);
    const close = literal.slice(literal.lastIndexOf('<'));
    xml = xml.split(literal).join(`${open}${marker(token)}${close}`);
  }
  return xml;
}

type CompiledTemplate = (values: TemplateValues) => string;

/** Splits `text` at the markers once; filling is then a join. */
function compile(text: string): CompiledTemplate {
  const parts: string[] = [];
  const slots: Token[] = [];
  const pattern = new RegExp(`@@(${TOKENS.join('|')})@@`, 'g');
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const token = TOKENS.find((t) => t === match[1]);
    if (token === undefined || match.index === undefined) continue;
    parts.push(text.slice(last, match.index));
    slots.push(token);
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return (values) => {
    let out = parts[0] ?? '';
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i];
      out += (slot === undefined ? '' : values[slot]) + (parts[i + 1] ?? '');
    }
    return out;
  };
}

let templates: { xml: CompiledTemplate; json: CompiledTemplate } | undefined;

function compiledTemplates(): { xml: CompiledTemplate; json: CompiledTemplate } {
  if (templates === undefined) {
    const xml = tokenizedSample();
    // The ISO JSON form of the same message, produced by the intake library itself. The
    // template holds @@markers@@, which its XSD refuses: read it without the schema step.
    const located = locateMessage(parseXml(xml), PACS008_SPEC);
    const json = JSON.stringify(
      toPacs008Json(parsePacs008Json({ FIToFICstmrCdtTrf: toMirror(located.message, NS.pacs008) })),
    );
    templates = { xml: compile(xml), json: compile(json) };
  }
  return templates;
}

/** 1234 -> "12.34" (minor units of a 2-decimal currency as an ISO decimal amount). */
export function decimalAmount(amountMinor: number): string {
  return `${Math.floor(amountMinor / 100)}.${String(amountMinor % 100).padStart(2, '0')}`;
}

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function buildPaymentBody(form: WireForm, f: PaymentFields): PaymentBody {
  if (form === 'simple') {
    return {
      contentType: 'application/json',
      body: JSON.stringify({
        endToEndId: f.endToEndId,
        debtorAccount: f.debtor.ledgerId,
        creditorAccount: f.creditor.ledgerId,
        amountMinor: f.invalid ? 0 : f.amountMinor,
        currency: 'USD',
      }),
    };
  }
  const values: TemplateValues = {
    MSGID: f.msgId,
    CREDTTM: f.createdAt.toISOString(),
    INSTRID: f.instrId,
    E2E: f.endToEndId,
    UETR: f.uetr,
    // Three decimals for USD: AM12, refused at intake (never rounded).
    AMOUNT: f.invalid ? `${decimalAmount(f.amountMinor)}5` : decimalAmount(f.amountMinor),
    // The FedNow business day (7 p.m. ET cut-over, weekends and holidays roll forward).
    STTLMDT: railBusinessDay('fednow', f.createdAt.getTime()),
    DBTR_AGT: f.debtor.routingNumber,
    CDTR_AGT: f.creditor.routingNumber,
    DBTR_ACCT: f.debtor.accountNumber,
    CDTR_ACCT: f.creditor.accountNumber,
  };
  const t = compiledTemplates();
  return form === 'xml'
    ? { contentType: 'application/xml', body: t.xml(values) }
    : { contentType: 'application/json', body: t.json(values) };
}

/** FedNow MsgId: YYYYMMDD + 9-character sender id (the routing number) + a unique part (<= 18). */
export function fedNowMsgId(createdAt: Date, routingNumber: string, unique: string): string {
  if (!/^[a-zA-Z0-9]{1,18}$/.test(unique))
    throw new RangeError(`MsgId unique part must be 1-18 alphanumerics, got '${unique}'`);
  return `${isoDate(createdAt).replace(/-/g, '')}${routingNumber}${unique}`;
}
