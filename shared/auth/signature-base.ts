import {
  type InnerList,
  type Item,
  type Parameters,
  parseDictionary,
  parseItem,
  parseList,
  serializeDictionary,
  serializeInnerList,
  serializeItem,
  serializeList,
  serializeMember,
  StructuredFieldError,
} from './structured-fields';

/**
 * Signature base creation for requests (RFC 9421 §2.5). The base is a list of lines
 * `<component identifier>: <component value>` for each covered component, in the order the
 * signer listed them, followed by the `"@signature-params"` line. Signer and verifier both build
 * it with this module, so any difference in the message shows up as a different base.
 */

/** The parts of an HTTP request a signature can cover. Header names are case-insensitive. */
export interface SignableRequest {
  readonly method: string;
  /** Absolute target URI, e.g. `https://api.example.com/payments?x=1`. */
  readonly targetUri: string;
  /** Field values; an array stands for several field lines of the same name. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
}

export type SignatureBaseFailure =
  /** A covered component is absent from the message (header, dictionary key, query param). */
  | 'missing_component'
  /** The identifier is not one we can compute (unknown derived component, parameter, type). */
  | 'unsupported_component'
  /** The message itself cannot be represented (unparseable URI, CR/LF or non-ASCII in a value). */
  | 'invalid_message';

export class SignatureBaseError extends Error {
  constructor(
    readonly reason: SignatureBaseFailure,
    message: string,
  ) {
    super(message);
    this.name = 'SignatureBaseError';
  }
}

export type StructuredFieldType = 'dictionary' | 'list' | 'item';

/**
 * `;sf` needs the field's structured type, which the RFC leaves to the application (§2.1.1).
 * These are the fields this service may see; callers can add more.
 */
export const KNOWN_STRUCTURED_FIELDS: Readonly<Record<string, StructuredFieldType>> = {
  'signature-input': 'dictionary',
  signature: 'dictionary',
  'accept-signature': 'dictionary',
  'content-digest': 'dictionary',
  'repr-digest': 'dictionary',
  'want-content-digest': 'dictionary',
  'want-repr-digest': 'dictionary',
  priority: 'dictionary',
  'cache-status': 'list',
  'proxy-status': 'list',
};

export interface SignatureBaseOptions {
  /** Extra structured field types for `;sf`, by lower-case field name. */
  readonly structuredFields?: Readonly<Record<string, StructuredFieldType>>;
}

// field-name = token (RFC 9110 §5.1); the component name of a field is its lower-cased name.
const FIELD_NAME_RE = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
const URI_RE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#.*)?$/;

export interface TargetUri {
  readonly raw: string;
  readonly scheme: string;
  readonly path: string;
  /** The query without its leading "?", or undefined when the URI has no "?". */
  readonly query: string | undefined;
}

/** Splits an absolute URI into the raw pieces the derived components use (no normalization). */
export function parseTargetUri(raw: string): TargetUri {
  const m = URI_RE.exec(raw);
  if (!m) throw new SignatureBaseError('invalid_message', 'target URI is not an absolute URI');
  return { raw, scheme: (m[1] ?? '').toLowerCase(), path: m[3] ?? '', query: m[4] };
}

/** Parses a component identifier: `@method`, `content-type`, or `"@query-param";name="x"`. */
export function parseComponentIdentifier(text: string): Item {
  if (text.startsWith('"')) {
    const parsed = parseItem(text);
    if (typeof parsed.value !== 'string') throw new StructuredFieldError('component name must be a string');
    return parsed;
  }
  return { value: text.startsWith('@') ? text : text.toLowerCase(), params: new Map() };
}

/**
 * `application/x-www-form-urlencoded percent-encode set` of the WHATWG URL standard: everything
 * but ASCII alphanumerics and `*-._` is percent-encoded (spaces as %20, not "+"). RFC 9421
 * §2.2.8 re-encodes query parameter names and values this way.
 */
function formUrlEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()~]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function onlyParams(id: Item, allowed: readonly string[]): void {
  for (const key of id.params.keys()) {
    if (!allowed.includes(key)) {
      // §2.5: a component parameter the verifier does not understand makes the base fail.
      throw new SignatureBaseError(
        'unsupported_component',
        `unsupported parameter "${key}" on "${String(id.value)}"`,
      );
    }
  }
}

