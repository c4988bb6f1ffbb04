import * as z from 'zod/mini';
import { MalformedRequestError, ValidationError, type FieldIssue } from '../domain/errors';
import { codePointLabel, firstIllegalXmlChar, isXmlText } from './charset';
import { DEFAULT_MAX_DEPTH } from './xml';

const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** A repeatable element: one value or an array of them (JSON form / XML repeats), normalised to an array. */
export const many = <T extends z.ZodMiniType>(item: T) =>
  z.pipe(
    z.transform((v: unknown) => (Array.isArray(v) ? (v as unknown[]) : [v])),
    z.array(item),
  );

/**
 * An element with children. An empty one (`<ClrSys/>`, whose mirror is "") reads as {} so the
 * validator can say which child is missing instead of reporting a type mismatch.
 */
export const obj = <S extends z.core.$ZodLooseShape>(shape: S) =>
  z.pipe(
    z.transform((v: unknown) => (v === '' ? {} : v)),
    z.object(shape),
  );

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks an untrusted JSON value before schema parsing: bounded depth (iteratively, so a
 * hostile nesting cannot overflow the stack of the recursive schema walk), no
 * prototype-polluting keys, and every string (keys included) made of XML 1.0 Chars, as the XML
 * form is (charset.ts): FF01 naming the member, before anything is parsed or written.
 */
export function guardJson(value: unknown, maxDepth: number = DEFAULT_MAX_DEPTH): void {
  const stack: { node: unknown; depth: number; path: string }[] = [{ node: value, depth: 1, path: '' }];
  const issues: FieldIssue[] = [];
  while (stack.length > 0) {
    const item = stack.pop();
    if (!item) continue;
    if (typeof item.node === 'string') {
      const bad = firstIllegalXmlChar(item.node);
      if (bad && issues.length < 10) {
        issues.push({
          // Paths relative to the message, as the rules' are (CdtTrfTxInf.Dbtr.Nm).
          field: item.path.replace(/^FIToFICstmrCdtTrf\./, '') || '(root)',
          code: 'FF01',
          message: `contains ${codePointLabel(bad.codePoint)} at position ${bad.index + 1}, a character XML 1.0 and the rail refuse`,
        });
      }
      continue;
    }
    if (typeof item.node !== 'object' || item.node === null) continue;
    if (item.depth > maxDepth) throw new MalformedRequestError(`JSON nested deeper than ${maxDepth} levels`);
    const entries = Array.isArray(item.node)
      ? item.node.map((v: unknown, i) => [i, v] as const)
      : Object.entries(item.node);
    for (const [key, child] of entries) {
      if (typeof key === 'string' && RESERVED_KEYS.has(key))
        throw new MalformedRequestError(`reserved JSON key '${key}'`);
      if (typeof key === 'string' && !isXmlText(key)) {
        throw new MalformedRequestError('JSON member name with a character XML 1.0 refuses');
      }
      const path = typeof key === 'number' ? `${item.path}[${key}]` : item.path ? `${item.path}.${key}` : key;
      stack.push({ node: child, depth: item.depth + 1, path });
    }
  }
  if (issues.length > 0) throw new ValidationError(issues);
}

/**
 * `['CdtTrfTxInf', 1, 'Dbtr', 'Nm']` -> `CdtTrfTxInf[1].Dbtr.Nm`. The first (validated)
 * transaction is plain `CdtTrfTxInf`, as in validate.ts paths.
 */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => {
    if (key === 0 && acc.endsWith('CdtTrfTxInf')) return acc;
    if (typeof key === 'number') return `${acc}[${key}]`;
    const name = String(key);
    return acc ? `${acc}.${name}` : name;
  }, '');
}

/** Shape errors of a known message become FF01 issues naming the element. */
export function schemaIssues(error: z.core.$ZodError, prefix: readonly PropertyKey[] = []): ValidationError {
  const issues: FieldIssue[] = error.issues.slice(0, 20).map((issue) => {
    const field = formatPath([...prefix, ...issue.path]) || '(root)';
    const expected =
      issue.code === 'invalid_type' && issue.expected === 'string'
        ? 'a text value (every ISO 20022 leaf is a string)'
        : issue.code === 'invalid_type'
          ? `${issue.expected === 'array' ? 'a list' : 'an element with children (object)'}`
          : 'a different structure';
    return { field, code: 'FF01', message: `unexpected structure: expected ${expected}` };
  });
  return new ValidationError(issues);
}
