import type { IsoNode } from './mirror';

/** An element to write. `name` may carry a prefix (`ps:TxSts`); `text` is raw (escaped on output). */
export interface XNode {
  readonly name: string;
  readonly attrs?: Readonly<Record<string, string>>;
  readonly children?: readonly XNode[];
  readonly text?: string;
}

/** Element helper: `el('TxSts', 'ACTC')`, `el('GrpHdr', [..children])`; undefined children are dropped. */
export function el(
  name: string,
  content: string | readonly (XNode | undefined)[],
  attrs?: Record<string, string>,
): XNode {
  if (typeof content === 'string') return { name, text: content, ...(attrs ? { attrs } : {}) };
  return { name, children: content.filter((c): c is XNode => c !== undefined), ...(attrs ? { attrs } : {}) };
}

/** Optional leaf: undefined when there is no value. */
export function opt(name: string, value: string | undefined): XNode | undefined {
  return value === undefined ? undefined : el(name, value);
}

/** Drops characters XML 1.0 cannot carry at all (controls, lone surrogates, U+FFFE/FFFF). */
function stripIllegal(value: string): string {
  return value.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    '\uFFFD',
  );
}

export function escapeText(value: string): string {
  return stripIllegal(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeAttribute(value: string): string {
  return escapeText(value)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

/** Prefixes every element name in the subtree (`FIToFIPmtStsRpt` -> `ps:FIToFIPmtStsRpt`). */
export function withPrefix(node: XNode, prefix: string): XNode {
  return {
    ...node,
    name: `${prefix}:${node.name}`,
    ...(node.children ? { children: node.children.map((c) => withPrefix(c, prefix)) } : {}),
  };
}

function render(node: XNode, indent: string, out: string[]): void {
  const attrs = Object.entries(node.attrs ?? {})
    .map(([k, v]) => ` ${k}="${escapeAttribute(v)}"`)
    .join('');
  if (node.children && node.children.length > 0) {
    out.push(`${indent}<${node.name}${attrs}>`);
    for (const child of node.children) render(child, `${indent}  `, out);
    out.push(`${indent}</${node.name}>`);
  } else if (node.text !== undefined && node.text !== '') {
    out.push(`${indent}<${node.name}${attrs}>${escapeText(node.text)}</${node.name}>`);
  } else {
    out.push(`${indent}<${node.name}${attrs}/>`);
  }
}

/** Serialises with an XML declaration and two-space indentation. */
export function renderXml(root: XNode): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  render(root, '', out);
  return `${out.join('\n')}\n`;
}

/** The JSON mirror of a built tree (same rules as mirror.ts; prefixes are dropped). */
export function toJsonMirror(node: XNode): IsoNode {
  const attrs = Object.entries(node.attrs ?? {}).filter(([k]) => k !== 'xmlns' && !k.includes(':'));
  if (!node.children || node.children.length === 0) {
    return attrs.length ? { ...Object.fromEntries(attrs), value: node.text ?? '' } : (node.text ?? '');
  }
  const out: Record<string, IsoNode> = Object.fromEntries(attrs);
  for (const child of node.children) {
    const key = child.name.slice(child.name.indexOf(':') + 1);
    const value = toJsonMirror(child);
    const existing = Object.prototype.hasOwnProperty.call(out, key) ? out[key] : undefined;
    out[key] =
      existing === undefined
        ? value
        : Array.isArray(existing)
          ? [...(existing as IsoNode[]), value]
          : [existing, value];
  }
  return out;
}
