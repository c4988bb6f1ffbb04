import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { MalformedRequestError, PayloadTooLargeError } from '../domain/errors';
import { isXmlCodePoint } from './charset';

/**
 * Safe XML reading for partner messages.
 *
 * Threat model (OWASP XXE / "billion laughs"): the body is untrusted. So, before any parser
 * sees it:
 *  - its size is capped (64 KiB by default) and it must be valid UTF-8;
 *  - any `<!` markup other than a comment or CDATA is refused: no DOCTYPE, no ENTITY, no
 *    internal or external DTD subset, hence no entity expansion and no external fetch;
 *  - processing instructions are refused, except the XML declaration at the very start
 *    (which must say version 1.0 and, if it names one, encoding UTF-8).
 * fast-xml-parser then runs with entity processing OFF and every value kept as a string (no
 * number parsing: amounts stay text). Only the five predefined XML entities and numeric
 * character references are decoded, here, by `decodeEntities`; anything else is refused.
 * Nesting depth is capped (fast-xml-parser `maxNestedTags`, checked before the slower
 * well-formedness pass, so a deeply nested body fails fast).
 *
 * Namespaces are resolved by URI from the `xmlns` / `xmlns:p` declarations in scope: callers
 * match (namespace, local name), so a prefixed document parses exactly like an unprefixed one.
 */

export const DEFAULT_MAX_BYTES = 64 * 1024;
export const DEFAULT_MAX_DEPTH = 32;

export interface XmlLimits {
  /** Maximum body size in bytes (UTF-8). Default 64 KiB. */
  readonly maxBytes?: number;
  /** Maximum element nesting depth. Default 32 (ISO 20022 messages nest ~15 deep). */
  readonly maxDepth?: number;
}

export interface XmlElement {
  /** Local name (without prefix). */
  readonly name: string;
  /** Namespace URI resolved from the declarations in scope ('' when none). */
  readonly namespace: string;
  /** Unprefixed attributes (e.g. `Ccy`), entity-decoded. Namespaced ones (xsi:*) are dropped. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** Text content (entity-decoded, trimmed). Empty for elements with children. */
  readonly text: string;
}

const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

function malformed(message: string): MalformedRequestError {
  return new MalformedRequestError(`malformed XML: ${message}`);
}

/**
 * Turns the raw body into text: size limit first (cheap, before any decoding), then strict
 * UTF-8 (invalid byte sequences are refused, not replaced), then the BOM is dropped.
 */
