/**
 * XSD validation host (runs in a worker_thread; see validator.ts for why and how it is called).
 *
 * libxml2-wasm is an ES module with top-level await: it cannot be `require`d by jest's CommonJS
 * runtime nor bundled into the CommonJS Lambda bundle. This plain .mjs file is loaded by Node
 * itself in a worker thread, so it works the same under jest, tsx and in Lambda.
 *
 * Protocol (one request at a time, the caller blocks on `signal` with Atomics.wait):
 *   request  { xml: string, parts: [{ path: number[], schema: string }] }
 *   response { violations: [{ part, names, indexes, empty, message }] } | { malformed } | { failure }
 * then `signal[0] = 1` + Atomics.notify.
 *
 * Every schema is compiled once, on first use, and kept for the life of the worker. Only files
 * inside `schemaDir` can be read (XSD include/import); the instance document can load nothing.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { workerData } from 'node:worker_threads';
const { port, signal, schemaDir } = workerData;

// Loaded dynamically so that a failure to load answers every request at once ({ failure })
// instead of leaving the caller to time out.
let lib;
let loadError;
try {
  lib = await import('libxml2-wasm');
} catch (error) {
  loadError = error;
}
const { ParseOption, XmlDocument, XmlElement, XmlValidateError, XsdValidator, xmlRegisterInputProvider } =
  lib ?? {};
const root = path.resolve(schemaDir) + path.sep;

/** The schema file a libxml2 file name points to, if it lies inside schemaDir. */
function insideSchemaDir(filename) {
  let file = filename;
  if (file.startsWith('file:')) {
    try {
      file = fileURLToPath(file);
    } catch {
      return undefined;
    }
  }
  const resolved = path.resolve(file);
  return resolved.startsWith(root) && resolved.endsWith('.xsd') ? resolved : undefined;
}

xmlRegisterInputProvider?.({
  match: (filename) => insideSchemaDir(filename) !== undefined,
  open: (filename) => {
    const file = insideSchemaDir(filename);
    if (file === undefined) return undefined;
    try {
      return openSync(file, 'r');
    } catch {
      return undefined;
    }
  },
  read: (fd, buf) => {
    try {
      return readSync(fd, buf, 0, buf.byteLength, null);
    } catch {
      return -1;
    }
  },
  close: (fd) => {
    try {
      closeSync(fd);
      return true;
    } catch {
      return false;
    }
  },
});

const validators = new Map();

function validatorFor(schema) {
  let validator = validators.get(schema);
  if (!validator) {
    const file = insideSchemaDir(path.join(root, schema));
    if (file === undefined) throw new Error(`unknown schema ${schema}`);
    const xsd = XmlDocument.fromBuffer(readFileSync(file), { url: file });
    // The schema document is kept with the compiled schema (libxml2 may point into it).
    validator = XsdValidator.fromDoc(xsd);
    validators.set(schema, validator);
  }
  return validator;
}

function elementChildren(element) {
  const out = [];
  for (let child = element.firstChild; child; child = child.next) {
    if (child instanceof XmlElement) out.push(child);
  }
  return out;
}

/** Element at an index path (element children only) from the document root. */
function elementAt(doc, indexes) {
  let current = doc.root;
  for (const index of indexes) {
    current = elementChildren(current)[index];
    if (!current) return undefined;
  }
  return current;
}

/**
 * Resolves libxml2's error node path (`/*\/*[2]/ct:FIToFICstmrCdtTrf/ct:GrpHdr/ct:Foo`) on the
 * tree: `*` steps name any element, `p:Name` steps an element of that local name, `[n]` the n-th
 * such sibling. Returns the element, or the deepest one reached.
 */
function resolveXpath(doc, xpath) {
  const steps = String(xpath ?? '')
    .split('/')
    .filter((s) => s !== '');
  let current;
  for (const [i, step] of steps.entries()) {
    const match = /^([^[]+)(?:\[(\d+)\])?$/.exec(step);
    if (!match) break;
    const name = match[1].includes(':') ? match[1].split(':').pop() : match[1];
    const nth = Number(match[2] ?? '1') - 1;
    const candidates = i === 0 ? [doc.root] : elementChildren(current);
    const found = candidates.filter((c) => name === '*' || c.name === name)[nth];
    if (!found) break;
    current = found;
  }
  return current;
}

function describe(doc, element) {
  const names = [];
  const indexes = [];
  for (let node = element; node; node = node.parent) {
    names.unshift(node.name);
    if (node.parent) {
      // Node wrappers are fresh objects on every access: count element siblings, not identity.
      let index = 0;
      for (let sibling = node.prev; sibling; sibling = sibling.prev)
        if (sibling instanceof XmlElement) index += 1;
      indexes.unshift(index);
    }
  }
  return { names, indexes, empty: element ? element.content.trim() === '' : false };
}

function handle({ xml, parts }) {
  if (loadError) throw new Error(`libxml2-wasm did not load: ${loadError?.message ?? loadError}`);
  let doc;
  try {
    // No entity substitution, no DTD loading, no network: the caller refused DTDs already.
    doc = XmlDocument.fromString(xml, { option: ParseOption.XML_PARSE_NONET });
  } catch (error) {
    return {
      malformed: String(error?.message ?? error)
        .split('\n')[0]
        .slice(0, 200),
    };
  }
  try {
    const violations = [];
    for (const [part, { path: indexes, schema }] of parts.entries()) {
      const element = elementAt(doc, indexes);
      if (!element) throw new Error(`no element at ${indexes.join('/')}`);
      try {
        validatorFor(schema).validate(element);
      } catch (error) {
        if (!(error instanceof XmlValidateError)) throw error;
        for (const detail of error.details ?? []) {
          const node = resolveXpath(doc, detail.xpath) ?? element;
          violations.push({ part, ...describe(doc, node), message: String(detail.message ?? '') });
        }
      }
    }
    return { violations };
  } finally {
    doc.dispose();
  }
}

port.on('message', (request) => {
  let response;
  try {
    response = handle(request);
  } catch (error) {
    response = { failure: String(error?.message ?? error).slice(0, 300) };
  }
  port.postMessage(response);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
