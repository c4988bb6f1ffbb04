import type { KeyObject } from 'node:crypto';
import { AuthenticationError, ConfigError, ForbiddenError, InternalError } from '../domain/errors';
import { isSignatureAlgorithm, KeyMaterialError, type SignatureAlgorithm, verifyBytes } from './algorithms';
import { verifyContentDigest } from './content-digest';
import { isWellFormedKeyId } from './key-id';
import type { NonceStore, PartnerKey, PartnerKeyResolver } from './ports';
import { createSignatureBase, parseTargetUri, SignatureBaseError } from './signature-base';
import {
  type BareItem,
  type Dictionary,
  type InnerList,
  isInnerList,
  parseDictionary,
  serializeDictionary,
  StructuredFieldError,
} from './structured-fields';

/**
 * Partner request authentication: the profile of RFC 9421 (HTTP Message Signatures) and
 * RFC 9530 (Content-Digest) this service enforces on top of the RFCs' mechanics.
 */

export const AUTH_FAILURE_REASONS = [
  'missing_signature',
  'malformed_signature',
  'missing_parameter',
  'missing_component',
  'unsupported_algorithm',
  'unknown_key',
  'bad_signature',
  'stale',
  'future',
  'expired',
  'replayed',
  'digest_mismatch',
  'missing_digest',
] as const;

/** Machine-readable reason, carried as `AuthenticationError.code`. */
export type AuthFailureReason = (typeof AUTH_FAILURE_REASONS)[number];

export interface VerifierPolicy {
  /** Oldest acceptable `created`, in seconds before now. */
  readonly windowSeconds: number;
  /** How far `created` may lie in the future (clock skew), in seconds. */
  readonly maxSkewSeconds: number;
  /** Only accept the signature with this label (default: `sig1`, or the only one). */
  readonly label?: string;
}

export const DEFAULT_VERIFIER_POLICY: VerifierPolicy = { windowSeconds: 300, maxSkewSeconds: 5 };

export interface VerifierDeps {
  readonly keys: PartnerKeyResolver;
  readonly nonces: NonceStore;
  /** Current time in epoch milliseconds (`Date.now`, or `Clock.now`). */
  readonly now: () => number;
  readonly policy?: Partial<VerifierPolicy>;
}

export interface IncomingRequest {
  readonly method: string;
  /** Full target URI as the client addressed it, e.g. `https://host/stage/payments?x=1`. */
  readonly targetUri: string;
  /** Request headers with lower-case names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** Raw body bytes exactly as received (not re-serialized). */
  readonly body?: Buffer;
}

export interface VerifiedRequest {
  readonly partnerId: string;
  readonly keyId: string;
  readonly alg: SignatureAlgorithm;
  /** `created` of the signature, epoch seconds. */
  readonly created: number;
  readonly nonce: string;
}

/** Callable directly (`verify(req)`) or as `verifier.verify(req)`. */
export type RequestVerifier = ((req: IncomingRequest) => Promise<VerifiedRequest>) & {
  readonly verify: (req: IncomingRequest) => Promise<VerifiedRequest>;
};

/** Extra time a nonce is remembered beyond the window in which its signature is acceptable. */
const NONCE_TTL_MARGIN_SECONDS = 60;
const MAX_NONCE_LENGTH = 256;
const MAX_KEYID_LENGTH = 256;

function fail(reason: AuthFailureReason, message: string): never {
  throw new AuthenticationError(reason, message);
}

function header(headers: IncomingRequest['headers'], name: string): string | undefined {
  const direct = headers[name];
  if (direct !== undefined) return direct;
  // Names are documented as lower-case; tolerate a caller that forgot.
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined && key.toLowerCase() === name) return value;
  }
  return undefined;
}

function parseSignatureDictionary(value: string, name: string): Dictionary {
  try {
    return parseDictionary(value);
  } catch (err) {
    if (err instanceof StructuredFieldError) fail('malformed_signature', `${name} is not a valid dictionary`);
    throw err;
  }
}

