import { MalformedRequestError, ValidationError, type FieldIssue } from '../../domain/errors';
import { locateMessage, type LocatedMessage, type MessageSpec } from '../envelope';
import { NS, isHeadNamespace } from '../namespaces';
import { parseXml, type XmlElement } from '../xml';
import {
  prestartSchemaValidator,
  validateXmlParts,
  type SchemaPart,
  type SchemaViolation,
} from './validator';

export { closeSchemaValidator, prestartSchemaValidator } from './validator';

/**
 * Which schema applies to which part of a message (README "Schema validation"):
 *  - bare Document: the ISO 20022 base schema of its namespace;
 *  - FedNow envelope: the head.001.001.02 AppHdr against the ISO head.001.001.02 schema and the
 *    Document against its ISO base schema, each on its own (the FedNow wrapper elements have no
 *    published schema here and are checked by envelope.ts);
 *  - TCH `<Message xmlns="urn:tch">`: the whole Message against TCH's RTP usage schema
 *    (messages.xsd: AppHdr = head.001.001.01 usage, then the message wrapper and its Document
 *    usage types). The message part is strict; in the AppHdr, violations on elements left
 *    **empty** are tolerated (TCH's own samples send `<head:Fr></head:Fr>` etc.); any AppHdr
 *    element that has content must be valid, and no element may be unknown or out of order.
 */
const DOCUMENT_SCHEMAS: Readonly<Record<string, string>> = {
  [NS.pacs008]: 'iso20022/pacs.008.001.08.xsd',
  [NS.pacs028]: 'iso20022/pacs.028.001.03.xsd',
  [NS.pacs002]: 'iso20022/pacs.002.001.10.xsd',
};
const FEDNOW_HEAD_SCHEMA = 'iso20022/head.001.001.02.xsd';
const TCH_SCHEMA = 'rtp/messages.xsd';
const MAX_ISSUES = 20;
const MAX_MESSAGE = 200;

// In Lambda, boot the validator during the init phase (it does not block).
if (process.env.AWS_LAMBDA_FUNCTION_NAME) prestartSchemaValidator();

/** Element index path from `root` to `target` (by identity), or undefined. */
function pathTo(root: XmlElement, target: XmlElement): number[] | undefined {
  if (root === target) return [];
  for (const [index, child] of root.children.entries()) {
    const rest = pathTo(child, target);
    if (rest) return [index, ...rest];
  }
  return undefined;
}

function elementAt(root: XmlElement, indexes: readonly number[]): XmlElement | undefined {
  let current: XmlElement | undefined = root;
  for (const index of indexes) current = current?.children[index];
  return current;
}

interface Plan {
  readonly parts: readonly SchemaPart[];
  /** TCH: index path of the AppHdr, whose empty elements are tolerated. */
  readonly lenientAppHdr?: readonly number[];
}

function plan(root: XmlElement, located: LocatedMessage): Plan | FieldIssue {
  const messagePath = pathTo(root, located.message);
  if (!messagePath || messagePath.length === 0) {
    return { field: located.message.name, code: 'FF01', message: 'message not found in the document' };
  }
  if (located.envelope === 'tch') {
    const appHdr = root.children.findIndex((c) => c.namespace === NS.tch && c.name === 'AppHdr');
    return {
      parts: [{ path: [], schema: TCH_SCHEMA }],
      ...(appHdr >= 0 ? { lenientAppHdr: [appHdr] } : {}),
    };
  }
  const documentPath = messagePath.slice(0, -1);
  const document = elementAt(root, documentPath);
  const schema = document ? DOCUMENT_SCHEMAS[document.namespace] : undefined;
  if (!schema) return { field: 'Document', code: 'FF01', message: 'no schema for this message type' };
  const parts: SchemaPart[] = [{ path: documentPath, schema }];
  if (located.envelope === 'fednow') {
    const wrapperPath = documentPath.slice(0, -1);
    const wrapper = elementAt(root, wrapperPath);
    const appHdr = wrapper?.children.findIndex((c) => c.name === 'AppHdr' && isHeadNamespace(c.namespace));
    if (wrapper && appHdr !== undefined && appHdr >= 0) {
      const header = wrapper.children[appHdr];
      if (header?.namespace !== NS.head001v02) {
        return {
          field: 'AppHdr',
          code: 'FF01',
          message: `FedNow uses head.001.001.02, not ${header?.namespace}`,
        };
      }
      parts.unshift({ path: [...wrapperPath, appHdr], schema: FEDNOW_HEAD_SCHEMA });
    }
  }
  return { parts };
}