export function decodeBody(body: string | Buffer, maxBytes: number = DEFAULT_MAX_BYTES): string {
  // A JS string has at most 3 UTF-8 bytes per UTF-16 unit: skip the exact count when clearly small.
  const size =
    typeof body === 'string' ? (body.length * 3 <= maxBytes ? 0 : Buffer.byteLength(body)) : body.length;
  if (size > maxBytes) throw new PayloadTooLargeError(`body is larger than ${maxBytes} bytes`);
  let text: string;
  if (typeof body === 'string') {
    text = body;
  } else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch (cause) {
      throw new MalformedRequestError('body is not valid UTF-8', { cause });
    }
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Refuses DTDs, entity declarations and processing instructions (see module comment). */
export function assertNoDeclarations(text: string): void {
  // `<!` is legal only as `<!--` (comment) or `<![CDATA[`; anything else is a DTD construct.
  const bang = /<!(?!--|\[CDATA\[)/.exec(text);
  if (bang) throw malformed('DOCTYPE / ENTITY declarations are not allowed');
  let at = text.indexOf('<?');
  while (at !== -1) {
    if (at !== 0) throw malformed('processing instructions are not allowed');
    const decl = /^<\?xml(\s[^?]*)?\?>/.exec(text);
    if (!decl) throw malformed('processing instructions are not allowed');
    const attrs = decl[1] ?? '';
    const version = /\bversion\s*=\s*["']([^"']*)["']/.exec(attrs);
    if (version && version[1] !== '1.0') throw malformed('only XML version 1.0 is accepted');
    const encoding = /\bencoding\s*=\s*["']([^"']*)["']/.exec(attrs);
    if (encoding && (encoding[1] ?? '').toUpperCase() !== 'UTF-8') throw malformed('only UTF-8 is accepted');
    at = text.indexOf('<?', decl[0].length);
  }
}

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const REFERENCE = /^&(?:#x([0-9A-Fa-f]{1,6})|#([0-9]{1,7})|(lt|gt|amp|quot|apos));/;

/**
 * Decodes the five predefined entities and numeric character references. Any other `&name;`
 * (which could only come from a DTD, refused above) or a bare `&` is malformed.
 */
export function decodeEntities(raw: string): string {
  if (!raw.includes('&')) return raw;
  let out = '';
  let from = 0;
  let at = raw.indexOf('&');
  while (at !== -1) {
    out += raw.slice(from, at);
    const ref = REFERENCE.exec(raw.slice(at, at + 12));
    if (!ref)
      throw malformed(
        'undeclared entity or bare "&" (only &lt; &gt; &amp; &quot; &apos; and &#...; allowed)',
      );
    const [whole, hex, dec, named] = ref;
    if (named !== undefined) {
      out += PREDEFINED[named] ?? '';
    } else {
      const cp = hex !== undefined ? parseInt(hex, 16) : parseInt(dec ?? '', 10);
      if (!isXmlCodePoint(cp)) throw malformed(`character reference ${whole} is not a legal XML character`);
      out += String.fromCodePoint(cp);
    }
    from = at + whole.length;
    at = raw.indexOf('&', from);
  }
  return out + raw.slice(from);
}

const parsers = new Map<number, XMLParser>();

/** One configured parser per depth limit (construction costs more than a small parse). */
function parser(maxDepth: number): XMLParser {
  const cached = parsers.get(maxDepth);
  if (cached) return cached;
  const created = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    parseAttributeValue: false,
    processEntities: false,
    htmlEntities: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    cdataPropName: '#cdata',
    trimValues: true,
    maxNestedTags: maxDepth,
    jPath: false,
  });
  if (parsers.size < 16) parsers.set(maxDepth, created);
  return created;
}

type Scope = Readonly<Record<string, string>>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function splitQName(qname: string): { prefix: string; local: string } {
  const parts = qname.split(':');
  if (parts.length === 1) return { prefix: '', local: qname };
  const [prefix, local] = parts;
  if (parts.length > 2 || !prefix || !local)
    throw malformed(`invalid qualified name '${qname.slice(0, 60)}'`);
  return { prefix, local };
}

function declareNamespaces(attrs: Record<string, unknown>, parent: Scope): Scope {
  let scope = parent;
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value !== 'string') continue;
    if (name === 'xmlns') {
      scope = { ...scope, '': decodeEntities(value) };
    } else if (name.startsWith('xmlns:')) {
      const prefix = name.slice(6);
      const uri = decodeEntities(value);
      // Namespaces in XML 1.0 §3: a prefix cannot be undeclared, and xml/xmlns are reserved.
      if (uri === '' || prefix === 'xmlns' || (prefix === 'xml') !== (uri === XML_NAMESPACE)) {
        throw malformed(`illegal namespace declaration '${name}'`);
      }
      scope = { ...scope, [prefix]: uri };
    }
  }
  return scope;
}

function resolve(prefix: string, scope: Scope, what: string): string {
  if (prefix === 'xml') return XML_NAMESPACE;
  const uri = scope[prefix];
  if (uri === undefined) {
    if (prefix === '') return '';
    throw malformed(`unbound namespace prefix '${prefix}' on ${what}`);
  }
  return uri;
}

function attributesOf(attrs: Record<string, unknown>, scope: Scope, element: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value !== 'string' || name === 'xmlns' || name.startsWith('xmlns:')) continue;
    if (value.includes('<')) throw malformed(`'<' in the value of attribute ${name} of ${element}`);
    const { prefix, local } = splitQName(name);
    if (prefix !== '') {
      resolve(prefix, scope, `attribute ${name}`); // must be bound, then dropped (xsi:schemaLocation ...)
      continue;
    }
    if (RESERVED_NAMES.has(local)) throw malformed(`reserved attribute name '${local}'`);
    out[local] = decodeEntities(value);
  }
  return out;
}