interface SelectedSignature {
  readonly label: string;
  readonly covered: InnerList;
  readonly signature: Uint8Array;
}

function chooseLabel(inputs: Dictionary, wanted: string | undefined): string {
  if (wanted !== undefined) return wanted;
  if (inputs.has('sig1')) return 'sig1';
  const [only, ...others] = inputs.keys();
  if (only === undefined) return fail('missing_signature', 'Signature-Input is empty');
  if (others.length > 0) return fail('malformed_signature', 'several signatures and none labelled sig1');
  return only;
}

/**
 * A message may carry several signatures (RFC 9421 §4.3). We verify exactly one: the label the
 * policy names, else `sig1`, else the only one present. Other signatures are ignored.
 */
function selectSignature(
  signatureInput: string,
  signature: string,
  wanted: string | undefined,
): SelectedSignature {
  const inputs = parseSignatureDictionary(signatureInput, 'Signature-Input');
  const signatures = parseSignatureDictionary(signature, 'Signature');

  const label = chooseLabel(inputs, wanted);
  const covered = inputs.get(label);
  if (covered === undefined) fail('missing_signature', `no signature labelled ${label}`);
  const value = signatures.get(label);
  if (value === undefined) fail('malformed_signature', `Signature has no member ${label}`);

  // §4.1: each Signature-Input member is an Inner List of sf-string component identifiers.
  if (!isInnerList(covered) || covered.items.some((id) => typeof id.value !== 'string')) {
    fail('malformed_signature', 'Signature-Input member is not a list of component identifiers');
  }
  // §4.2: each Signature member is a Byte Sequence.
  if (isInnerList(value) || !(value.value instanceof Uint8Array)) {
    fail('malformed_signature', 'Signature member is not a byte sequence');
  }
  return { label, covered, signature: value.value };
}

interface SignatureParameters {
  readonly created: number;
  readonly expires: number | undefined;
  readonly keyId: string;
  readonly nonce: string;
  readonly alg: SignatureAlgorithm;
}

function requireParam<T extends BareItem>(
  params: Map<string, BareItem>,
  name: string,
  isType: (v: BareItem) => v is T,
): T {
  const value = params.get(name);
  if (value === undefined) fail('missing_parameter', `signature parameter ${name} is required`);
  if (!isType(value)) fail('malformed_signature', `signature parameter ${name} has the wrong type`);
  return value;
}

const isInteger = (v: BareItem): v is number => typeof v === 'number';
const isString = (v: BareItem): v is string => typeof v === 'string';

function readSignatureParameters(params: Map<string, BareItem>): SignatureParameters {
  // RFC 9421 §2.3 makes all of these optional; this profile requires created, keyid, nonce
  // (replay protection) and alg (no algorithm confusion: it must match the key's).
  const created = requireParam(params, 'created', isInteger);
  const keyId = requireParam(params, 'keyid', isString);
  const nonce = requireParam(params, 'nonce', isString);
  const alg = requireParam(params, 'alg', isString);
  const expires = params.get('expires');
  if (expires !== undefined && !isInteger(expires)) fail('malformed_signature', 'expires must be an integer');
  if (keyId.length === 0 || keyId.length > MAX_KEYID_LENGTH)
    fail('malformed_signature', 'keyid has a bad length');
  if (nonce.length === 0 || nonce.length > MAX_NONCE_LENGTH)
    fail('malformed_signature', 'nonce has a bad length');
  if (!isSignatureAlgorithm(alg)) fail('unsupported_algorithm', 'alg must be hmac-sha256 or ed25519');
  return { created, expires, keyId, nonce, alg };
}

function hasBody(req: IncomingRequest): req is IncomingRequest & { body: Buffer } {
  return req.body !== undefined && req.body.length > 0;
}

