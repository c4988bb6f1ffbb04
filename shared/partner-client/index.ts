import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { SignatureAlgorithm } from '../auth/algorithms';
import { signRequest } from '../auth/signer';

/**
 * A partner's HTTP client: signs every request per RFC 9421 (with Content-Digest per RFC 9530)
 * and sends it with `fetch`. Used by the partner CLI, end-to-end tests and integrators.
 */

export interface PartnerClientOptions {
  /** e.g. `http://127.0.0.1:3000` or `https://api.example.com/v1` (a path prefix is kept). */
  readonly baseUrl: string;
  readonly keyId: string;
  readonly alg: SignatureAlgorithm;
  /** HMAC shared secret, for `hmac-sha256`. */
  readonly secret?: Buffer;
  /** Ed25519 private key, for `ed25519`. */
  readonly privateKey?: KeyObject;
  readonly fetch?: typeof fetch;
  /** Epoch milliseconds (inject for tests). */
  readonly now?: () => number;
}

export interface PartnerRequestOptions {
  readonly body?: string | Buffer;
  readonly contentType?: string;
  readonly accept?: string;
}

/** A signed request, ready to send (or to print as a curl command). */
export interface PreparedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
}

export interface PartnerResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Minimum HMAC key size: the hash output length (RFC 2104 §3). */
const MIN_HMAC_SECRET_BYTES = 32;

export class PartnerClient {
  private readonly key: Buffer | KeyObject;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: PartnerClientOptions) {
    this.key = PartnerClient.keyFor(options);
    this.fetchFn = options.fetch ?? fetch;
  }

  private static keyFor(options: PartnerClientOptions): Buffer | KeyObject {
    if (options.alg === 'hmac-sha256') {
      if (options.secret === undefined) throw new Error('hmac-sha256 needs a secret');
      return options.secret;
    }
    if (options.privateKey === undefined) throw new Error('ed25519 needs a private key');
    return options.privateKey;
  }

  /** The absolute URL for `path`, normalized as fetch will send it (the signed @target-uri). */
  url(path: string): string {
    const base = this.options.baseUrl.replace(/\/+$/, '');
    return new URL(`${base}${path.startsWith('/') ? path : `/${path}`}`).href;
  }

  /** Builds and signs the request without sending it. */
  prepare(method: string, path: string, opts: PartnerRequestOptions = {}): PreparedRequest {
    const url = this.url(path);
    const body = opts.body === undefined ? undefined : Buffer.from(opts.body);
    const headers: Record<string, string> = {};
    if (opts.contentType !== undefined) headers['content-type'] = opts.contentType;
    if (opts.accept !== undefined) headers['accept'] = opts.accept;
    const now = this.options.now ?? Date.now;
    const signed = signRequest(
      { method, targetUri: url, headers, body },
      { keyId: this.options.keyId, alg: this.options.alg, key: this.key, created: Math.floor(now() / 1000) },
    );
    return { method, url, headers: { ...headers, ...signed }, body };
  }

  async request(method: string, path: string, opts: PartnerRequestOptions = {}): Promise<PartnerResponse> {
    const prepared = this.prepare(method, path, opts);
    return this.send(prepared);
  }

  async send(prepared: PreparedRequest): Promise<PartnerResponse> {
    const res = await this.fetchFn(prepared.url, {
      method: prepared.method,
      headers: prepared.headers,
      body: prepared.body,
    });
    const headers: Record<string, string> = {};
    res.headers.forEach((value, name) => {
      headers[name] = value;
    });
    return { status: res.status, headers, body: await res.text() };
  }

  submitPayment(body: string | Buffer, contentType: string): Promise<PartnerResponse> {
    return this.request('POST', '/payments', { body, contentType });
  }

  getPayment(paymentId: string, accept?: string): Promise<PartnerResponse> {
    return this.request('GET', `/payments/${encodeURIComponent(paymentId)}`, { accept });
  }
}

/** Decodes an HMAC secret given in base64 or base64url (padding optional). */
export function decodeHmacSecret(encoded: string): Buffer {
  const text = encoded.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) throw new Error('the secret is not base64 / base64url');
  const secret = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (secret.length < MIN_HMAC_SECRET_BYTES) {
    throw new Error(`the secret must be at least ${MIN_HMAC_SECRET_BYTES} bytes`);
  }
  return secret;
}

/** Parses an Ed25519 private key from PEM (PKCS #8). */
export function parseEd25519PrivateKey(pem: string | Buffer): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('the key is not an Ed25519 private key');
  return key;
}

/** Reads an Ed25519 private key from a PEM file. */
export function loadEd25519PrivateKey(pemFile: string): KeyObject {
  return parseEd25519PrivateKey(readFileSync(pemFile));
}
