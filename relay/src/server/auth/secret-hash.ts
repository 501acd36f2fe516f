import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Bearer secrets (API keys, login codes): generation and hashing. Only hashes are ever
 * stored, so a leaked accounts file or heap dump does not leak usable keys. Plain SHA-256 is
 * enough (no salt, no KDF) because the secrets are 128+ random bits, not human passwords.
 */

/** Prefix of API keys, so secret scanners and humans recognise a leaked one. */
export const apiKeyPrefix = 'tmk_';

/** A new API key: `tmk_` + 32 random bytes, base64url. */
export function newApiKey(): string {
  return apiKeyPrefix + randomBytes(32).toString('base64url');
}

/** A new one-time login code: 16 random bytes (128 bits), base64url. */
export function newLoginCode(): string {
  return randomBytes(16).toString('base64url');
}

/** SHA-256 of the secret, lower-case hex (64 characters). */
export function sha256Hex(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time equality of two hex digests of the same length. */
export function digestsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}