function queryParamValue(target: TargetUri, id: Item): string {
  onlyParams(id, ['name']);
  const name = id.params.get('name');
  if (typeof name !== 'string') {
    throw new SignatureBaseError('unsupported_component', '@query-param needs a string "name" parameter');
  }
  // §2.2.8: parse with form-urlencoded parsing, compare re-encoded names, re-encode the value.
  const values: string[] = [];
  for (const [key, value] of new URLSearchParams(target.query ?? '')) {
    if (formUrlEncode(key) === name) values.push(formUrlEncode(value));
  }
  const [only, ...others] = values;
  if (only === undefined)
    throw new SignatureBaseError('missing_component', `query parameter "${name}" is absent`);
  // §2.2.8: a parameter that occurs more than once MUST NOT be included (sign @query instead).
  if (others.length > 0) {
    throw new SignatureBaseError('unsupported_component', `query parameter "${name}" occurs more than once`);
  }
  return only;
}

function authority(target: TargetUri): string {
  // §2.2.3: host (and port, unless default for the scheme), lower-cased, per RFC 9110 §4.2.3.
  // WHATWG URL does exactly this normalization (and drops any userinfo).
  try {
    return new URL(target.raw).host;
  } catch {
    throw new SignatureBaseError('invalid_message', 'target URI has no valid authority');
  }
}

function derivedComponentValue(req: SignableRequest, target: TargetUri, id: Item, name: string): string {
  if (name === '@query-param') return queryParamValue(target, id);
  // `req` (request-bound components of a response) is meaningless for requests: refuse it too.
  onlyParams(id, []);
  const path = target.path === '' ? '/' : target.path;
  switch (name) {
    case '@method':
      // §2.2.1: method names are case-sensitive; the value is used as-is.
      return req.method;
    case '@target-uri':
      return target.raw;
    case '@authority':
      return authority(target);
    case '@scheme':
      return target.scheme;
    case '@request-target':
      // §2.2.5: origin-form request target (path and query) as it would appear on the wire.
      return target.query === undefined ? path : `${path}?${target.query}`;
    case '@path':
      // §2.2.6: an empty path is normalized to a single "/".
      return path;
    case '@query':
      // §2.2.7: with the leading "?"; a URI without a query gives the "?" alone.
      return `?${target.query ?? ''}`;
    default:
      // @status is response-only; @signature-params may never be covered (§2.3).
      throw new SignatureBaseError('unsupported_component', `unsupported derived component "${name}"`);
  }
}

function fieldLines(headers: SignableRequest['headers'], name: string): string[] {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined || key.toLowerCase() !== name) continue;
    if (typeof value === 'string') lines.push(value);
    else lines.push(...value);
  }
  // §2.1: strip surrounding whitespace and replace obsolete line folding with one SP.
  return lines.map((line) => line.replace(/\r?\n[ \t]+/g, ' ').replace(/^[ \t]+|[ \t]+$/g, ''));
}

function reserializeStructured(value: string, type: StructuredFieldType): string {
  switch (type) {
    case 'dictionary':
      return serializeDictionary(parseDictionary(value));
    case 'list':
      return serializeList(parseList(value));
    case 'item':
      return serializeItem(parseItem(value));
  }
}

