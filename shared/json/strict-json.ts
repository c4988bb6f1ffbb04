import { MalformedRequestError } from '../domain/errors';

/**
 * JSON with a member name repeated in one object is refused: JSON.parse silently keeps the last
 * value, so a signed body could mean one thing to the signer's parser and another to ours
 * (RFC 8259 §4: names "SHOULD be unique"; I-JSON, RFC 7493 §2.3, makes it a MUST).
 */

/** A repeated member name and where it is (`$.a.b[2]`), or undefined. */
export interface DuplicateKey {
  readonly key: string;
  readonly path: string;
}

interface Frame {
  readonly kind: 'object' | 'array';
  /** Where this value sits in its parent (member name or index); undefined at the root. */
  readonly at: string | number | undefined;
  readonly keys?: Set<string>;
  /** Object: the next string is a member name. */
  expectKey: boolean;
  /** Object: the name of the member whose value comes next; array: index of the next element. */
  member: string;
  index: number;
}

/** `$.a.b[2]`, built only when a duplicate is found (paths of deep nesting are never built per level). */
function pathOf(stack: readonly Frame[]): string {
  let path = '$';
  for (const frame of stack) {
    const at = frame.at;
    if (at === undefined) continue;
    if (typeof at === 'number') path += `[${at}]`;
    else path += /^[A-Za-z_$][\w$]*$/.test(at) ? `.${at}` : `[${JSON.stringify(at)}]`;
  }
  return path;
}

/**
 * Scans a JSON text that JSON.parse accepts and returns the first member name repeated within
 * one object, at any depth (names are compared after unescaping: `"a"` and `"\u0061"` are the
 * same name). Iterative, linear in the text, no recursion: nesting depth cannot overflow the
 * stack. The result for text that is not valid JSON is unspecified (call JSON.parse first).
 */
export function findDuplicateKey(text: string): DuplicateKey | undefined {
  const stack: Frame[] = [];
  const childAt = (): string | number | undefined => {
    const top = stack[stack.length - 1];
    if (!top) return undefined;
    return top.kind === 'object' ? top.member : top.index;
  };
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      let escaped = false;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 0x5c /* \ */) {
          escaped = true;
          j += 2;
          continue;
        }
        if (d === 0x22) break;
        j++;
      }
      const top = stack[stack.length - 1];
      if (top?.kind === 'object' && top.expectKey) {
        const raw = text.slice(i + 1, j);
        const key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : raw;
        if (top.keys?.has(key)) return { key, path: pathOf(stack) };
        top.keys?.add(key);
        top.member = key;
        top.expectKey = false;
      }
      i = j + 1;
      continue;
    }
    if (c === 0x7b /* { */) {
      stack.push({ kind: 'object', at: childAt(), keys: new Set(), expectKey: true, member: '', index: 0 });
    } else if (c === 0x5b /* [ */) {
      stack.push({ kind: 'array', at: childAt(), expectKey: false, member: '', index: 0 });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.kind === 'object') top.expectKey = true;
      else if (top) top.index++;
    }
    i++;
  }
  return undefined;
}

/** How a refused name is shown: bounded and printable. */
function shown(key: string): string {
  const printable = key.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > 64 ? `${printable.slice(0, 64)}...` : printable;
}

/**
 * JSON.parse that refuses duplicate member names (MalformedRequestError, 400 FF01, naming the
 * key). Syntax errors are MalformedRequestError too.
 */
export function parseJsonStrict(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new MalformedRequestError('body is not valid JSON', { cause });
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate) {
    throw new MalformedRequestError(
      `body is not valid JSON: duplicate key '${shown(duplicate.key)}' in ${shown(duplicate.path)}`,
    );
  }
  return value;
}
