import { randomBytes, randomUUID } from 'node:crypto';
import { easternDateTime, easternWallTime, railBusinessDay } from './rail-clock';
import type { Rail } from './rails';

/**
 * Restamps a pacs.008 sample so the rail clock rules accept it now: GrpHdr/CreDtTm and AppHdr
 * CreDt -> now (US Eastern, with an offset unless the sample had none, as TCH RTP writes it),
 * IntrBkSttlmDt -> the rail's current business day, MsgId and BizMsgIdr -> the same convention
 * with today's date and a fresh unique part, EndToEndId and UETR -> fresh. Works on the XML text
 * (any namespace prefix) or on the JSON form, and changes nothing else.
 */
export interface RestampOptions {
  readonly now?: number;
  /** Random source (tests pass a seeded one). */
  readonly random?: (bytes: number) => Buffer;
  readonly uuid?: () => string;
}

export interface Restamped {
  readonly body: string;
  readonly rail: Rail;
  readonly refs: {
    readonly msgId?: string;
    readonly endToEndId?: string;
    readonly uetr?: string;
    readonly bizMsgIdr?: string;
    readonly creDtTm?: string;
    readonly settlementDate: string;
  };
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function fresh(length: number, random: (n: number) => Buffer): string {
  return Array.from(random(length), (b) => ALNUM[b % ALNUM.length]).join('');
}

function compactDate(ms: number): string {
  const w = easternWallTime(ms);
  return `${w.year}${String(w.month).padStart(2, '0')}${String(w.day).padStart(2, '0')}`;
}

/** A MsgId (or BizMsgIdr) of the rail's convention, with today's date and a fresh unique part. */
function restampMsgId(old: string, rail: Rail, now: number, random: (n: number) => Buffer): string {
  const date = compactDate(now);
  if (rail === 'rtp' && /^M[0-9]{8}[A-Z0-9]{11}/.test(old)) {
    return `M${date}${old.slice(9, 20)}${fresh(Math.max(old.length - 20, 4), random)}`.slice(0, 35);
  }
  if (rail === 'fednow' && /^[0-9]{8}[a-zA-Z0-9]{9}/.test(old)) {
    return `${date}${old.slice(8, 17)}${fresh(Math.min(Math.max(old.length - 17, 8), 18), random)}`;
  }
  return `MSG${fresh(Math.min(Math.max(old.length, 16), 35) - 3, random)}`;
}

/**
 * `E2E` + random alphanumerics. The fixed prefix keeps a fresh id from ever looking like an IBAN
 * (two letters, two digits, ...), which log redaction would mask.
 */
function freshEndToEndId(old: string, random: (n: number) => Buffer): string {
  return `E2E${fresh(Math.min(Math.max(old.length, 16), 35) - 3, random)}`;
}

function railOfXml(xml: string): Rail {
  return /xmlns(:\w+)?="urn:tch"/.test(xml) || /<(\w+:)?Cd>TCH<\/(\w+:)?Cd>/.test(xml) ? 'rtp' : 'fednow';
}

/** Replaces the text of every `<[p:]name>text</[p:]name>` via `fn(oldText)`. */
function replaceText(xml: string, name: string, fn: (old: string) => string): string {
  const re = new RegExp(`(<((?:[A-Za-z_][\\w.-]*:)?${name})(?:\\s[^>]*)?>)([^<]*)(</\\2>)`, 'g');
  return xml.replace(
    re,
    (_m, open: string, _tag: string, text: string, close: string) => `${open}${fn(text)}${close}`,
  );
}

const stampTime = (old: string, now: number) => easternDateTime(now, /(Z|[+-]\d{2}:\d{2})$/.test(old.trim()));

export function restampPacs008Xml(xml: string, options: RestampOptions = {}): Restamped {
  const now = options.now ?? Date.now();
  const random = options.random ?? randomBytes;
  const uuid = options.uuid ?? randomUUID;
  const rail = railOfXml(xml);
  const settlementDate = railBusinessDay(rail, now);
  const refs: { -readonly [K in keyof Restamped['refs']]: Restamped['refs'][K] } = { settlementDate };
  const msgIds = new Map<string, string>();
  const newMsgId = (old: string) => {
    const known = msgIds.get(old);
    if (known !== undefined) return known;
    const next = restampMsgId(old, rail, now, random);
    msgIds.set(old, next);
    return next;
  };
  let out = replaceText(xml, 'MsgId', (old) => (refs.msgId = newMsgId(old)));
  out = replaceText(out, 'BizMsgIdr', (old) => {
    if (old.trim() === '') return old;
    const next = newMsgId(old);
    refs.bizMsgIdr ??= next; // the first is the message's own AppHdr (a later one is Rltd)
    return next;
  });
  out = replaceText(out, 'CreDtTm', (old) => (refs.creDtTm = stampTime(old, now)));
  out = replaceText(out, 'CreDt', (old) => stampTime(old, now));
  out = replaceText(out, 'IntrBkSttlmDt', () => settlementDate);
  out = replaceText(out, 'EndToEndId', (old) => (refs.endToEndId = freshEndToEndId(old, random)));
  out = replaceText(out, 'UETR', () => (refs.uetr = uuid()));
  return { body: out, rail, refs };
}

type Json = { [key: string]: unknown };
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export function restampPacs008Json(text: string, options: RestampOptions = {}): Restamped {
  const now = options.now ?? Date.now();
  const random = options.random ?? randomBytes;
  const uuid = options.uuid ?? randomUUID;
  const doc: unknown = JSON.parse(text);
  const root = isObject(doc) ? doc['FIToFICstmrCdtTrf'] : undefined;
  if (!isObject(root)) throw new Error('not the JSON form of a pacs.008 (no FIToFICstmrCdtTrf)');
  const hdr = isObject(root['GrpHdr']) ? root['GrpHdr'] : {};
  const clr =
    isObject(hdr['SttlmInf']) && isObject(hdr['SttlmInf']['ClrSys']) ? hdr['SttlmInf']['ClrSys'] : {};
  const rail: Rail = clr['Cd'] === 'TCH' ? 'rtp' : 'fednow';
  const settlementDate = railBusinessDay(rail, now);
  const refs: { -readonly [K in keyof Restamped['refs']]: Restamped['refs'][K] } = { settlementDate };
  if (typeof hdr['MsgId'] === 'string')
    hdr['MsgId'] = refs.msgId = restampMsgId(hdr['MsgId'], rail, now, random);
  if (typeof hdr['CreDtTm'] === 'string') hdr['CreDtTm'] = refs.creDtTm = stampTime(hdr['CreDtTm'], now);
  if (typeof hdr['IntrBkSttlmDt'] === 'string') hdr['IntrBkSttlmDt'] = settlementDate;
  const txs = root['CdtTrfTxInf'];
  for (const tx of Array.isArray(txs) ? txs : [txs]) {
    if (!isObject(tx)) continue;
    if (typeof tx['IntrBkSttlmDt'] === 'string') tx['IntrBkSttlmDt'] = settlementDate;
    const pmtId = tx['PmtId'];
    if (!isObject(pmtId)) continue;
    if (typeof pmtId['EndToEndId'] === 'string')
      pmtId['EndToEndId'] = refs.endToEndId = freshEndToEndId(pmtId['EndToEndId'], random);
    if (typeof pmtId['UETR'] === 'string') pmtId['UETR'] = refs.uetr = uuid();
  }
  return { body: JSON.stringify(doc), rail, refs };
}

/** XML or JSON, by the first non-blank character. */
export function restampPacs008(text: string, options: RestampOptions = {}): Restamped {
  return text.trimStart().startsWith('{')
    ? restampPacs008Json(text, options)
    : restampPacs008Xml(text, options);
}

/**
 * Re-points a pacs.008 XML sample at a debtor account of the sender's own: the instructing and
 * debtor agents' routing number (MmbId), the MsgId's sender id (FedNow: characters 9-17) and the
 * debtor's account number (DbtrAcct/Id/Othr/Id). For demos and tests that send the real samples
 * as a partner of their choosing (the intake refuses a debtor agent that is not the caller's).
 */
export function withDebtor(
  xml: string,
  debtor: { readonly routing: string; readonly account: string },
): string {
  if (!/^[0-9]{9}$/.test(debtor.routing)) throw new RangeError('the debtor routing number must be 9 digits');
  if (!/^[A-Za-z0-9-]{1,34}$/.test(debtor.account))
    throw new RangeError('the debtor account must be 1..34 letters, digits or -');
  const p = '(?:[A-Za-z_][\\w.-]*:)?';
  const agent = (name: string) => new RegExp(`(<${p}${name}>[\\s\\S]*?<${p}MmbId>)[^<]*`);
  let out = xml
    .replace(agent('InstgAgt'), `$1${debtor.routing}`)
    .replace(agent('DbtrAgt'), `$1${debtor.routing}`);
  out = out.replace(
    new RegExp(`(<${p}DbtrAcct>[\\s\\S]*?<${p}Othr>\\s*<${p}Id>)[^<]*`),
    `$1${debtor.account}`,
  );
  // FedNow MsgId: YYYYMMDD + the sender's 9-character id + a unique part.
  out = out.replace(new RegExp(`(<${p}MsgId>[0-9]{8})[0-9A-Za-z]{9}`), `$1${debtor.routing}`);
  return out;
}
