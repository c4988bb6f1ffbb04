/**
 * Namespace URIs the intake recognises. Elements are matched by (namespace URI, local name),
 * never by prefix: `<ns2:Document xmlns:ns2="...">` and `<Document xmlns="...">` are the same.
 */
export const NS = {
  pacs008: 'urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08',
  pacs002: 'urn:iso:std:iso:20022:tech:xsd:pacs.002.001.10',
  pacs028: 'urn:iso:std:iso:20022:tech:xsd:pacs.028.001.03',
  /** head.001 v01 (TCH RTP AppHdr children). */
  head001v01: 'urn:iso:std:iso:20022:tech:xsd:head.001.001.01',
  /** head.001 v02 (FedNow AppHdr). */
  head001v02: 'urn:iso:std:iso:20022:tech:xsd:head.001.001.02',
  /** TCH RTP envelope: `<Message xmlns="urn:tch">` with `AppHdr` + a message wrapper. */
  tch: 'urn:tch',
  /** FedNow technical envelope sent by a participant (moov-io/fednow20022 `fednow_incoming_external`). */
  fednowIncoming: 'urn:fednow:incoming:v001',
  /** FedNow technical envelope sent by the service to a participant. */
  fednowOutgoing: 'urn:fednow:outgoing:v001',
} as const;

/** Any head.001 (Business Application Header) version 01..03. */
export function isHeadNamespace(uri: string): boolean {
  return /^urn:iso:std:iso:20022:tech:xsd:head\.001\.001\.0[1-3]$/.test(uri);
}

export const PACS008_MSG_NM_ID = 'pacs.008.001.08';
export const PACS002_MSG_NM_ID = 'pacs.002.001.10';
