/**
 * Redaction of everything the service logs: the one place that decides what a log line may
 * contain. The Powertools log formatter (log-formatter.ts) runs every log attribute through
 * `redact()` and the message through `scrubText()`, so no call site has to remember anything.
 *
 * Rules, by attribute key (case, `-` and `_` ignored; the key's whole subtree is covered):
 *  - secrets, signatures, credentials, Authorization / Signature / Signature-Input / Cookie
 *    headers, raw bodies and payloads                                  -> "[REDACTED]"
 *  - debtor / creditor / party names, addresses, contact details, remittance text
 *    (ISO 20022 Nm, PstlAdr, Dbtr, Cdtr, ...)                          -> "[REDACTED]"
 *  - account numbers (debtorAccount, creditorAccount, accountId, IBAN, DbtrAcct, Prxy, ...)
 *                                                                       -> "****" + last 4
 * and by value, in every string whatever its key (messages, error messages and stacks, keys):
 *  - ledger account ids `<routing number or BIC>:<account>`, IBANs, `tel:` / E.164 numbers
 *                                                                       -> "****" + last 4
 *  - RFC 9421 / 9530 byte sequences (`sig1=:...:`), Signature-Input values, Bearer / Basic
 *    credentials, PEM private keys                                      -> "[REDACTED]"
 *  - JSON or XML embedded in a string: sensitive members / elements by the key rules above.
 *
 * Pure functions, no I/O: property-tested in redaction.test.ts.
 */

import { maskAccount } from '../domain/account';

export const REDACTED = '[REDACTED]';
/** Longer strings are cut before scanning (log lines are not the place for documents). */
export const MAX_STRING_LENGTH = 8_192;
const MAX_DEPTH = 12;
const MAX_ARRAY_ITEMS = 1_000;

export type KeyClass = 'secret' | 'personal' | 'account' | 'plain';

/** The one account mask (shared/domain/account.ts), re-exported for the redaction callers. */
export { maskAccount };

const normalise = (key: string) => key.toLowerCase().replace(/[^a-z0-9]/g, '');

const SECRET_PARTS = [
  'secret',
  'password',
  'passwd',
  'passphrase',
  'token',
  'apikey',
  'authorization',
  'cookie',
  'signature',
  'privatekey',
  'credential',
  'accesskey',
  'sessionkey',
  'hmac',
  'keymaterial',
  'sharedkey',
];
const SECRET_EXACT = new Set(['auth', 'pwd', 'sig', 'pin', 'cvv', 'cvc', 'otp']);
/** Raw bodies and documents: they can hold anything (names, accounts), so never logged. */
const OPAQUE_EXACT = new Set([
  'body',
  'rawbody',
  'messagebody',
  'requestbody',
  'responsebody',
  'payload',
  'rawmessage',
  'document',
  'xml',
]);
const ACCOUNT_SUFFIXES = [
  'account',
  'accounts',
  'acct',
  'accts',
  'accountid',
  'accountids',
  'accountnumber',
  'accountno',
  'acctid',
  'iban',
  'ibans',
];
const ACCOUNT_EXACT = new Set(['iban', 'bban', 'pan', 'cardnumber', 'prxy', 'proxy', 'msisdn']);
const PERSONAL_EXACT = new Set([
  'nm',
  'adr',
  'pstladr',
  'adrline',
  'strtnm',
  'bldgnb',
  'bldgnm',
  'flr',
  'pstcd',
  'twnnm',
  'twnlctnnm',
  'dstrctnm',
  'ctrysubdvsn',
  'ctctdtls',
  'dtandplcofbirth',
  'birthdt',
  'dob',
  'dateofbirth',
  'dbtr',
  'cdtr',
  'ultmtdbtr',
  'ultmtcdtr',
  'initgpty',
  'debtor',
  'creditor',
  'ultimatedebtor',
  'ultimatecreditor',
  'payer',
  'payee',
  'beneficiary',
  'originator',
  'remitter',
  'holder',
  'customer',
  'street',
  'city',
  'town',
  'postcode',
  'postalcode',
  'zip',
  'zipcode',
  'email',
  'phone',
  'mobile',
  'mobnb',
  'phnenb',
  'ssn',
  'taxid',
  'nationalid',
  'passport',
  'ustrd',
  'rmtinf',
]);
const PERSONAL_PARTS = [
  'address',
  'fullname',
  'firstname',
  'lastname',
  'surname',
  'givenname',
  'familyname',
  'middlename',
  'debtorname',
  'creditorname',
  'payername',
  'payeename',
  'customername',
  'holdername',
  'beneficiaryname',
  'accountname',
  'partyname',
  'remittance',
];

