import type { IncomingMessage } from 'node:http';
import { ErrorCode, fail, type Result } from '@tickmesh/shared';
import { can, tokenFromRequest, type AuthService, type Principal } from '../auth/index';

/**
 * The principal of a signalling upgrade: the relay's usual token places (Authorization
 * header, `access_token` query, `bearer.` subprotocol), else the peerjs `token` query
 * parameter, which the peerjs client puts in its WebSocket URL and lets the app set
 * (`new Peer(id, { token })`): a browser needs no URL tricks. Joining the mesh needs the
 * `market-data` right. AUTH_REQUIRED / AUTH_INVALID_TOKEN / AUTH_EXPIRED_TOKEN / AUTH_FORBIDDEN.
 */
export async function peerPrincipal(auth: AuthService, req: IncomingMessage): Promise<Result<Principal>> {
  const token = tokenFromRequest(req) ?? new URL(req.url ?? '/', 'http://x').searchParams.get('token') ?? undefined;
  if (!token) return fail(ErrorCode.AUTH_REQUIRED, 'an access token is required');
  const r = await auth.verify(token);
  if (!r.ok) return r;
  if (!can(r.value, 'market-data')) return fail(ErrorCode.AUTH_FORBIDDEN, `role ${r.value.role} may not join the mesh`);
  return r;
}
