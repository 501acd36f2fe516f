import { createHmac } from 'node:crypto';

/** One entry of RTCConfiguration.iceServers, as browsers and PeerJS take it. */
export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

/** Where peers find STUN/TURN servers; empty lists = host candidates only (one host or LAN). */
export interface IceOptions {
  stunUrls: string[];
  turnUrls: string[];
  /** Shared secret of the TURN server's REST-API auth (coturn `static-auth-secret`); required with TURN URLs (browsers refuse TURN without credentials). */
  turnSecret: string;
  /** Lifetime of minted TURN credentials, s. */
  turnTtlSec: number;
}

/**
 * The ICE servers a peer of `account` should use now. TURN credentials are ephemeral, in the
 * TURN REST API form coturn checks under `use-auth-secret` (draft-uberti-behave-turn-rest):
 * username = "<expiry unix s>:<account>", credential = base64(HMAC-SHA1(secret, username)),
 * so a credential read out of a page stops working by itself and no TURN password ships.
 */
export function iceServersFor(account: string, o: IceOptions, nowMs: number): { iceServers: IceServer[]; ttlSec: number } {
  const iceServers: IceServer[] = [];
  if (o.stunUrls.length > 0) iceServers.push({ urls: [...o.stunUrls] });
  // Without a secret no TURN entry at all: a browser refuses a whole RTCConfiguration whose
  // TURN server has no credentials (the CLI refuses that configuration up front).
  if (o.turnUrls.length > 0 && o.turnSecret !== '') {
    const username = `${Math.floor(nowMs / 1000) + o.turnTtlSec}:${account}`;
    const credential = createHmac('sha1', o.turnSecret).update(username).digest('base64');
    iceServers.push({ urls: [...o.turnUrls], username, credential });
  }
  return { iceServers, ttlSec: o.turnTtlSec };
}

/**
 * True for a STUN/TURN URL browsers accept (RFC 7064 / 7065): host or [IPv6] and an optional
 * port; STUN takes no query, TURN only `?transport=udp|tcp`. A URL a browser rejects would
 * fail every peer connection, so the CLI refuses it.
 */
export function isIceUrl(url: string): boolean {
  return /^(stuns?:([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?|turns?:([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?(\?transport=(udp|tcp))?)$/.test(url);
}
