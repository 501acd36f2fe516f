import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode } from '@tickmesh/shared';
import { replyFailure, replyJson, type AuthService } from '../auth/index';
import { peerPrincipal } from './peer-principal';
import type { PeerIds } from './peer-id';
import { signalError } from './signal-error';
import type { SignallingOptions } from './signalling-options';

/** What the HTTP routes need from the server. */
export interface RouteContext {
  auth: AuthService;
  options: SignallingOptions;
  ids: PeerIds;
  peerIds: () => string[];
}

/**
 * The PeerJS HTTP API under `<path>/<key>/`: `GET id` (a fresh id for the caller's account,
 * text/plain, as the peerjs client's `retrieveId` reads it) and `GET peers` (every
 * registered id as JSON, only with `allowDiscovery`). Both need a token: ids are bound to
 * accounts, and the peer list is nobody's business without one. No CORS: the PWA is served
 * by the relay itself. Any other path under `<path>` is 404 NOT_FOUND.
 */
export async function handleSignallingRequest(ctx: RouteContext, req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
  const rest = pathname.slice(ctx.options.path.length).replace(/^\/+/, '');
  const [key, method, ...extra] = rest.split('/');
  if (req.method !== 'GET' || extra.length > 0 || (method !== 'id' && method !== 'peers')) return replyError(res, 'NOT_FOUND', `no route for ${req.method} ${pathname}`);
  // Authenticate before anything else so an unauthenticated caller learns nothing, not even the key.
  const p = await peerPrincipal(ctx.auth, req);
  if (!p.ok) return replyFailure(res, p.reason);
  if (key !== ctx.options.key) return replyError(res, ErrorCode.SIGNAL_INVALID_KEY, 'unknown key');
  if (method === 'id') {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(ctx.ids.issue(p.value.account));
    return;
  }
  if (!ctx.options.allowDiscovery) return replyError(res, ErrorCode.SIGNAL_DISCOVERY_DISABLED, 'peer discovery is disabled');
  replyJson(res, 200, ctx.peerIds());
}

function replyError(res: ServerResponse, code: string, message: string): void {
  const err = signalError(code, message);
  replyJson(res, err.httpStatus, { code: err.code, message: err.message });
}
