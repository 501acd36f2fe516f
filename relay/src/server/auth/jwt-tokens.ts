import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import { ErrorCode, fail, ok, type Result } from '@tickmesh/shared';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { Principal } from './principal';
import { isRole, type Role } from './roles';

/** `iss` of every token; a token from another issuer is invalid here. */
export const tokenIssuer = 'tickmesh-relay';
/** `aud` of every token. */
export const tokenAudience = 'tickmesh';
/** The one accepted algorithm. Pinning it is what shuts out `alg: none` and key confusion. */
export const tokenAlgorithm = 'HS256';

// A JWT from us is a few hundred bytes; refusing huge strings before parsing caps the work an
// unauthenticated client can make us do.
const maxTokenLength = 4096;

/**
 * Mints and checks the relay's access tokens: compact HS256 JWTs with sub (account), role,
 * jti, iat, exp, auth_time, iss and aud, via jose. Verification failures are values:
 * AUTH_EXPIRED_TOKEN for an expired but otherwise genuine token, AUTH_INVALID_TOKEN for
 * everything else (bad signature, malformed, wrong issuer or audience, other algorithms).
 */
export class JwtTokens {
  private readonly key: KeyObject;

  constructor(
    secret: Uint8Array,
    private readonly now: () => number,
  ) {
    this.key = createSecretKey(secret);
  }

  /**
   * Signs a token for `account` valid `ttlSec` seconds from now, but never past `notAfterSec`
   * when given. `authTimeSec` (OIDC's `auth_time`: when a credential was last presented)
   * defaults to now.
   */
  async sign(account: string, role: Role, ttlSec: number, authTimeSec?: number, notAfterSec = Infinity): Promise<{ token: string; tokenId: string; expiresAtMs: number }> {
    const iat = Math.floor(this.now() / 1000);
    const exp = Math.min(iat + ttlSec, notAfterSec);
    const tokenId = randomUUID();
    const token = await new SignJWT({ role, auth_time: authTimeSec ?? iat })
      .setProtectedHeader({ alg: tokenAlgorithm, typ: 'JWT' })
      .setSubject(account)
      .setJti(tokenId)
      .setIssuer(tokenIssuer)
      .setAudience(tokenAudience)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, tokenId, expiresAtMs: exp * 1000 };
  }

  /** Checks signature, algorithm, issuer, audience and expiry, then the claims' shapes. */
  async verify(token: string): Promise<Result<Principal>> {
    if (typeof token !== 'string' || token.length === 0 || token.length > maxTokenLength) {
      return fail(ErrorCode.AUTH_INVALID_TOKEN, 'malformed token');
    }
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.key, {
        algorithms: [tokenAlgorithm],
        issuer: tokenIssuer,
        audience: tokenAudience,
        requiredClaims: ['sub', 'jti', 'iat', 'exp', 'auth_time'],
        currentDate: new Date(this.now()),
      }));
    } catch (err) {
      // jose checks the signature before the claims, so "expired" is only ever said of a
      // token we really signed.
      if (err instanceof errors.JWTExpired) return fail(ErrorCode.AUTH_EXPIRED_TOKEN, 'token expired');
      if (err instanceof errors.JOSEError) return fail(ErrorCode.AUTH_INVALID_TOKEN, `invalid token (${err.code})`);
      throw err;
    }
    const { sub, jti, exp, role, auth_time: authTime } = payload;
    if (typeof sub !== 'string' || typeof jti !== 'string' || typeof exp !== 'number' || typeof authTime !== 'number' || !isRole(role)) {
      return fail(ErrorCode.AUTH_INVALID_TOKEN, 'token claims malformed');
    }
    return ok({ account: sub, role, tokenId: jti, expiresAtMs: exp * 1000, authTimeMs: authTime * 1000 });
  }
}