/** libxml2's message without the element name (the field says it) and namespace URIs, capped. */
export function cleanMessage(raw: string): string {
  let message = raw.trim();
  const lead = /^Element '[^']*'(?:, attribute '([^']*)')?: /.exec(message);
  if (lead) message = (lead[1] ? `attribute ${lead[1]}: ` : '') + message.slice(lead[0].length);
  message = message.replace(/\{(?:urn|https?):[^{}\s]*\}/g, '').replace(/\s+/g, ' ');
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message;
}

/** Field path like validate.ts: relative to the message root, or from AppHdr / the wrapper. */
function fieldOf(names: readonly string[], spec: MessageSpec): string {
  const atRoot = names.indexOf(spec.root);
  if (atRoot >= 0) return names.slice(atRoot + 1).join('.') || spec.root;
  const atHeader = names.indexOf('AppHdr');
  if (atHeader >= 0) return names.slice(atHeader).join('.');
  return names.join('.') || spec.root;
}

function tolerated(violation: SchemaViolation, lenient: readonly number[] | undefined): boolean {
  return (
    lenient !== undefined &&
    violation.empty &&
    violation.indexes.length > lenient.length &&
    lenient.every((index, i) => violation.indexes[i] === index)
  );
}

/**
 * Schema issues of a located message (empty when it validates). `text` is the decoded body the
 * tree `root` was parsed from. Throws MalformedRequestError if libxml2 cannot read what
 * fast-xml-parser could, InternalError if the validator is unavailable.
 */
export function schemaIssues(
  text: string,
  root: XmlElement,
  located: LocatedMessage,
  spec: MessageSpec,
  options: { readonly strictAppHdr?: boolean } = {},
): FieldIssue[] {
  const chosen = plan(root, located);
  if (!('parts' in chosen)) return [chosen];
  const result = validateXmlParts(text, chosen.parts);
  if (!result.ok) throw new MalformedRequestError(`malformed XML: ${cleanMessage(result.malformed)}`);
  const lenient = options.strictAppHdr ? undefined : chosen.lenientAppHdr;
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  for (const violation of result.violations) {
    if (tolerated(violation, lenient)) continue;
    const issue: FieldIssue = {
      field: fieldOf(violation.names, spec),
      code: 'FF01',
      message: `schema: ${cleanMessage(violation.message)}`,
    };
    const key = `${issue.field}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
    if (issues.length >= MAX_ISSUES) break;
  }
  return issues;
}

/**
 * A message that fails its XSD: a ValidationError (FF01, every schema issue), plus what could
 * still be read of it (`parsed`, best effort, may be absent) so the caller can echo the
 * original references in its pacs.002 RJCT answer. Never used to go on processing.
 */
export class SchemaValidationError<T = unknown> extends ValidationError {
  readonly parsed?: T;

  constructor(issues: readonly FieldIssue[], parsed?: T) {
    super(issues);
    if (parsed !== undefined) this.parsed = parsed;
  }
}

/**
 * Throws SchemaValidationError unless the message validates; `readAnyway` (may throw: then
 * nothing is attached) gives what the error carries as `parsed`.
 */
export function assertSchemaValid<T>(
  text: string,
  root: XmlElement,
  located: LocatedMessage,
  spec: MessageSpec,
  readAnyway?: () => T,
): void {
  const issues = schemaIssues(text, root, located, spec);
  if (issues.length === 0) return;
  let parsed: T | undefined;
  try {
    parsed = readAnyway?.();
  } catch {
    parsed = undefined;
  }
  throw new SchemaValidationError(issues, parsed);
}

/**
 * Schema issues of a whole XML message of type `spec` (any envelope), e.g. to check what we
 * send. `strictAppHdr`: no tolerance for empty TCH AppHdr elements (our own output must be full).
 */
export function messageSchemaIssues(
  xml: string,
  spec: MessageSpec,
  options: { readonly strictAppHdr?: boolean } = {},
): FieldIssue[] {
  const root = parseXml(xml);
  return schemaIssues(xml, root, locateMessage(root, spec), spec, options);
}