/** Text of a `#cdata` node: `[{ '#text': '...' }]`, kept verbatim (no entity decoding). */
function cdataText(value: unknown): string {
  if (!Array.isArray(value)) return '';
  return value
    .map((part: unknown) => (isRecord(part) && typeof part['#text'] === 'string' ? part['#text'] : ''))
    .join('');
}

function toElement(
  node: Record<string, unknown>,
  parentScope: Scope,
  depth: number,
  maxDepth: number,
): XmlElement {
  if (depth > maxDepth) throw malformed(`nesting deeper than ${maxDepth} levels`);
  const attrs = isRecord(node[':@']) ? node[':@'] : {};
  const qname = Object.keys(node).find((key) => key !== ':@');
  const content = qname === undefined ? undefined : node[qname];
  if (qname === undefined || !Array.isArray(content)) throw malformed('unexpected node');
  const scope = declareNamespaces(attrs, parentScope);
  const { prefix, local } = splitQName(qname);
  if (RESERVED_NAMES.has(local)) throw malformed(`reserved element name '${local}'`);
  const namespace = resolve(prefix, scope, `element ${qname}`);
  const children: XmlElement[] = [];
  let text = '';
  for (const item of content as unknown[]) {
    if (!isRecord(item)) continue;
    if (typeof item['#text'] === 'string' || typeof item['#text'] === 'number') {
      text += decodeEntities(String(item['#text']));
    } else if ('#cdata' in item) {
      text += cdataText(item['#cdata']);
    } else {
      children.push(toElement(item, scope, depth + 1, maxDepth));
    }
  }
  if (children.length > 0 && text.trim() !== '') {
    throw malformed(`mixed text and elements in ${local} (not allowed in ISO 20022)`);
  }
  return {
    name: local,
    namespace,
    attributes: attributesOf(attrs, scope, local),
    children,
    text: children.length ? '' : text,
  };
}

/** Parses an untrusted XML body into a namespace-resolved element tree (see module comment). */
export function parseXml(body: string | Buffer, limits: XmlLimits = {}): XmlElement {
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
  const text = decodeBody(body, limits.maxBytes ?? DEFAULT_MAX_BYTES);
  assertNoDeclarations(text);
  let nodes: unknown;
  let valid: ReturnType<typeof XMLValidator.validate>;
  try {
    // Parse first: it enforces maxNestedTags in linear time, so hostile nesting fails fast.
    nodes = parser(maxDepth).parse(text);
    // The parser tolerates unclosed / mismatched tags: the validator does not.
    valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : 'unreadable';
    throw new MalformedRequestError(`malformed XML: ${reason.slice(0, 200)}`, { cause });
  }
  if (valid !== true) {
    throw malformed(`${valid.err.msg.slice(0, 160)} (line ${valid.err.line}, column ${valid.err.col})`);
  }
  if (!Array.isArray(nodes)) throw malformed('no root element');
  const roots: Record<string, unknown>[] = [];
  for (const node of nodes as unknown[]) {
    if (!isRecord(node)) continue;
    if ('#text' in node) throw malformed('text outside the root element');
    roots.push(node);
  }
  const [root, extra] = roots;
  if (root === undefined) throw malformed('no root element');
  if (extra !== undefined) throw malformed('more than one root element');
  assertNothingAfterRoot(text, Object.keys(root).find((key) => key !== ':@') ?? '');
  return toElement(root, {}, 1, maxDepth);
}

/** fast-xml-parser drops text after the root element (`<a/>junk`): refuse it here. */
function assertNothingAfterRoot(text: string, rootName: string): void {
  let end = text.trimEnd();
  while (end.endsWith('-->')) {
    const start = end.lastIndexOf('<!--');
    if (start === -1) break;
    end = end.slice(0, start).trimEnd();
  }
  const closed =
    end.endsWith('/>') || new RegExp(`</${rootName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*>$`).test(end);
  if (!closed) throw malformed('content after the root element');
}

/** First child with this namespace URI and local name. */
export function childOf(element: XmlElement, namespace: string, name: string): XmlElement | undefined {
  return element.children.find((c) => c.namespace === namespace && c.name === name);
}
