import type { WebSocket } from 'ws';
import { TokenBucket } from '../../session/token-bucket';
import type { Principal } from '../auth/index';
import type { ServerSignal } from './peerjs-protocol';
import type { SignalError } from './signal-error';

/** What `peers()` and peer events report about one registered peer. */
export interface PeerInfo {
  /** The peer id (`<tag>-<suffix>`, see peer-id.ts). */
  id: string;
  account: string;
  role: Principal['role'];
  /** The `jti` of the token it registered with (audit logs). */
  tokenId: string;
  /** When this socket registered (a reclaim resets it), ms since the epoch. */
  connectedAtMs: number;
  /** Last message received, ms since the epoch. */
  lastSeenMs: number;
  /** Peers it currently signals with. */
  connections: number;
  /** Messages received / dropped by the rate limiter / refused as malformed or oversized. */
  messages: number;
  rateLimited: number;
  bad: number;
}

/** Limits one peer needs; a slice of SignallingOptions. */
export interface PeerLimits {
  messagesPerSecond: number;
  messageBurst: number;
  rateLimitCloseAfter: number;
}

/**
 * One registered peer: its socket, the principal it authenticated as, the peers it signals
 * with, and its rate limiter. Knows nothing of other peers; the server does the routing.
 */
export class SignallingPeer {
  readonly connectedAtMs = Date.now();
  lastSeenMs = this.connectedAtMs;
  /** Ids of the peers it exchanged OFFER/ANSWER/CANDIDATE with (until LEAVE or either leaves). */
  readonly contacts = new Set<string>();
  messages = 0;
  rateLimited = 0;
  bad = 0;
  /** Set when this peer was removed (closed, replaced, timed out): later events are ignored. */
  gone = false;
  private readonly bucket: TokenBucket;
  // -Infinity, not 0: the clock is performance.now(), which is under 1000 in a young process,
  // and the first drop must open a window (and tell the peer) whenever it happens.
  private dropWindowStartMs = Number.NEGATIVE_INFINITY;
  private dropsInWindow = 0;

  constructor(
    readonly id: string,
    readonly principal: Principal,
    readonly ws: WebSocket,
    private readonly limits: PeerLimits,
  ) {
    this.bucket = new TokenBucket(limits.messagesPerSecond, limits.messageBurst, performance.now());
  }

  get account(): string {
    return this.principal.account;
  }

  /**
   * Takes a rate-limit token. `ok`; `drop` (tell the peer, once per second so a flood is not
   * answered by a flood); `drop-silent`; or `close` once `rateLimitCloseAfter` messages were
   * dropped within one second.
   */
  admit(nowMs: number): 'ok' | 'drop' | 'drop-silent' | 'close' {
    if (this.bucket.take(nowMs)) return 'ok';
    this.rateLimited += 1;
    let first = false;
    if (nowMs - this.dropWindowStartMs >= 1000) {
      this.dropWindowStartMs = nowMs;
      this.dropsInWindow = 0;
      first = true;
    }
    this.dropsInWindow += 1;
    if (this.dropsInWindow >= this.limits.rateLimitCloseAfter) return 'close';
    return first ? 'drop' : 'drop-silent';
  }

  /** Sends one frame; false when the socket is no longer open. */
  send(message: ServerSignal): boolean {
    if (this.ws.readyState !== this.ws.OPEN) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  /** Closes the socket with the error's close code and its code as the reason (what browsers can read). */
  close(err: Pick<SignalError, 'code' | 'closeCode'>): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(err.closeCode, err.code);
  }

  info(): PeerInfo {
    const p = this.principal;
    return {
      id: this.id,
      account: p.account,
      role: p.role,
      tokenId: p.tokenId,
      connectedAtMs: this.connectedAtMs,
      lastSeenMs: this.lastSeenMs,
      connections: this.contacts.size,
      messages: this.messages,
      rateLimited: this.rateLimited,
      bad: this.bad,
    };
  }
}
