import { createHash } from 'node:crypto';
import { constantTimeEqual } from './algorithms';
import { isInnerList, parseDictionary, StructuredFieldError } from './structured-fields';

/**
 * Content-Digest (RFC 9530 §2): a Dictionary whose keys are hash algorithm names and whose
 * values are sf-byte-sequences holding the digest of the message content, i.e. the raw body
 * bytes exactly as sent (before any decoding). Digests are never computed over re-serialized
 * JSON/XML: only the raw bytes give the same answer on both sides.
 */
export type DigestAlgorithm = 'sha-256' | 'sha-512';

const NODE_HASH: Record<DigestAlgorithm, string> = { 'sha-256': 'sha256', 'sha-512': 'sha512' };

export type DigestCheck = 'ok' | 'mismatch' | 'unsupported' | 'malformed';

function isDigestAlgorithm(key: string): key is DigestAlgorithm {
  return key === 'sha-256' || key === 'sha-512';
}

function digest(body: Uint8Array, alg: DigestAlgorithm): Buffer {
  return createHash(NODE_HASH[alg]).update(body).digest();
}

/** The header value, e.g. `sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:`. */
export function computeContentDigest(body: Uint8Array, alg: DigestAlgorithm = 'sha-256'): string {
  return `${alg}=:${digest(body, alg).toString('base64')}:`;
}

/**
 * Parses the header into the digests this service understands. Other algorithm keys (e.g. the
 * deprecated `md5`, RFC 9530 §5) are ignored, as the RFC lets a recipient do. Throws
 * StructuredFieldError if the field is not a valid Dictionary or a known key is not a byte
 * sequence.
 */
export function parseContentDigest(header: string): Map<DigestAlgorithm, Uint8Array> {
  const out = new Map<DigestAlgorithm, Uint8Array>();
  for (const [key, member] of parseDictionary(header)) {
    if (!isDigestAlgorithm(key)) continue;
    if (isInnerList(member) || !(member.value instanceof Uint8Array)) {
      throw new StructuredFieldError(`${key} digest is not a byte sequence`);
    }
    out.set(key, member.value);
  }
  return out;
}

/**
 * Checks the header against the raw body. Every supported digest present must match (a sender
 * that lists two digests vouches for both); at least one supported digest must be present.
 */
export function verifyContentDigest(header: string, body: Uint8Array): DigestCheck {
  let digests: Map<DigestAlgorithm, Uint8Array>;
  try {
    digests = parseContentDigest(header);
  } catch (err) {
    if (err instanceof StructuredFieldError) return 'malformed';
    throw err;
  }
  if (digests.size === 0) return 'unsupported';
  for (const [alg, expected] of digests) {
    if (!constantTimeEqual(digest(body, alg), expected)) return 'mismatch';
  }
  return 'ok';
}
