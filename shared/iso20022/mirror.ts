import { MalformedRequestError } from '../domain/errors';
import type { XmlElement } from './xml';

/**
 * The JSON mirror of an ISO 20022 XML element (see README "JSON form"):
 *  - a leaf element without attributes is its text: `<MsgId>X</MsgId>` -> `"MsgId": "X"`;
 *  - a leaf with attributes is an object of the attributes plus `value` for the text:
 *    `<IntrBkSttlmAmt Ccy="USD">1.00</IntrBkSttlmAmt>` -> `{ "Ccy": "USD", "value": "1.00" }`;
 *  - an element with children is an object keyed by child local name; a repeated child
 *    becomes an array, in document order.
 * Every leaf is a string: nothing is ever parsed as a number.
 */
export type IsoNode = string | readonly IsoNode[] | { readonly [key: string]: IsoNode };

function push(target: Record<string, IsoNode>, key: string, value: IsoNode): void {
  if (!Object.prototype.hasOwnProperty.call(target, key)) {
    target[key] = value;
    return;
  }
  const existing = target[key];
  target[key] = Array.isArray(existing) ? [...(existing as IsoNode[]), value] : [existing as IsoNode, value];
}

/**
 * Converts an element (and its subtree) to the JSON mirror. Every descendant must be in
 * `namespace`: ISO 20022 schemas allow no foreign elements inside a message.
 */
export function toMirror(element: XmlElement, namespace: string): IsoNode {
  const attributes = Object.entries(element.attributes);
  if (element.children.length === 0) {
    if (attributes.length === 0) return element.text;
    return { ...Object.fromEntries(attributes), value: element.text };
  }
  const out: Record<string, IsoNode> = Object.fromEntries(attributes);
  for (const child of element.children) {
    if (child.namespace !== namespace) {
      throw new MalformedRequestError(
        `element ${child.name} in namespace '${child.namespace}' is not allowed inside ${element.name} (expected '${namespace}')`,
      );
    }
    if (attributes.some(([name]) => name === child.name)) {
      throw new MalformedRequestError(`element ${child.name} clashes with an attribute of ${element.name}`);
    }
    push(out, child.name, toMirror(child, namespace));
  }
  return out;
}
