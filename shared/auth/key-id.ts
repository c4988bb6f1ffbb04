/**
 * The key ids this service issues and accepts: 1 to 64 characters of `[A-Za-z0-9._-]`.
 * Checked before any key lookup, so a malformed key id costs no DynamoDB read and never enters
 * a cache; the verifier refuses it exactly like an unknown key (401 unknown_key).
 */
export const MAX_KEY_ID_LENGTH = 64;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function isWellFormedKeyId(keyId: string): boolean {
  return KEY_ID.test(keyId);
}