/** What a log attribute key says about its value. */
export function classifyKey(key: string): KeyClass {
  const k = normalise(key);
  if (k === '') return 'plain';
  if (SECRET_EXACT.has(k) || OPAQUE_EXACT.has(k) || SECRET_PARTS.some((p) => k.includes(p))) return 'secret';
  if (ACCOUNT_EXACT.has(k) || ACCOUNT_SUFFIXES.some((s) => k.endsWith(s))) return 'account';
  if (PERSONAL_EXACT.has(k) || PERSONAL_PARTS.some((p) => k.includes(p))) return 'personal';
  return 'plain';
}

// ---------------------------------------------------------------------------------------------
// Values in free text

const PEM_PRIVATE_KEY =
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;
/** HTTP credentials: a scheme then a token with a digit or base64 punctuation (not prose). */
const AUTH_SCHEME = /\b(Bearer|Basic)\s+(?=[A-Za-z0-9._~+/-]*[0-9+/=])[A-Za-z0-9._~+/-]{8,}=*/gi;
/** RFC 8941 byte sequence after a label: `sig1=:base64:`, `sha-256=:base64:` (any alphabet, to be safe). */
const BYTE_SEQUENCE = /([A-Za-z*][A-Za-z0-9_.*-]*)=:[^:\s"]*:/g;
/** Signature-Input member: `sig1=("@method" ...);created=...;keyid="...";nonce="..."`. */
const SIGNATURE_INPUT =
  /([A-Za-z*][A-Za-z0-9_.*-]*)=\((?:\s*"[^"]*")*\s*\)(?:;[A-Za-z0-9_.*-]+(?:=(?:"[^"]*"|[^;,\s]*))?)*/g;
const QUOTED_SIGNATURE = /\b(signature)="[^"]*"/gi;
/** Ledger account id: ABA routing number (9 digits) or BIC, ':', account (or tel:+E164 proxy). */
const LEDGER_ACCOUNT =
  /\b(?:\d{9}|[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?):(?:tel:\+?)?[A-Za-z0-9][A-Za-z0-9-]*/g;
const IBAN = /\b[A-Z]{2}\d{2}[A-Z0-9]{11,30}\b/g;
const PHONE = /(?:\btel:)?\+\d{8,15}\b|\btel:\d{6,15}\b/g;
/** `"key": value` inside a string holding JSON (value: string, number, flat object or array). */
const JSON_MEMBER =
  /"((?:[^"\\]|\\.){1,64})"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*|\{[^{}]*\}|\[[^[\]]*\])/g;
/** `<ns:Tag attrs>content</ns:Tag>` inside a string holding XML. */
const XML_ELEMENT = /<((?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*))(\s[^<>]*)?>([\s\S]*?)<\/\1\s*>/g;

function maskJsonValue(raw: string): string {
  if (raw.startsWith('"')) return JSON.stringify(maskAccount(raw.slice(1, -1)));
  if (/^-?\d/.test(raw)) return JSON.stringify(maskAccount(raw));
  return JSON.stringify(REDACTED);
}

function scrubJson(text: string): string {
  return text.replace(JSON_MEMBER, (member: string, key: string, value: string) => {
    const kind = classifyKey(key);
    if (kind === 'plain') return member;
    const replacement = kind === 'account' ? maskJsonValue(value) : JSON.stringify(REDACTED);
    return `"${key}":${replacement}`;
  });
}

function scrubXml(text: string, depth = 0): string {
  if (depth > MAX_DEPTH || !text.includes('<')) return text;
  return text.replace(
    XML_ELEMENT,
    (_element, qname: string, local: string, attributes: string | undefined, content: string) => {
      const open = `<${qname}${attributes ?? ''}>`;
      const close = `</${qname}>`;
      const kind = classifyKey(local);
      if (kind === 'secret' || kind === 'personal') return `${open}${REDACTED}${close}`;
      if (kind === 'account') {
        const masked = content.includes('<')
          ? content.replace(/>([^<]+)</g, (m, inner: string) =>
              inner.trim() === '' ? m : `>${maskAccount(inner)}<`,
            )
          : maskAccount(content);
        return `${open}${masked}${close}`;
      }
      return `${open}${scrubXml(content, depth + 1)}${close}`;
    },
  );
}

