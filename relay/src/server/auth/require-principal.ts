import type { IncomingMessage } from 'node:http';
import { ErrorCode, fail, type Result } from '@tickmesh/shared';
import type { AuthService } from './auth-service';
import type { Principal } from './principal';
import { can, type AuthAction } from './roles';
import { tokenFromRequest } from './token-from-request';

/**
 * The gate for /api routes and WebSocket upgrades: the principal of the request's token
 * when it may do `action`. AUTH_REQUIRED without a token; AUTH_INVALID_TOKEN or
 * AUTH_EXPIRED_TOKEN for a bad one; AUTH_FORBIDDEN (403) when its role may not do `action`.
 */
export async function requirePrincipal(auth: AuthService, req: IncomingMessage, action: AuthAction): Promise<Result<Principal>> {
  const token = tokenFromRequest(req);
  if (token === undefined) return fail(ErrorCode.AUTH_REQUIRED, 'an access token is required');
  const r = await auth.verify(token);
  if (!r.ok) return r;
  if (!can(r.value, action)) return fail(ErrorCode.AUTH_FORBIDDEN, `role ${r.value.role} may not ${action}`);
  return r;
}
