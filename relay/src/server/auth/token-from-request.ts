import type { IncomingMessage } from 'node:http';

/** The subprotocol a browser offers beside its token; the relay must echo it (see `selectSubprotocol`). */
export const appSubprotocol = 'tickmesh';
/** Prefix of the subprotocol entry that carries the token: `bearer.<token>`. */
export const bearerSubprotocolPrefix = 'bearer.';

/**
 * The access token a request presents, looked for in this order:
 * 1. `Authorization: Bearer <token>` (scripts, REST calls);
 * 2. the `access_token` query parameter (browsers cannot set headers on a WebSocket);
 * 3. the WebSocket subprotocol list `Sec-WebSocket-Protocol: tickmesh, bearer.<token>`
 *    (a browser's `new WebSocket(url, ['tickmesh', 'bearer.' + token])`; keeps the token
 *    out of URLs and therefore out of access logs).
 * Undefined when none is present. The token is not checked here: `AuthService.verify` does.
 */
export function tokenFromRequest(req: IncomingMessage): string | undefined {
  const authorization = req.headers.authorization;
  if (authorization) {
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
    if (m) return m[1];
  }
  const query = new URL(req.url ?? '/', 'http://x').searchParams.get('access_token');
  if (query) return query;
  const protocols = req.headers['sec-websocket-protocol'];
  if (protocols) {
    for (const p of protocols.split(',')) {
      const entry = p.trim();
      if (entry.startsWith(bearerSubprotocolPrefix) && entry.length > bearerSubprotocolPrefix.length) {
        return entry.slice(bearerSubprotocolPrefix.length);
      }
    }
  }
  return undefined;
}

/**
 * ws's `handleProtocols` for the relay's endpoints. A browser fails the connection unless
 * the server picks one of the subprotocols it offered, and the one picked must never be the
 * `bearer.` entry (that would echo the token back in a response header). So: `tickmesh` when
 * offered, else no subprotocol (clients that sent none, or only a bearer entry, still work).
 */
export function selectSubprotocol(protocols: Set<string>): string | false {
  return protocols.has(appSubprotocol) ? appSubprotocol : false;
}
