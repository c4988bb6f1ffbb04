/**
 * Structured Field Values for HTTP (RFC 8941), the subset HTTP Message Signatures need:
 * Dictionary, List, Inner List and Item with Parameters; bare items sf-integer, sf-decimal,
 * sf-string, sf-token, sf-byte-sequence and sf-boolean. (RFC 9651's Date and Display String
 * are not supported and are refused as malformed.)
 *
 * Parsing is strict, following the algorithms of RFC 8941 §4.2: any deviation from the grammar
 * throws a StructuredFieldError; there is no "best effort" recovery.
 */

export class StructuredFieldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StructuredFieldError';
  }
}

/** An sf-token (RFC 8941 §3.3.4). Kept apart from sf-string, which serializes quoted. */
export class Token {
  constructor(readonly value: string) {}
}

/** An sf-decimal (RFC 8941 §3.3.2). Plain JS numbers are sf-integers. */
export class Decimal {
  constructor(readonly value: number) {}
}

/** string = sf-string, number = sf-integer, Uint8Array = sf-byte-sequence. */
export type BareItem = string | number | boolean | Token | Decimal | Uint8Array;
/** Ordered map of parameter keys to bare items (insertion order = wire order). */
export type Parameters = Map<string, BareItem>;

export interface Item {
  readonly value: BareItem;
  readonly params: Parameters;
}

export interface InnerList {
  readonly items: readonly Item[];
  readonly params: Parameters;
}

export type Member = Item | InnerList;
export type Dictionary = Map<string, Member>;
export type List = Member[];

export function isInnerList(member: Member): member is InnerList {
  return 'items' in member;
}

export function item(value: BareItem, params: Parameters = new Map()): Item {
  return { value, params };
}

// --- character classes (RFC 8941 §3 ABNF) -------------------------------------------------

const MAX_INTEGER = 999_999_999_999_999;
const KEY_RE = /^[a-z*][a-z0-9_\-.*]*$/;
// token = ( ALPHA / "*" ) *( tchar / ":" / "/" ), tchar from RFC 9110 §5.6.2
const TOKEN_RE = /^[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*$/;
const TOKEN_CHAR_RE = /[!#$%&'*+\-.^_`|~0-9A-Za-z:/]/;
// Canonical, padded base64 (RFC 8941 §3.3.5 uses RFC 4648 §4 base64).
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isLcAlpha = (c: string | undefined): boolean => c !== undefined && c >= 'a' && c <= 'z';
const isAlpha = (c: string | undefined): boolean =>
  c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));

// --- parsing --------------------------------------------------------------------------------

class Parser {
  private pos = 0;

  constructor(private readonly input: string) {
    // RFC 8941 §4.2 step 1: the field value must be ASCII.
    for (let i = 0; i < input.length; i++) {
      if (input.charCodeAt(i) > 0x7e)
        throw new StructuredFieldError('non-ASCII character in structured field');
    }
  }

  private peek(): string | undefined {
    return this.input[this.pos];
  }

  private done(): boolean {
    return this.pos >= this.input.length;
  }

  private fail(what: string): never {
    throw new StructuredFieldError(`${what} at offset ${this.pos}`);
  }

  private skipSP(): void {
    while (this.peek() === ' ') this.pos++;
  }

  /** OWS = *( SP / HTAB ), allowed around list/dictionary separators only. */
  private skipOWS(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }

  /** Top level of §4.2: leading SP, the value, trailing SP, then nothing else. */
  parseTopLevel<T>(parse: () => T): T {
    this.skipSP();
    const value = parse();
    this.skipSP();
    if (!this.done()) this.fail('unexpected trailing characters');
    return value;
  }

  parseList(): List {
    const members: List = [];
    while (!this.done()) {
      members.push(this.parseItemOrInnerList());
      if (this.separator()) continue;
      break;
    }
    return members;
  }

  parseDictionary(): Dictionary {
    const dict: Dictionary = new Map();
    while (!this.done()) {
      const key = this.parseKey();
      let member: Member;
      if (this.peek() === '=') {
        this.pos++;
        member = this.parseItemOrInnerList();
      } else {
        // A key without "=" is the Boolean true, still allowed to carry parameters.
        member = item(true, this.parseParameters());
      }
      // §4.2.2: a repeated key overwrites the earlier value.
      dict.set(key, member);
      if (this.separator()) continue;
      break;
    }
    return dict;
  }

