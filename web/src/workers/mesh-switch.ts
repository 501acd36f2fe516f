/*
 * The peer mesh switched on and off, and its wiring to the engine: which MeshPeer runs (none
 * while off, so nothing of the mesh runs), its node options, and what it reads of the live
 * books and sends on /ws. Kept apart from the engine so the engine only tells the mesh about
 * sessions and frames (`peer?.…`) and the PeerJS side of the worker API lives here.
 */
import type { ClientMsg, ServerMsg } from '@tickmesh/shared';
import { MeshPeer, type MeshChannel } from './mesh-peer';
import type { StreamBooks } from './stream-books';
import type { MeshLinkRequests } from './terminal-api';

/**
 * MeshNode options in the browser. `stallFrames` 128 instead of the simulation's 16: over
 * real data channels on a busy 2-core machine a parent's frames arrive in bursts, and at 16
 * children kept reporting healthy parents as stalled and being re-parented. Measured in the
 * 5-page Chromium test: one hop added p90 300–390 ms at 16, 8.7 ms at 128 (p50 2.7 ms). The
 * core no longer counts silence before a parent's link is open. Frames are never lost while
 * a stall goes unnoticed longer: gaps are repaired from the other stripe's parent or the relay.
 */
const MESH_NODE_OPTIONS = { stallFrames: 128 };

/** What the mesh takes from the engine that owns the /ws session. */
export interface MeshHost {
  /** The live books: the streams the mesh may carry. */
  readonly books: StreamBooks;
  send(msg: ClientMsg): boolean;
  /** Ask the relay for a fresh snapshot of a stream. */
  requestSnapshot(streamId: number): void;
  /** A verified mesh frame with its exact bytes: recorded and applied as a direct one is. */
  apply(msg: ServerMsg, bytes: Uint8Array): void;
  /** The relay's market-data key while a /ws session is up (its Welcome came), else undefined. */
  sessionKey(): Uint8Array | undefined;
}

export class MeshSwitch {
  /** The peer mesh while switched on; undefined = off. */
  private current: MeshPeer | undefined;

  constructor(private readonly host: MeshHost) {}

  get peer(): MeshPeer | undefined {
    return this.current;
  }

  /**
   * Switches the mesh on with a PeerJS id the main thread registered in signalling (the
   * worker then says hello on /ws and joins its streams once the relay answers), or off with
   * null (goodbye: the relay resumes direct batches).
   */
  set(peerId: string | null, links?: MeshLinkRequests): void {
    if (this.current && (peerId === null || peerId !== this.current.peerId)) {
      this.current.close();
      this.current = undefined;
    }
    // The same id opened again (PeerJS reconnected to signalling): the relay may have dropped us meanwhile.
    if (this.current && peerId === this.current.peerId) return this.current.reannounce();
    if (peerId === null || this.current || !links) return;
    const host = this.host;
    this.current = new MeshPeer(peerId, links, {
      sendRelay: (payload) => host.send({ type: 'mesh', requestId: 0, payload }),
      apply: (msg, bytes) => host.apply(msg, bytes),
      requestSnapshot: (streamId) => host.requestSnapshot(streamId),
      liveStreams: () => host.books.entries.filter((e) => e.stream.status !== 'stale').map((e) => ({ streamId: e.instrument.streamId, epoch: e.stream.epoch, seq: e.stream.seq })),
      viewStreams: () => host.books.entries.map((e) => ({ streamId: e.instrument.streamId, symbol: e.instrument.symbol, venue: e.instrument.venue, seq: e.stream.seq, checksum: e.stream.book.checksum() })),
    }, MESH_NODE_OPTIONS);
    const key = host.sessionKey();
    if (key) this.current.startSession(key);
  }

  /** A data channel to `peerId` (transferred from the main thread); closed at once while the mesh is off. */
  addChannel(peerId: string, channel: unknown): void {
    if (this.current) this.current.addChannel(peerId, channel as MeshChannel);
    else (channel as MeshChannel).close();
  }

  connectFailed(peerId: string): void {
    this.current?.connectFailed(peerId);
  }

  timings(streamId: number): Array<[number, number]> {
    return this.current?.timings(streamId) ?? [];
  }
}
