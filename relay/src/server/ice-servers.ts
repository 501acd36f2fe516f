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
  /** Shared secret of the TURN server's REST-API auth (coturn `static-auth-secret`); '' = TURN without credentials. */
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
  if (o.turnUrls.length > 0) {
    if (o.turnSecret === '') iceServers.push({ urls: [...o.turnUrls] });
    else {
      const username = `${Math.floor(nowMs / 1000) + o.turnTtlSec}:${account}`;
      const credential = createHmac('sha1', o.turnSecret).update(username).digest('base64');
      iceServers.push({ urls: [...o.turnUrls], username, credential });
    }
  }
  return { iceServers, ttlSec: o.turnTtlSec };
}

/** True for a STUN/TURN URL browsers accept (RFC 7064 / 7065 schemes). */
export function isIceUrl(url: string): boolean {
  return /^(stun|stuns|turn|turns):[^\s]+$/.test(url);
}