  /**
   * After a list/dictionary member: OWS, then either the end or "," OWS followed by another
   * member (a trailing comma is an error). Returns true when another member follows.
   */
  private separator(): boolean {
    this.skipOWS();
    if (this.done()) return false;
    if (this.peek() !== ',') this.fail('expected ","');
    this.pos++;
    this.skipOWS();
    if (this.done()) this.fail('trailing ","');
    return true;
  }

  private parseItemOrInnerList(): Member {
    return this.peek() === '(' ? this.parseInnerList() : this.parseItem();
  }

  private parseInnerList(): InnerList {
    this.pos++; // "("
    const items: Item[] = [];
    while (!this.done()) {
      this.skipSP();
      if (this.peek() === ')') {
        this.pos++;
        return { items, params: this.parseParameters() };
      }
      items.push(this.parseItem());
      const next = this.peek();
      if (next !== ' ' && next !== ')') this.fail('expected SP or ")" in inner list');
    }
    return this.fail('unterminated inner list');
  }

  parseItem(): Item {
    const value = this.parseBareItem();
    return { value, params: this.parseParameters() };
  }

  private parseParameters(): Parameters {
    const params: Parameters = new Map();
    while (this.peek() === ';') {
      this.pos++;
      this.skipSP();
      const key = this.parseKey();
      let value: BareItem = true;
      if (this.peek() === '=') {
        this.pos++;
        value = this.parseBareItem();
      }
      params.set(key, value);
    }
    return params;
  }

  private parseKey(): string {
    const start = this.pos;
    const first = this.peek();
    if (!isLcAlpha(first) && first !== '*') this.fail('invalid key');
    this.pos++;
    for (let c = this.peek(); c !== undefined && /[a-z0-9_\-.*]/.test(c); c = this.peek()) this.pos++;
    return this.input.slice(start, this.pos);
  }

  private parseBareItem(): BareItem {
    const c = this.peek();
    if (c === '-' || isDigit(c)) return this.parseNumber();
    if (c === '"') return this.parseString();
    if (c === ':') return this.parseByteSequence();
    if (c === '?') return this.parseBoolean();
    if (isAlpha(c) || c === '*') return this.parseToken();
    return this.fail('invalid bare item');
  }

  /** §4.2.4: at most 15 integer digits; decimals at most 12 + 3 digits, no trailing ".". */
  private parseNumber(): number | Decimal {
    const start = this.pos;
    if (this.peek() === '-') this.pos++;
    if (!isDigit(this.peek())) this.fail('expected digit');
    let isDecimal = false;
    let digits = 0;
    let dotAt = -1;
    for (let c = this.peek(); c !== undefined; c = this.peek()) {
      if (isDigit(c)) {
        digits++;
      } else if (c === '.' && !isDecimal) {
        if (digits > 12) this.fail('decimal integer part too long');
        isDecimal = true;
        dotAt = this.pos;
      } else {
        break;
      }
      this.pos++;
      if (!isDecimal && digits > 15) this.fail('integer too long');
      if (isDecimal && this.pos - dotAt - 1 > 3) this.fail('decimal fraction too long');
    }
    const text = this.input.slice(start, this.pos);
    if (!isDecimal) return Number.parseInt(text, 10);
    if (text.endsWith('.')) this.fail('decimal ends with "."');
    return new Decimal(Number.parseFloat(text));
  }

  private parseString(): string {
    this.pos++; // opening DQUOTE
    let out = '';
    while (!this.done()) {
      const c = this.input[this.pos++];
      if (c === '\\') {
        const escaped = this.input[this.pos++];
        if (escaped !== '"' && escaped !== '\\') this.fail('invalid escape in string');
        out += escaped;
      } else if (c === '"') {
        return out;
      } else if (c === undefined || c < ' ' || c > '~') {
        this.fail('invalid character in string');
      } else {
        out += c;
      }
    }
    return this.fail('unterminated string');
  }

