import type { ServerResponse } from 'node:http';
import { ErrorCode, type Reason } from '@tickmesh/shared';
import { httpStatusOf } from './auth-http-status';

/** Sends `body` as JSON with `cache-control: no-store` (tokens and principals must never be cached). */
export function replyJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * Sends a failure as `{ code, message }` with the status `httpStatusOf(code)`. Bearer
 * failures carry the RFC 6750 `WWW-Authenticate` challenge so generic HTTP clients know
 * what to do.
 */
export function replyFailure(res: ServerResponse, reason: Reason, headers: Record<string, string> = {}): void {
  const challenge = bearerChallenge(reason.code);
  replyJson(res, httpStatusOf(reason.code), { code: reason.code, message: reason.message }, challenge ? { 'www-authenticate': challenge, ...headers } : headers);
}

/** The `WWW-Authenticate` value for a bearer-token failure, or undefined for other codes. */
export function bearerChallenge(code: string): string | undefined {
  switch (code) {
    case ErrorCode.AUTH_REQUIRED:
      return 'Bearer realm="tickmesh"';
    case ErrorCode.AUTH_INVALID_TOKEN:
    case ErrorCode.AUTH_EXPIRED_TOKEN:
      return 'Bearer realm="tickmesh", error="invalid_token"';
    case ErrorCode.AUTH_FORBIDDEN:
      return 'Bearer realm="tickmesh", error="insufficient_scope"';
    default:
      return undefined;
  }
}