function fieldValue(req: SignableRequest, id: Item, name: string, options: SignatureBaseOptions): string {
  onlyParams(id, ['sf', 'key', 'bs']);
  const sf = id.params.get('sf');
  const key = id.params.get('key');
  const bs = id.params.get('bs');
  if ((sf !== undefined && sf !== true) || (bs !== undefined && bs !== true)) {
    throw new SignatureBaseError('unsupported_component', `"sf" and "bs" take no value on "${name}"`);
  }
  if (key !== undefined && typeof key !== 'string') {
    throw new SignatureBaseError('unsupported_component', `"key" must be a string on "${name}"`);
  }
  if (bs === true && (sf === true || key !== undefined)) {
    // §2.1.3: "bs" cannot be combined with "sf" or "key".
    throw new SignatureBaseError('unsupported_component', `"bs" cannot be combined with "sf" or "key"`);
  }

  const lines = fieldLines(req.headers, name);
  if (lines.length === 0) throw new SignatureBaseError('missing_component', `header "${name}" is absent`);

  // §2.1.3: each field line is wrapped as a byte sequence on its own, then joined.
  if (bs === true)
    return lines.map((line) => `:${Buffer.from(line, 'latin1').toString('base64')}:`).join(', ');

  // §2.1: several field lines are combined with ", ".
  const combined = lines.join(', ');
  try {
    if (typeof key === 'string') {
      // §2.1.2: the serialized value of one Dictionary member.
      const member = parseDictionary(combined).get(key);
      if (member === undefined) {
        throw new SignatureBaseError('missing_component', `dictionary key "${key}" is absent from "${name}"`);
      }
      return serializeMember(member);
    }
    if (sf === true) {
      // §2.1.1: strict re-serialization, so equivalent spellings give the same base.
      const type = options.structuredFields?.[name] ?? KNOWN_STRUCTURED_FIELDS[name];
      if (type === undefined) {
        throw new SignatureBaseError('unsupported_component', `structured type of "${name}" is unknown`);
      }
      return reserializeStructured(combined, type);
    }
  } catch (err) {
    if (err instanceof StructuredFieldError) {
      throw new SignatureBaseError('invalid_message', `header "${name}" is not a valid structured field`);
    }
    throw err;
  }
  return combined;
}

function componentValue(
  req: SignableRequest,
  target: TargetUri,
  id: Item,
  options: SignatureBaseOptions,
): string {
  const name = id.value;
  if (typeof name !== 'string') {
    throw new SignatureBaseError('unsupported_component', 'component identifiers must be sf-strings');
  }
  if (name.startsWith('@')) return derivedComponentValue(req, target, id, name);
  if (!FIELD_NAME_RE.test(name)) {
    // §2.1: the identifier of a field is its lower-cased name.
    throw new SignatureBaseError(
      'unsupported_component',
      'field component names must be lower-case field names',
    );
  }
  return fieldValue(req, id, name, options);
}

/** True when every character is visible ASCII, SP or HTAB (no CR/LF, controls or non-ASCII). */
function isPrintableAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c > 0x7e) return false;
  }
  return true;
}

/**
 * Builds the signature base for `signatureParams`: the Inner List of covered component
 * identifiers together with the signature parameters (created, keyid, ...), exactly as it
 * appears (or will appear) as the Signature-Input member value.
 */
export function createSignatureBase(
  req: SignableRequest,
  signatureParams: InnerList,
  options: SignatureBaseOptions = {},
): string {
  const target = parseTargetUri(req.targetUri);
  const seen = new Set<string>();
  let base = '';
  for (const id of signatureParams.items) {
    const identifier = serializeItem(id);
    // §2.5 step 2.1: each component identifier may appear only once.
    if (seen.has(identifier)) {
      throw new SignatureBaseError('unsupported_component', `component ${identifier} is listed twice`);
    }
    seen.add(identifier);
    const value = componentValue(req, target, id, options);
    // The base is LF-separated US-ASCII: a value that would break a line or is not ASCII fails.
    if (!isPrintableAscii(value)) {
      throw new SignatureBaseError(
        'invalid_message',
        `component ${identifier} has a value that cannot be signed`,
      );
    }
    base += `${identifier}: ${value}\n`;
  }
  // §2.3: the last line covers the signature parameters themselves.
  return `${base}"@signature-params": ${serializeInnerList(signatureParams)}`;
}

/** Convenience for building the covered-components Inner List. */
export function signatureParamsList(components: readonly Item[], params: Parameters): InnerList {
  return { items: components, params };
}
