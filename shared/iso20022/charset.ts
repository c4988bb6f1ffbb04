import type { IssueList } from './issues';

/**
 * Characters. XML 1.0 (5th ed.) production [2] Char is
 *   #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
 * and SQS message bodies allow exactly the same set (SendMessage API reference), so NUL and the
 * other C0 controls, U+FFFE, U+FFFF and lone surrogates can be neither parsed from XML, written
 * back in a pacs.002, nor put on the queue. Every text of a pacs.008 (XML or JSON form) must be
 * made of Chars.
 *
 * References and account numbers are stricter. The FedNow and TCH schemas type them as
 * Max35Text / Max34Text, plain xs:string with a length only (FedNow's MsgId pattern is
 * alphanumeric), so the XSDs admit any Char there; this service admits printable ASCII only
 * (U+0020-U+007E) in EndToEndId, InstrId, TxId, MsgId, UETR, BizMsgIdr, IBAN and Othr/Id: they
 * become storage keys, are compared byte for byte in pacs.028 look-ups, and an emoji or
 * U+10FFFF in a reference is far likelier a fault than an identifier (the ISO 20022 / SWIFT
 * practice for identifiers is the Latin character set). Names and remittance text keep every
 * Char.
 */
export function isXmlCodePoint(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** `U+FFFE`, `U+1F600`. */
export function codePointLabel(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * The first code point of `text` that is not an XML Char (a lone surrogate is reported as its
 * code unit), with its UTF-16 index; undefined when all are legal.
 */
export function firstIllegalXmlChar(text: string): { index: number; codePoint: number } | undefined {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return { index: i, codePoint: unit };
    }
    if (!isXmlCodePoint(unit)) return { index: i, codePoint: unit };
  }
  return undefined;
}

export function isXmlText(text: string): boolean {
  return firstIllegalXmlChar(text) === undefined;
}

/** The first character outside printable ASCII (U+0020-U+007E), or undefined. */
export function firstNonPrintableAscii(text: string): { index: number; codePoint: number } | undefined {
  for (let i = 0; i < text.length; i++) {
    const cp = text.codePointAt(i) ?? 0;
    if (cp < 0x20 || cp > 0x7e) return { index: i, codePoint: cp };
  }
  return undefined;
}

/** Reports every string of a (model or JSON) tree with a non-Char, with its element path. */
export function checkXmlChars(root: unknown, prefix: string, issues: IssueList, max = 10): void {
  const stack: { node: unknown; path: string }[] = [{ node: root, path: prefix }];
  let found = 0;
  while (stack.length > 0 && found < max) {
    const item = stack.pop();
    if (!item) break;
    const { node, path } = item;
    if (typeof node === 'string') {
      const bad = firstIllegalXmlChar(node);
      if (bad) {
        found++;
        issues.add(
          path || '(root)',
          'FF01',
          `contains ${codePointLabel(bad.codePoint)} at position ${bad.index + 1}, a character XML 1.0 and the rail refuse`,
        );
      }
    } else if (Array.isArray(node)) {
      node.forEach((child: unknown, i) => stack.push({ node: child, path: `${path}[${i}]` }));
    } else if (typeof node === 'object' && node !== null) {
      for (const [key, child] of Object.entries(node)) {
        stack.push({ node: child, path: path ? `${path}.${key}` : key });
      }
    }
  }
}

/** A reference or account number: printable ASCII only (see above); FF01 with the field. */
export function checkIdentifierChars(value: string | undefined, field: string, issues: IssueList): boolean {
  if (value === undefined) return true;
  const bad = firstNonPrintableAscii(value);
  if (!bad) return true;
  if (issues.items.some((i) => i.field === field)) return false;
  issues.add(
    field,
    'FF01',
    `contains ${codePointLabel(bad.codePoint)} at position ${bad.index + 1}: references and account numbers must be printable ASCII (U+0020-U+007E)`,
  );
  return false;
}
