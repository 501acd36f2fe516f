import { isIP } from 'node:net';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/**
 * Who a request came from and whether it arrived over HTTPS, honouring a reverse proxy's
 * X-Forwarded-For / X-Forwarded-Proto only when the operator said one is in front
 * (`--trust-proxy`). Without it those headers are the client's own words and are ignored: a
 * client could otherwise pick the address its failed logins are counted against.
 *
 * Exactly one proxy hop is trusted: the right-most X-Forwarded-For entry is the one our proxy
 * added (nginx's `$proxy_add_x_forwarded_for` and HAProxy's `option forwardfor` both append),
 * while entries to its left came from the client and may be forged.
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string | undefined {
  return forwardedClient(req.headers, req.socket.remoteAddress, trustProxy);
}

/** clientAddress over the parts of a request it reads; an unusable last entry falls back to the socket's address. */
export function forwardedClient(headers: IncomingHttpHeaders, socketAddress: string | undefined, trustProxy: boolean): string | undefined {
  if (!trustProxy) return socketAddress;
  const forwarded = lastEntry(headers['x-forwarded-for']);
  const addr = forwarded === undefined ? undefined : withoutPort(forwarded);
  return addr !== undefined && isIP(addr) !== 0 ? addr : socketAddress;
}

/**
 * True when the client's connection is HTTPS: our own TLS, or, behind a trusted proxy, its
 * `X-Forwarded-Proto: https` (the last value: the one our proxy set).
 */
export function isSecureRequest(headers: IncomingHttpHeaders, tls: boolean, trustProxy: boolean): boolean {
  if (tls) return true;
  return trustProxy && lastEntry(headers['x-forwarded-proto'])?.toLowerCase() === 'https';
}

/** Node joins repeated headers of these names with ", "; the last entry is the nearest hop's. */
function lastEntry(header: string | string[] | undefined): string | undefined {
  const joined = Array.isArray(header) ? header.join(',') : header;
  if (!joined) return undefined;
  const last = joined.split(',').pop()!.trim();
  return last === '' ? undefined : last;
}

/** Some proxies add the client's port: "203.0.113.7:5123", "[2001:db8::1]:5123". */
function withoutPort(entry: string): string {
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(entry);
  if (v6) return v6[1]!;
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(entry);
  return v4 ? v4[1]! : entry;
}