/**
 * The signature must bind the method, the whole target (either as `@target-uri`, or as
 * `@authority` + `@path` + `@query`, the query being optional only when there is none), and the
 * body through `content-digest`. A signature that leaves any of these out could be replayed
 * against another resource or with another body.
 */
function checkCoveredComponents(covered: InnerList, req: IncomingRequest): void {
  const names = new Set(covered.items.map((id) => String(id.value)));
  const missing = (name: string): never => fail('missing_component', `the signature must cover ${name}`);
  if (!names.has('@method')) missing('@method');
  if (!names.has('@target-uri')) {
    if (!names.has('@authority') || !names.has('@path')) missing('@target-uri or @authority and @path');
    if (!names.has('@query') && hasQuery(req.targetUri)) missing('@query');
  }
  if (hasBody(req) && !names.has('content-digest')) missing('content-digest');
}

function hasQuery(targetUri: string): boolean {
  try {
    const { query } = parseTargetUri(targetUri);
    return query !== undefined && query !== '';
  } catch {
    // An unusable URI fails later, when the signature base is built.
    return true;
  }
}

function checkTime(p: SignatureParameters, nowSeconds: number, policy: VerifierPolicy): void {
  if (nowSeconds - p.created > policy.windowSeconds) fail('stale', 'signature created too long ago');
  if (p.created - nowSeconds > policy.maxSkewSeconds) fail('future', 'signature created in the future');
  // §2.3: a signature past its expiration time must not be accepted.
  if (p.expires !== undefined && nowSeconds > p.expires) fail('expired', 'signature has expired');
}

/** RFC 9530: Content-Digest, when sent, must match the raw body; it is required with a body. */
function checkDigest(req: IncomingRequest): void {
  const digestHeader = header(req.headers, 'content-digest');
  if (digestHeader === undefined) {
    if (hasBody(req)) fail('missing_digest', 'Content-Digest is required with a body');
    return;
  }
  switch (verifyContentDigest(digestHeader, req.body ?? Buffer.alloc(0))) {
    case 'ok':
      return;
    case 'unsupported':
      return fail('missing_digest', 'Content-Digest has no sha-256 or sha-512 digest');
    case 'malformed':
      return fail('digest_mismatch', 'Content-Digest is malformed');
    case 'mismatch':
      return fail('digest_mismatch', 'Content-Digest does not match the body');
  }
}

function buildBase(req: IncomingRequest, covered: InnerList): Buffer {
  try {
    return Buffer.from(createSignatureBase(req, covered), 'latin1');
  } catch (err) {
    if (err instanceof SignatureBaseError) {
      fail(err.reason === 'missing_component' ? 'missing_component' : 'malformed_signature', err.message);
    }
    throw err;
  }
}

function keyMaterial(key: PartnerKey): Uint8Array | KeyObject {
  const material = key.alg === 'hmac-sha256' ? key.secret : key.publicKey;
  if (material === undefined) throw new InternalError('partner key has no key material');
  return material;
}

function checkSignature(key: PartnerKey, base: Buffer, signature: Uint8Array): void {
  let valid: boolean;
  try {
    valid = verifyBytes(key.alg, keyMaterial(key), base, signature);
  } catch (err) {
    if (err instanceof KeyMaterialError)
      throw new InternalError('partner key material is unusable', { cause: err });
    throw err;
  }
  if (!valid) fail('bad_signature', 'signature does not verify');
}

function resolvePolicy(policy: Partial<VerifierPolicy> | undefined): VerifierPolicy {
  const resolved = { ...DEFAULT_VERIFIER_POLICY, ...policy };
  const { windowSeconds, maxSkewSeconds } = resolved;
  if (
    !Number.isInteger(windowSeconds) ||
    windowSeconds <= 0 ||
    !Number.isInteger(maxSkewSeconds) ||
    maxSkewSeconds < 0
  ) {
    throw new ConfigError(
      'signature policy: windowSeconds must be a positive and maxSkewSeconds a non-negative integer',
    );
  }
  return resolved;
}