  private parseToken(): Token {
    const start = this.pos;
    this.pos++;
    for (let c = this.peek(); c !== undefined && TOKEN_CHAR_RE.test(c); c = this.peek()) this.pos++;
    return new Token(this.input.slice(start, this.pos));
  }

  private parseByteSequence(): Uint8Array {
    this.pos++; // opening ":"
    const end = this.input.indexOf(':', this.pos);
    if (end < 0) this.fail('unterminated byte sequence');
    const b64 = this.input.slice(this.pos, end);
    if (!BASE64_RE.test(b64)) this.fail('invalid base64 in byte sequence');
    this.pos = end + 1;
    return Buffer.from(b64, 'base64');
  }

  private parseBoolean(): boolean {
    this.pos++; // "?"
    const c = this.input[this.pos++];
    if (c === '1') return true;
    if (c === '0') return false;
    return this.fail('invalid boolean');
  }
}

export function parseDictionary(input: string): Dictionary {
  const parser = new Parser(input);
  return parser.parseTopLevel(() => parser.parseDictionary());
}

export function parseList(input: string): List {
  const parser = new Parser(input);
  return parser.parseTopLevel(() => parser.parseList());
}

export function parseItem(input: string): Item {
  const parser = new Parser(input);
  return parser.parseTopLevel(() => parser.parseItem());
}

// --- serialization (RFC 8941 §4.1) ----------------------------------------------------------

function serializeKey(key: string): string {
  if (!KEY_RE.test(key)) throw new StructuredFieldError(`invalid key "${key}"`);
  return key;
}

function serializeString(value: string): string {
  let out = '"';
  for (const c of value) {
    if (c < ' ' || c > '~') throw new StructuredFieldError('string contains a character outside %x20-7E');
    out += c === '"' || c === '\\' ? `\\${c}` : c;
  }
  return `${out}"`;
}

function serializeInteger(value: number): string {
  if (!Number.isInteger(value) || Math.abs(value) > MAX_INTEGER) {
    throw new StructuredFieldError('integer out of range');
  }
  return String(value);
}

function serializeDecimal(value: number): string {
  // §4.1.5: round to three fractional digits (ties to even is not needed at our scale).
  const rounded = Math.round(value * 1000) / 1000;
  if (!Number.isFinite(rounded) || Math.abs(Math.trunc(rounded)) >= 1e12) {
    throw new StructuredFieldError('decimal out of range');
  }
  const text = String(rounded);
  return text.includes('.') ? text : `${text}.0`;
}

export function serializeBareItem(value: BareItem): string {
  if (typeof value === 'string') return serializeString(value);
  if (typeof value === 'number') return serializeInteger(value);
  if (typeof value === 'boolean') return value ? '?1' : '?0';
  if (value instanceof Token) {
    if (!TOKEN_RE.test(value.value)) throw new StructuredFieldError('invalid token');
    return value.value;
  }
  if (value instanceof Decimal) return serializeDecimal(value.value);
  return `:${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')}:`;
}

export function serializeParameters(params: Parameters): string {
  let out = '';
  for (const [key, value] of params) {
    out += `;${serializeKey(key)}`;
    // A parameter whose value is Boolean true is written as its key alone.
    if (value !== true) out += `=${serializeBareItem(value)}`;
  }
  return out;
}

export function serializeItem(it: Item): string {
  return serializeBareItem(it.value) + serializeParameters(it.params);
}

export function serializeInnerList(list: InnerList): string {
  return `(${list.items.map(serializeItem).join(' ')})${serializeParameters(list.params)}`;
}

export function serializeMember(member: Member): string {
  return isInnerList(member) ? serializeInnerList(member) : serializeItem(member);
}

export function serializeList(list: List): string {
  return list.map(serializeMember).join(', ');
}

export function serializeDictionary(dict: Dictionary): string {
  const parts: string[] = [];
  for (const [key, member] of dict) {
    if (!isInnerList(member) && member.value === true) {
      // §4.1.2: a Boolean true member is written as its key and parameters only.
      parts.push(serializeKey(key) + serializeParameters(member.params));
    } else {
      parts.push(`${serializeKey(key)}=${serializeMember(member)}`);
    }
  }
  return parts.join(', ');
}
