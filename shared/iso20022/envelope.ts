import { MalformedRequestError } from '../domain/errors';
import { NS, isHeadNamespace } from './namespaces';
import { childOf, type XmlElement } from './xml';

/**
 * How a message arrived, so the answer can mirror it:
 *  - `document`: a bare `<Document xmlns="urn:...pacs.008.001.08">` (FedNow sample style);
 *  - `fednow`: the FedNow technical envelope `<FedNowIncoming xmlns="urn:fednow:incoming:v001">
 *    <FedNowIncomingMessage><FedNowCustomerCreditTransfer><AppHdr/><Document/>...` (head.001.001.02
 *    AppHdr next to the Document, as in moov-io/fednow20022 `fednow_incoming_external`);
 *  - `tch`: TCH RTP `<Message xmlns="urn:tch"><AppHdr/><CreditTransfer><FIToFICstmrCdtTrf/>...`.
 */
export type Envelope = 'document' | 'fednow' | 'tch';

/** The head.001 Business Application Header fields we read (all optional, as text). */
export interface AppHeader {
  readonly fromMemberId?: string;
  readonly toMemberId?: string;
  readonly bizMsgIdr?: string;
  readonly msgDefIdr?: string;
  readonly creDt?: string;
  readonly cpyDplct?: string;
}

export interface MessageSpec {
  /** e.g. 'pacs.008' (used in messages). */
  readonly label: string;
  readonly namespace: string;
  /** The message root inside Document, e.g. `FIToFICstmrCdtTrf`. */
  readonly root: string;
  /** Expected AppHdr/MsgDefIdr, e.g. `pacs.008.001.08`. */
  readonly msgDefIdr: string;
  /** Wrapper element inside FedNowIncomingMessage, e.g. `FedNowCustomerCreditTransfer`. */
  readonly fednowWrapper: string;
  /** Wrapper element inside the TCH Message, e.g. `CreditTransfer`; undefined = any non-AppHdr child. */
  readonly tchWrapper?: string;
}

export interface LocatedMessage {
  readonly envelope: Envelope;
  readonly appHdr?: AppHeader;
  /** The message root element (e.g. FIToFICstmrCdtTrf), in `spec.namespace`. */
  readonly message: XmlElement;
}

function notThis(spec: MessageSpec, what: string): MalformedRequestError {
  return new MalformedRequestError(`not a ${spec.label} (${spec.namespace}): ${what}`);
}

/** Walks head.001 children by local name (any head.001 version namespace). */
function headPath(element: XmlElement | undefined, ...names: string[]): XmlElement | undefined {
  let current = element;
  for (const name of names) {
    current = current?.children.find((c) => c.name === name && isHeadNamespace(c.namespace));
  }
  return current;
}

function memberId(party: XmlElement | undefined): string | undefined {
  const fin = headPath(party, 'FIId', 'FinInstnId');
  const id = headPath(fin, 'ClrSysMmbId', 'MmbId')?.text || headPath(fin, 'BICFI')?.text;
  return id || undefined;
}

function readAppHdr(element: XmlElement | undefined, spec: MessageSpec): AppHeader | undefined {
  if (!element) return undefined;
  const text = (name: string): string | undefined => headPath(element, name)?.text || undefined;
  const header: AppHeader = {
    fromMemberId: memberId(headPath(element, 'Fr')),
    toMemberId: memberId(headPath(element, 'To')),
    bizMsgIdr: text('BizMsgIdr'),
    msgDefIdr: text('MsgDefIdr'),
    creDt: text('CreDt'),
    cpyDplct: text('CpyDplct'),
  };
  if (header.msgDefIdr !== undefined && header.msgDefIdr !== spec.msgDefIdr) {
    throw notThis(spec, `AppHdr/MsgDefIdr announces '${header.msgDefIdr.slice(0, 35)}'`);
  }
  return Object.fromEntries(Object.entries(header).filter(([, v]) => v !== undefined));
}

/** Document -> message root, checking the Document namespace URI. */
function fromDocument(document: XmlElement, spec: MessageSpec): XmlElement {
  if (document.namespace !== spec.namespace) {
    throw notThis(spec, `Document namespace is '${document.namespace.slice(0, 80)}'`);
  }
  const message = childOf(document, spec.namespace, spec.root);
  if (!message) throw notThis(spec, `Document has no ${spec.root}`);
  return message;
}

/** The single message root inside a TCH wrapper (e.g. CreditTransfer > FIToFICstmrCdtTrf). */
function fromWrapper(wrapper: XmlElement, spec: MessageSpec): XmlElement {
  const inner = wrapper.children.find((c) => c.name === spec.root);
  if (!inner) throw notThis(spec, `${wrapper.name} has no ${spec.root}`);
  if (inner.namespace !== spec.namespace) {
    throw notThis(spec, `${spec.root} namespace is '${inner.namespace.slice(0, 80)}'`);
  }
  return inner;
}

function fromTch(root: XmlElement, spec: MessageSpec): LocatedMessage {
  const appHdr = readAppHdr(childOf(root, NS.tch, 'AppHdr'), spec);
  const wrapper = spec.tchWrapper
    ? childOf(root, NS.tch, spec.tchWrapper)
    : root.children.find((c) => c.namespace === NS.tch && c.name !== 'AppHdr');
  if (!wrapper) throw notThis(spec, `TCH Message has no ${spec.tchWrapper ?? 'message'} element`);
  return { envelope: 'tch', ...(appHdr ? { appHdr } : {}), message: fromWrapper(wrapper, spec) };
}

function fromFedNow(root: XmlElement, spec: MessageSpec): LocatedMessage {
  const direction = root.name === 'FedNowIncoming' ? 'FedNowIncomingMessage' : 'FedNowOutgoingMessage';
  const wrapper = childOf(
    childOf(root, root.namespace, direction) ?? root,
    root.namespace,
    spec.fednowWrapper,
  );
  if (!wrapper) throw notThis(spec, `FedNow envelope has no ${direction}/${spec.fednowWrapper}`);
  const document = wrapper.children.find((c) => c.name === 'Document');
  if (!document) throw notThis(spec, `${spec.fednowWrapper} has no Document`);
  const appHdr = readAppHdr(
    wrapper.children.find((c) => c.name === 'AppHdr' && isHeadNamespace(c.namespace)),
    spec,
  );
  return { envelope: 'fednow', ...(appHdr ? { appHdr } : {}), message: fromDocument(document, spec) };
}

/** Finds the message root in a bare Document or a known envelope; anything else is malformed. */
export function locateMessage(root: XmlElement, spec: MessageSpec): LocatedMessage {
  if (root.name === 'Document') return { envelope: 'document', message: fromDocument(root, spec) };
  if (root.namespace === NS.tch && root.name === 'Message') return fromTch(root, spec);
  if (
    (root.namespace === NS.fednowIncoming && root.name === 'FedNowIncoming') ||
    (root.namespace === NS.fednowOutgoing && root.name === 'FedNowOutgoing')
  ) {
    return fromFedNow(root, spec);
  }
  if (root.name === 'AppHdr' && isHeadNamespace(root.namespace)) {
    throw notThis(
      spec,
      'a head.001 AppHdr alone carries no Document (Business Application Header without a message)',
    );
  }
  throw notThis(
    spec,
    `root element {${root.namespace.slice(0, 80)}}${root.name.slice(0, 40)} is neither a Document nor a known envelope`,
  );
}
