import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, fail, type Result } from '@tickmesh/shared';
import type { AuthService } from './auth-service';
import { FailedAttemptLimiter } from './failed-attempt-limiter';
import { replyFailure, replyJson } from './http-reply';
import type { TokenGrant } from './principal';
import { readJsonBody } from './read-json-body';
import { tokenFromRequest } from './token-from-request';

export { httpStatusOf } from './auth-http-status';
export { requirePrincipal } from './require-principal';

/** Handles a request when it is one of its routes; resolves false to let the caller go on. */
export type AuthRouteHandler = (req: IncomingMessage, res: ServerResponse, path: string) => Promise<boolean>;

/**
 * The auth REST routes:
 * - `POST /api/auth/token` `{ "apiKey": "..." }` → 200 `{ token, expiresAt, account, role }`
 *   (expiresAt in ms since the epoch) or 401 AUTH_INVALID_API_KEY;
 * - `POST /api/auth/login` `{ "code": "..." }` → the same grant or 401 AUTH_INVALID_LOGIN_CODE;
 * - `POST /api/auth/refresh` with a valid token (no body) → a fresh grant, or 401 like /me;
 * - `GET /api/auth/me` → 200 the token's principal, or 401 AUTH_REQUIRED / AUTH_INVALID_TOKEN /
 *   AUTH_EXPIRED_TOKEN.
 * Bodies must be `application/json` of at most `auth.options.maxBodyBytes` (default 4 KiB):
 * 400 CODEC_MALFORMED, 400 CODEC_INVALID_FIELD, 413 CODEC_PAYLOAD_TOO_LARGE. A remote
 * address with `auth.options.maxFailedAttemptsPerMinute` (default 20) failed token/login
 * attempts in the current minute gets 429 AUTH_TOO_MANY_ATTEMPTS with Retry-After. `clientOf`
 * names that address (behind a trusted proxy, the X-Forwarded-For client, not the proxy).
 * Any other method or path resolves false (the relay answers 404).
 */
export function createAuthRoutes(auth: AuthService, clientOf: (req: IncomingMessage) => string | undefined = (req) => req.socket.remoteAddress): AuthRouteHandler {
  const limiter = new FailedAttemptLimiter(auth.options.maxFailedAttemptsPerMinute, 60_000, auth.options.now);

  const exchange = async (req: IncomingMessage, res: ServerResponse, field: 'apiKey' | 'code', redeem: (secret: string) => Promise<Result<TokenGrant>>) => {
    const who = attemptKey(clientOf(req));
    const waitMs = limiter.retryAfterMs(who);
    if (waitMs > 0) {
      // Refused before the secret is even looked at, so a blocked guesser learns nothing,
      // not even when a guess would have been right.
      req.resume();
      return replyFailure(res, fail(ErrorCode.AUTH_TOO_MANY_ATTEMPTS, 'too many failed attempts').reason, { 'retry-after': String(Math.ceil(waitMs / 1000)) });
    }
    const body = await readJsonBody(req, auth.options.maxBodyBytes);
    if (!body.ok) {
      return replyFailure(res, body.reason, body.reason.code === ErrorCode.CODEC_PAYLOAD_TOO_LARGE ? { connection: 'close' } : {});
    }
    const secret = isObject(body.value) ? body.value[field] : undefined;
    if (typeof secret !== 'string' || secret.length === 0) {
      return replyFailure(res, fail(ErrorCode.CODEC_INVALID_FIELD, `${field} must be a non-empty string`).reason);
    }
    const grant = await redeem(secret);
    if (!grant.ok) {
      limiter.fail(who);
      return replyFailure(res, grant.reason);
    }
    replyGrant(res, grant.value);
  };

  return async (req, res, path) => {
    if (path === '/api/auth/token' && req.method === 'POST') {
      await exchange(req, res, 'apiKey', (key) => auth.issueToken(key));
      return true;
    }
    if (path === '/api/auth/login' && req.method === 'POST') {
      await exchange(req, res, 'code', (code) => auth.redeemLoginCode(code));
      return true;
    }
    if (path === '/api/auth/refresh' && req.method === 'POST') {
      // No body is read: the token is the whole request.
      req.resume();
      const token = tokenFromRequest(req);
      const r = token === undefined ? fail(ErrorCode.AUTH_REQUIRED, 'an access token is required') : await auth.refresh(token);
      if (r.ok) replyGrant(res, r.value);
      else replyFailure(res, r.reason);
      return true;
    }
    if (path === '/api/auth/me' && req.method === 'GET') {
      const token = tokenFromRequest(req);
      const r = token === undefined ? fail(ErrorCode.AUTH_REQUIRED, 'an access token is required') : await auth.verify(token);
      if (r.ok) replyJson(res, 200, r.value);
      else replyFailure(res, r.reason);
      return true;
    }
    return false;
  };
}

function replyGrant(res: ServerResponse, g: TokenGrant): void {
  replyJson(res, 200, { token: g.token, expiresAt: g.expiresAtMs, account: g.account, role: g.role });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Whom failed attempts are counted against, given a socket's remote address: IPv4-mapped
 * IPv6 folded to IPv4, and IPv6 reduced to its /64 (one host usually holds a whole /64, so
 * counting single addresses would let it rotate past the limit).
 */
export function attemptKey(remoteAddress: string | undefined): string {
  const addr = remoteAddress ?? 'unknown';
  if (addr.startsWith('::ffff:') && addr.includes('.')) return addr.slice(7);
  if (!addr.includes(':')) return addr;
  const [head, tail] = addr.split('::');
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, '').toLowerCase())
    .join(':')}::/64`;
}
