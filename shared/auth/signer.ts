import { type KeyObject, randomBytes } from 'node:crypto';
import { type SignatureAlgorithm, signBytes } from './algorithms';
import { computeContentDigest, verifyContentDigest } from './content-digest';
import { createSignatureBase, parseComponentIdentifier, type SignatureBaseOptions } from './signature-base';
import { type BareItem, type InnerList, serializeDictionary } from './structured-fields';

/** Signing side of RFC 9421 for partners (and for tests of the verifier). */

export interface RequestToSign {
  readonly method: string;
  readonly targetUri: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Raw body bytes, exactly as they will be sent. */
  readonly body?: Uint8Array;
}

export interface SignOptions {
  readonly keyId: string;
  readonly alg: SignatureAlgorithm;
  /** HMAC shared secret bytes, or an Ed25519 private KeyObject. */
  readonly key: Buffer | KeyObject;
  /** Epoch seconds; default now. */
  readonly created?: number;
  /** Epoch seconds; omitted by default. */
  readonly expires?: number;
  /** Default: 128 random bits, base64url. `false` omits it (only to reproduce RFC examples). */
  readonly nonce?: string | false;
  /** Include the `alg` parameter (default true; the RFC examples omit it). */
  readonly includeAlg?: boolean;
  /** Signature label (default `sig1`). */
  readonly label?: string;
  /**
   * Covered components, e.g. `@method`, `content-type`, or `"@query-param";name="id"`.
   * Default: `@method`, `@target-uri`, then `content-digest` with a body and `content-type`
   * when that header is present.
   */
  readonly components?: readonly string[];
  /** E.g. structured types of extra fields for `;sf`. */
  readonly signatureBaseOptions?: SignatureBaseOptions;
}

export interface SignedRequestDetails {
  /** Headers to add to the request: `content-digest` (when computed here), `signature-input`, `signature`. */
  readonly headers: Record<string, string>;
  /** The exact signature base that was signed (for debugging and test vectors). */
  readonly signatureBase: string;
}

function findHeader(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
}

export function newNonce(): string {
  return randomBytes(16).toString('base64url');
}

function defaultComponents(req: RequestToSign): string[] {
  const components = ['@method', '@target-uri'];
  if (req.body !== undefined) components.push('content-digest');
  if (findHeader(req.headers, 'content-type') !== undefined) components.push('content-type');
  return components;
}

function signatureParameters(opts: SignOptions): Map<string, BareItem> {
  const params = new Map<string, BareItem>();
  params.set('created', opts.created ?? Math.floor(Date.now() / 1000));
  if (opts.expires !== undefined) params.set('expires', opts.expires);
  params.set('keyid', opts.keyId);
  const nonce = opts.nonce === undefined ? newNonce() : opts.nonce;
  if (nonce !== false) params.set('nonce', nonce);
  if (opts.includeAlg !== false) params.set('alg', opts.alg);
  return params;
}

/** Signs and also returns the signature base. */
export function signRequestWithBase(req: RequestToSign, opts: SignOptions): SignedRequestDetails {
  const added: Record<string, string> = {};
  if (req.body !== undefined) {
    const existing = findHeader(req.headers, 'content-digest');
    if (existing === undefined) {
      added['content-digest'] = computeContentDigest(req.body);
    } else if (verifyContentDigest(existing, req.body) !== 'ok') {
      // Signing a digest that does not match would only produce a request the server refuses.
      throw new Error('the request already has a Content-Digest that does not match its body');
    }
  }

  const components = opts.components ?? defaultComponents(req);
  const covered: InnerList = {
    items: components.map(parseComponentIdentifier),
    params: signatureParameters(opts),
  };
  const message = { method: req.method, targetUri: req.targetUri, headers: { ...req.headers, ...added } };
  const signatureBase = createSignatureBase(message, covered, opts.signatureBaseOptions);
  const signature = signBytes(opts.alg, opts.key, Buffer.from(signatureBase, 'latin1'));

  const label = opts.label ?? 'sig1';
  // §4.1 / §4.2: both fields are Dictionaries keyed by the same label.
  added['signature-input'] = serializeDictionary(new Map([[label, covered]]));
  added['signature'] = serializeDictionary(new Map([[label, { value: signature, params: new Map() }]]));
  return { headers: added, signatureBase };
}

/**
 * Returns the headers to add to the request so that it carries an RFC 9421 signature:
 * `content-digest` (when there is a body and no digest yet), `signature-input`, `signature`.
 */
export function signRequest(req: RequestToSign, opts: SignOptions): Record<string, string> {
  return signRequestWithBase(req, opts).headers;
}
