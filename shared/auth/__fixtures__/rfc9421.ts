import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import vectors from './rfc9421-appendix-b.json';

/** Typed access to the RFC 9421 Appendix B vectors (see README.md for provenance). */

export interface RfcExample {
  readonly section: string;
  readonly label: string;
  readonly keyId: 'test-shared-secret' | 'test-key-ed25519';
  readonly signatureInput: string;
  readonly signatureBase: string;
  readonly signature: string;
}

export const rfcRequest = {
  method: vectors.testRequest.method,
  targetUri: vectors.testRequest.targetUri,
  headers: vectors.testRequest.headers as Record<string, string>,
  body: Buffer.from(vectors.testRequest.body, 'utf8'),
};

export const rfcSharedSecret: Buffer = Buffer.from(vectors.keys['test-shared-secret'].secretBase64, 'base64');
export const rfcEd25519Private: KeyObject = createPrivateKey(vectors.keys['test-key-ed25519'].privateKeyPem);
export const rfcEd25519Public: KeyObject = createPublicKey(vectors.keys['test-key-ed25519'].publicKeyPem);

function example(sectionPrefix: string, keyId: RfcExample['keyId']): RfcExample {
  const found = vectors.examples.find((e) => e.section.startsWith(sectionPrefix));
  if (!found) throw new Error(`vector ${sectionPrefix} missing from the fixture`);
  const label = found.signatureInput.slice(0, found.signatureInput.indexOf('='));
  return { ...found, label, keyId };
}

export const rfcHmacExample = example('B.2.5', 'test-shared-secret');
export const rfcEd25519Example = example('B.2.6', 'test-key-ed25519');
