import { systemMeshClock, type MeshClock, type MeshTimer } from './mesh-transport';

/**
 * Stream id of the mesh's own data channel on each RTCPeerConnection, negotiated out of band
 * (both sides create it with the same id once PeerJS's channel is open, so no renegotiation).
 */
export const MESH_CHANNEL_ID = 99;

/**
 * The mesh channel: ordered, no retransmits (a late frame is repaired, not waited for), which
 * PeerJS's own DataConnection cannot ask for (its `reliable` only toggles `ordered`).
 */
export const MESH_CHANNEL_INIT = { negotiated: true, id: MESH_CHANNEL_ID, ordered: true, maxRetransmits: 0 } as const;

/** PeerJS `peer.connect` options: its own channel carries nothing but the connection's lifecycle. */
export const MESH_CONNECT_OPTIONS = { serialization: 'raw', reliable: true, label: 'tickmesh' } as const;

/** The parts of a PeerJS DataConnection the mesh uses (browser peerjs, or peerjs on werift). */
export interface MeshSignalConnection<C> {
  readonly peer: string;
  readonly peerConnection: { createDataChannel(label: string, init: typeof MESH_CHANNEL_INIT): C };
  on(event: 'open' | 'close' | 'error', fn: () => void): void;
  close(): void;
}

export interface MeshConnectionTableOptions {
  /** A connection that has not opened by then is closed (and reported failed). */
  connectTimeoutMs: number;
  /** A connection to `peerId` closed or failed before it opened (once per connection). */
  failed(peerId: string): void;
  /** The mesh channel could not be created on an open connection (the connection is closed). */
  channelError(e: unknown): void;
  clock?: MeshClock;
}

/**
 * PeerJS connections per neighbour, both dialled and accepted: each gets a connect timeout;
 * once its own channel opens, the mesh channel is created on its RTCPeerConnection in the same
 * task (a browser channel is transferable only before it is used) and handed on.
 */
export class MeshConnectionTable<C> {
  private readonly conns = new Map<string, Set<MeshSignalConnection<C>>>();
  private readonly clock: MeshClock;

  constructor(private readonly o: MeshConnectionTableOptions) {
    this.clock = o.clock ?? systemMeshClock;
  }

  /** Whether any connection to `peerId` is held (opening or open). */
  has(peerId: string): boolean {
    return (this.conns.get(peerId)?.size ?? 0) > 0;
  }

  /** Follows `conn` until it closes; `onChannel` gets its mesh channel once it opens. */
  track(conn: MeshSignalConnection<C>, onChannel: (peerId: string, ch: C) => void): void {
    const id = conn.peer;
    let set = this.conns.get(id);
    if (!set) this.conns.set(id, (set = new Set()));
    set.add(conn);
    let opened = false;
    const timer: MeshTimer = this.clock.setTimer(this.o.connectTimeoutMs, () => {
      if (opened) return;
      conn.close();
      // PeerJS's close() of a connection that never opened emits no 'close': report it here.
      gone();
    });
    conn.on('open', () => {
      opened = true;
      this.clock.clearTimer(timer);
      let ch: C;
      try {
        ch = conn.peerConnection.createDataChannel('tickmesh-md', MESH_CHANNEL_INIT);
      } catch (e) {
        this.o.channelError(e);
        conn.close();
        return;
      }
      onChannel(id, ch);
    });
    const gone = () => {
      this.clock.clearTimer(timer);
      const s = this.conns.get(id);
      s?.delete(conn);
      if (s && s.size === 0) this.conns.delete(id);
      if (!opened) {
        opened = true; // report once
        this.o.failed(id);
      }
    };
    conn.on('close', gone);
    conn.on('error', gone);
  }

  /** Closes every connection to `peerId` (asked for: not reported as failed). */
  drop(peerId: string): void {
    const set = this.conns.get(peerId);
    this.conns.delete(peerId);
    if (set) for (const c of set) c.close();
  }

  /** Every connection held, with its neighbour's id (diagnostics). */
  *connections(): Iterable<[string, MeshSignalConnection<C>]> {
    for (const [id, set] of this.conns) for (const c of set) yield [id, c];
  }

  /** Closes every connection (the mesh is switched off: nothing is reported). */
  closeAll(): void {
    for (const set of this.conns.values()) for (const c of set) c.close();
    this.conns.clear();
  }
}
