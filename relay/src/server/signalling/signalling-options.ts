/**
 * Every limit of the `/peerjs` signalling server (DESIGN.md house style 5), with its safe
 * default. Unset fields of the `Partial<SignallingOptions>` given to `createSignalling` take
 * {@link defaultSignallingOptions}.
 */
export interface SignallingOptions {
  /** Mount path; the peerjs client's `path` option. Default "/peerjs". */
  path: string;
  /** The peerjs `key` (part of every URL, not a secret: the access token is). Default "peerjs". */
  key: string;
  /** Serve `GET <path>/<key>/peers` (every peer id) to authenticated callers. Default false: the mesh coordinator assigns neighbours instead. */
  allowDiscovery: boolean;
  /** Peers registered at once on this relay. Default 5000 (the `peer` package's `concurrent_limit`). */
  maxPeers: number;
  /** Peers one account may register at once (tabs, devices). Default 16. */
  maxPeersPerAccount: number;
  /** Distinct peers one peer may signal with (OFFER/ANSWER/CANDIDATE) at once. Default 32, far above a mesh degree. */
  maxConnectionsPerPeer: number;
  /** Sustained client messages per second per peer (token bucket). Default 100. */
  messagesPerSecond: number;
  /** Token bucket depth: ICE candidates of several new connections arrive in a burst. Default 200. */
  messageBurst: number;
  /** A peer with this many messages dropped by the rate limiter within one second is closed. Default 100. */
  rateLimitCloseAfter: number;
  /** Largest accepted client message in bytes. Data-channel SDP is 1-3 KiB. Default 16384. */
  maxMessageBytes: number;
  /** Malformed or oversized messages tolerated per peer before it is closed. Default 10. */
  maxBadMessages: number;
  /** A peer silent (no HEARTBEAT or other message) this long is closed and removed. peerjs pings every 5 s. Default 90000 ms (the `peer` package's default). */
  aliveTimeoutMs: number;
  /**
   * Key of the account tag in peer ids (HMAC-SHA256). Default: 32 random bytes per process, so
   * ids are per relay; set the same key on relays behind one load balancer to keep ids valid
   * across them.
   */
  idKey: Uint8Array | undefined;
}

export const defaultSignallingOptions: SignallingOptions = {
  path: '/peerjs',
  key: 'peerjs',
  allowDiscovery: false,
  maxPeers: 5000,
  maxPeersPerAccount: 16,
  maxConnectionsPerPeer: 32,
  messagesPerSecond: 100,
  messageBurst: 200,
  rateLimitCloseAfter: 100,
  maxMessageBytes: 16 << 10,
  maxBadMessages: 10,
  aliveTimeoutMs: 90_000,
  idKey: undefined,
};

/** Fills unset (or undefined) fields with the defaults. */
export function resolveSignallingOptions(options: Partial<SignallingOptions>): SignallingOptions {
  const out: SignallingOptions = { ...defaultSignallingOptions };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  out.path = out.path.replace(/\/+$/, '') || '/peerjs';
  return out;
}