export function createRequestVerifier(deps: VerifierDeps): RequestVerifier {
  const policy = resolvePolicy(deps.policy);
  const nonceTtlSeconds = policy.windowSeconds + policy.maxSkewSeconds + NONCE_TTL_MARGIN_SECONDS;

  const verify = async (req: IncomingRequest): Promise<VerifiedRequest> => {
    const signatureInput = header(req.headers, 'signature-input');
    const signature = header(req.headers, 'signature');
    if (signatureInput === undefined || signature === undefined) {
      fail('missing_signature', 'Signature-Input and Signature headers are required');
    }

    // Cheap, local checks first: a malformed, stale or incomplete request costs no key lookup.
    const selected = selectSignature(signatureInput, signature, policy.label);
    const params = readSignatureParameters(selected.covered.params);
    checkCoveredComponents(selected.covered, req);
    checkTime(params, Math.floor(deps.now() / 1000), policy);
    checkDigest(req);

    // A key id this service could never have issued is refused like an unknown one, unlooked-up.
    if (!isWellFormedKeyId(params.keyId)) fail('unknown_key', 'unknown keyid');
    const key = await deps.keys.resolve(params.keyId);
    if (key === undefined) fail('unknown_key', 'unknown keyid');
    // §3.2 step 6: the alg parameter must match the algorithm the key is registered for.
    if (key.alg !== params.alg) fail('unsupported_algorithm', 'alg does not match the key');

    checkSignature(key, buildBase(req, selected.covered), selected.signature);

    // Only an authenticated caller learns that its partner is disabled.
    if (key.partnerStatus !== 'ACTIVE') throw new ForbiddenError('partner_disabled', 'partner is disabled');

    // Last: only a request that passed every other check burns its nonce. A forgery that copies
    // the keyid and nonce of a genuine request in flight cannot get the genuine one refused as a
    // replay, and unauthenticated traffic never writes to the store.
    if (!(await deps.nonces.claim(key.keyId, params.nonce, nonceTtlSeconds))) {
      fail('replayed', 'nonce already used');
    }
    return {
      partnerId: key.partnerId,
      keyId: key.keyId,
      alg: key.alg,
      created: params.created,
      nonce: params.nonce,
    };
  };
  return Object.assign(verify, { verify });
}

/**
 * `WWW-Authenticate` value for a 401, e.g. `Signature error="stale"`. RFC 9421 registers no
 * authentication scheme; `Signature` with an `error` auth-param follows the style of RFC 6750.
 */
export function wwwAuthenticate(reason: string): string {
  const safe = /^[a-z_]+$/.test(reason) ? reason : 'invalid_request';
  return `Signature error="${safe}"`;
}

export interface AcceptSignatureOptions {
  readonly label?: string;
  /** Whether the request has a body (then content-digest is requested too). */
  readonly withBody?: boolean;
  readonly keyId?: string;
  readonly alg?: SignatureAlgorithm;
}

/**
 * `Accept-Signature` value (RFC 9421 §5.1) describing the signature this service wants:
 * the covered components, and `created` as a request to include a creation time. (A `nonce`
 * parameter there would ask for a specific value, so it is left out: the nonce is required but
 * chosen by the signer.)
 */
export function acceptSignature(options: AcceptSignatureOptions = {}): string {
  const components = ['@method', '@target-uri', ...(options.withBody === false ? [] : ['content-digest'])];
  const params = new Map<string, BareItem>([['created', true]]);
  if (options.keyId !== undefined) params.set('keyid', options.keyId);
  if (options.alg !== undefined) params.set('alg', options.alg);
  const member: InnerList = { items: components.map((value) => ({ value, params: new Map() })), params };
  return serializeDictionary(new Map([[options.label ?? 'sig1', member]]));
}