/** Masks / redacts sensitive values found anywhere in a string. */
export function scrubText(input: string): string {
  let text =
    input.length > MAX_STRING_LENGTH
      ? `${input.slice(0, MAX_STRING_LENGTH)}...[truncated ${input.length - MAX_STRING_LENGTH} chars]`
      : input;
  text = text.replace(PEM_PRIVATE_KEY, `${REDACTED} private key`);
  text = text.replace(AUTH_SCHEME, (_m, scheme: string) => `${scheme} ${REDACTED}`);
  text = text.replace(BYTE_SEQUENCE, (_m, label: string) => `${label}=:${REDACTED}:`);
  text = text.replace(SIGNATURE_INPUT, (_m, label: string) => `${label}=${REDACTED}`);
  text = text.replace(QUOTED_SIGNATURE, (_m, name: string) => `${name}="${REDACTED}"`);
  if (text.includes('"')) text = scrubJson(text);
  if (text.includes('<')) text = scrubXml(text);
  text = text.replace(LEDGER_ACCOUNT, (m) => maskAccount(m));
  text = text.replace(IBAN, (m) => maskAccount(m));
  text = text.replace(PHONE, (m) => maskAccount(m));
  return text;
}

// ---------------------------------------------------------------------------------------------
// Structured values

export interface RedactOptions {
  /** How an Error becomes a plain object before it is walked (the log formatter's formatError). */
  readonly errorToObject?: (error: Error) => Record<string, unknown>;
}

function defaultErrorToObject(error: Error): Record<string, unknown> {
  const out: Record<string, unknown> = { name: error.name, message: error.message, stack: error.stack };
  if (error.cause !== undefined) out.cause = error.cause;
  for (const key of Object.keys(error)) out[key] = (error as unknown as Record<string, unknown>)[key];
  return out;
}

class Walker {
  private readonly ancestors = new Set<object>();
  constructor(private readonly options: RedactOptions) {}

  value(value: unknown, depth: number): unknown {
    if (value === null || value === undefined) return value;
    switch (typeof value) {
      case 'string':
        return scrubText(value);
      case 'number':
      case 'boolean':
        return value;
      case 'bigint':
        return value.toString();
      case 'symbol':
        return value.toString();
      case 'function':
        return undefined;
    }
    return this.object(
      value as object,
      depth,
      (v, d) => this.value(v, d),
      (k, v, d) => this.member(k, v, d),
    );
  }

  /** Every leaf of an account-classified value is masked. */
  masked(value: unknown, depth: number): unknown {
    if (value === null || value === undefined || typeof value === 'boolean') return value;
    if (typeof value === 'string') return maskAccount(value);
    if (typeof value === 'number' || typeof value === 'bigint') return maskAccount(String(value));
    if (typeof value !== 'object') return undefined;
    return this.object(
      value,
      depth,
      (v, d) => this.masked(v, d),
      (_k, v, d) => this.masked(v, d),
    );
  }

  private member(key: string, value: unknown, depth: number): unknown {
    if (value === undefined || value === null) return value;
    switch (classifyKey(key)) {
      case 'secret':
      case 'personal':
        return REDACTED;
      case 'account':
        return this.masked(value, depth);
      case 'plain':
        return this.value(value, depth);
    }
  }

  private object(
    value: object,
    depth: number,
    item: (v: unknown, depth: number) => unknown,
    member: (key: string, v: unknown, depth: number) => unknown,
  ): unknown {
    if (depth >= MAX_DEPTH) return '[Truncated]';
    if (this.ancestors.has(value)) return '[Circular]';
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
    if (value instanceof Uint8Array || value instanceof ArrayBuffer)
      return `[binary ${value.byteLength} bytes]`;
    this.ancestors.add(value);
    try {
      if (value instanceof Error) {
        const plain = (this.options.errorToObject ?? defaultErrorToObject)(value);
        return this.object(plain, depth, item, member);
      }
      if (Array.isArray(value) || value instanceof Set) {
        const items = [...value];
        const out = items.slice(0, MAX_ARRAY_ITEMS).map((v) => item(v, depth + 1));
        if (items.length > MAX_ARRAY_ITEMS) out.push(`...[${items.length - MAX_ARRAY_ITEMS} more]`);
        return out;
      }
      const entries: [string, unknown][] =
        value instanceof Map ? [...value.entries()].map(([k, v]) => [String(k), v]) : Object.entries(value);
      const out: Record<string, unknown> = {};
      for (const [key, v] of entries) {
        const walked = member(key, v, depth + 1);
        if (walked !== undefined) out[scrubText(key)] = walked;
      }
      return out;
    } finally {
      this.ancestors.delete(value);
    }
  }
}

/** A deep copy of `value` with every sensitive key and value masked or redacted. */
export function redact(value: unknown, options: RedactOptions = {}): unknown {
  return new Walker(options).value(value, 0);
}

/** redact() for a record of log attributes (keeps the record shape). */
export function redactAttributes(
  attributes: Record<string, unknown>,
  options: RedactOptions = {},
): Record<string, unknown> {
  const out = redact(attributes, options);
  return typeof out === 'object' && out !== null && !Array.isArray(out)
    ? (out as Record<string, unknown>)
    : {};
}
