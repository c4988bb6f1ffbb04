export {
  assertHmacSecretStrength,
  constantTimeEqual,
  isSignatureAlgorithm,
  KeyMaterialError,
  MIN_HMAC_SECRET_BYTES,
  SIGNATURE_ALGORITHMS,
  signBytes,
  verifyBytes,
  type SignatureAlgorithm,
} from './algorithms';
export {
  computeContentDigest,
  parseContentDigest,
  verifyContentDigest,
  type DigestAlgorithm,
  type DigestCheck,
} from './content-digest';
export { InMemoryNonceStore, InMemoryPartnerKeys } from './in-memory';
export type { NonceStore, PartnerKey, PartnerKeyResolver, PartnerStatus } from './ports';
export {
  createSignatureBase,
  KNOWN_STRUCTURED_FIELDS,
  parseComponentIdentifier,
  SignatureBaseError,
  type SignableRequest,
  type SignatureBaseFailure,
  type SignatureBaseOptions,
  type StructuredFieldType,
} from './signature-base';
export {
  newNonce,
  signRequest,
  signRequestWithBase,
  type RequestToSign,
  type SignedRequestDetails,
  type SignOptions,
} from './signer';
export {
  acceptSignature,
  AUTH_FAILURE_REASONS,
  createRequestVerifier,
  DEFAULT_VERIFIER_POLICY,
  wwwAuthenticate,
  type AcceptSignatureOptions,
  type AuthFailureReason,
  type IncomingRequest,
  type RequestVerifier,
  type VerifiedRequest,
  type VerifierDeps,
  type VerifierPolicy,
} from './verifier';
