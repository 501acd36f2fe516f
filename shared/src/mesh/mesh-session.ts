import { createFrameVerifier } from '../codec/frame-signing';
import { decodeServer } from '../codec/proto-codec';
import type { ServerMsg } from '../model/messages';
import { MeshLinkTable, type MeshLinkLayer } from './mesh-link-table';
import type { MeshDataChannel } from './mesh-data-channel';
import { MeshNode } from './mesh-node';
import type { MeshNodeOptions } from './mesh-node-options';
import { RELAY_PEER_ID } from './mesh-transport';
import { decodeMeshControl, encodeMeshControl, MESH_FRAME_TAG, MESH_PROTOCOL_VERSION } from './mesh-wire';

/** How a held stream is fed now: through a peer parent, seeded by the relay over the mesh, or by direct batches. */
export type MeshFeed = 'mesh' | 'seed' | 'direct';

/** What a MeshSession takes from the client that owns it (a worker's engine, a headless peer). */
export interface MeshSessionHooks {
  /** The node lost a stream's thread: ask the relay for a fresh snapshot (a held subscribe). */
  requestSnapshot(streamId: number): void;
  /** Streams whose book is in sync now: where the mesh may take over once the relay said hello. */
  liveStreams(): Iterable<{ streamId: number; epoch: number; seq: number }>;
  /** A verified mesh frame decoded as a batch, with its exact ServerMessage bytes: applied as a direct batch. */
  apply(msg: Extract<ServerMsg, { type: 'bookBatch' }>, bytes: Uint8Array): void;
  /** The node delivered `seq` of `streamId` (before decoding; diagnostics). */
  delivered?(streamId: number, seq: number): void;
  /** The relay answered hello: the mesh is ready. */
  ready?(): void;
}

/**
 * One client's mesh around a MeshNode per relay session (the relay forgets joins when a
 * /ws session ends) over a MeshLinkTable that outlives the sessions.
 *
 * Flow: `start(key)` after each Welcome builds the verifier and node and sends hello; the
 * relay's hello answer makes the session `ready`, which subscribes every live stream (the
 * node's subscribe sends `join`; the relay then stops direct batches of it). Each later
 * snapshot of a held stream re-subscribes it (resync or fallback). Frames the node delivers
 * are decoded and applied as direct batches are; a seq already applied from the direct feed
 * (around a join or during a fallback) is a duplicate there and ignored.
 */
export class MeshSession<C extends MeshDataChannel = MeshDataChannel> {
  readonly links: MeshLinkTable<C>;
  framesDelivered = 0;
  /** Frames a neighbour sent that failed verification or broke the protocol. */
  framesRejected = 0;
  /** Fallback episodes (a stream's mesh fell silent and the relay's direct feed took over), over every node. */
  fallbacksStarted = 0;
  /** Wall clock (Date.now()) when the last fallback ended; direct batches sent before the relay saw the rejoin may still arrive. 0 = none yet. */
  fallbackEndedAt = 0;
  /** /ws sessions this mesh session started on (each Welcome); until the new node's joins reach the relay, batches come direct. */
  relaySessions = 0;
  /** Date.now() of the last start (0 = none). */
  startedAt = 0;
  /** Starts again because the relay's hello answer named another frame key than the Welcome's. */
  rekeyed = 0;
  private current: MeshNode | undefined;
  /** The relay's frame key of the current /ws session (kept for a restart after the relay's goodbye). */
  private mdPublicKey: Uint8Array | undefined;
  private isReady = false;
  private generation = 0;
  private readonly fallbacks = new Set<number>();
  /** Streams subscribed on the current node. */
  private readonly joined = new Set<number>();

  constructor(
    readonly peerId: string,
    layer: MeshLinkLayer<C>,
    private readonly hooks: MeshSessionHooks,
    private readonly options: Partial<MeshNodeOptions> = {},
  ) {
    this.links = new MeshLinkTable(layer);
  }

  get node(): MeshNode | undefined {
    return this.current;
  }

  get ready(): boolean {
    return this.isReady;
  }

  /**
   * A Welcome arrived (first connect or reconnect): a new node for this /ws session, then
   * hello. Rejects if the verifier cannot be built from `mdPublicKey`.
   */
  async start(mdPublicKey: Uint8Array): Promise<void> {
    this.end();
    this.mdPublicKey = mdPublicKey;
    this.relaySessions++;
    this.startedAt = Date.now();
    const generation = ++this.generation;
    const verifier = await createFrameVerifier([{ keyId: 1, publicKey: mdPublicKey }]);
    if (generation !== this.generation) return;
    this.current = new MeshNode(this.peerId, this.links, verifier, {
      onFrame: (streamId, _epoch, seq, frame) => this.onFrame(streamId, seq, frame),
      onResync: (streamId) => this.hooks.requestSnapshot(streamId),
      onMisbehaviour: (peerId) => {
        if (peerId !== RELAY_PEER_ID) this.framesRejected++;
      },
      onFallback: (streamId, active) => {
        if (active) {
          this.fallbacks.add(streamId);
          this.fallbacksStarted++;
        } else {
          this.fallbacks.delete(streamId);
          this.fallbackEndedAt = Date.now();
        }
      },
      // Out of the mesh at the relay (our id left signalling, e.g. a PeerJS reconnect): say
      // hello again on a new node. Refused with MESH_PEER_NOT_REGISTERED while the id is not
      // back; `restart` is called again when it is (PeerJS open). Deferred: not inside the
      // node's own message handler.
      onRelayGoodbye: () => {
        if (generation !== this.generation) return;
        this.isReady = false;
        queueMicrotask(() => generation === this.generation && void this.restart().catch(() => {}));
      },
    }, this.options);
    this.links.handler = this.current;
    // Links that opened before this node existed (while the verifier was being built).
    this.links.reopen();
    this.links.send(RELAY_PEER_ID, encodeMeshControl({ type: 'hello', peerId: this.peerId, protocolVersion: MESH_PROTOCOL_VERSION }));
  }

  /**
   * Hello again on a new node with the current /ws session's key, when the relay does not count
   * us in the mesh (not ready: its goodbye, or a refused hello). A no-op while ready or before
   * the first start.
   */
  async restart(): Promise<void> {
    if (this.isReady || !this.mdPublicKey) return;
    await this.start(this.mdPublicKey);
  }

  /**
   * The /ws session ended: the relay dropped our joins, so the node goes (goodbye to and
   * disconnect from every neighbour; the coordinator re-parents our children). The next
   * `start` builds a new node and links are dialled again as the relay assigns them.
   */
  end(): void {
    this.generation++;
    this.isReady = false;
    this.mdPublicKey = undefined;
    this.fallbacks.clear();
    this.joined.clear();
    const node = this.current;
    this.current = undefined;
    this.links.handler = undefined;
    node?.close();
  }

  /** Mesh switched off: the session ends and every neighbour is dropped with `code`. */
  close(code: string): void {
    this.end();
    this.links.disconnectAll(code);
  }

  /** One ServerMessage.mesh payload: the relay's hello answer makes the mesh ready, the rest goes to the node. */
  onRelayMessage(payload: Uint8Array): void {
    const node = this.current;
    if (!node) return;
    const hello = payload[0] !== MESH_FRAME_TAG && !this.isReady ? decodeMeshControl(payload) : undefined;
    if (hello?.type === 'hello') {
      // The relay signs with another key than the Welcome's (an edge whose market-data node
      // restarted): start again with that one, or every frame would fail verification.
      const key = hello.mdPublicKey ? base64Bytes(hello.mdPublicKey) : undefined;
      if (key && this.mdPublicKey && !sameBytes(key, this.mdPublicKey)) {
        this.rekeyed++;
        void this.start(key).catch(() => {});
        return;
      }
      this.isReady = true;
      this.hooks.ready?.();
      for (const s of this.hooks.liveStreams()) {
        this.joined.add(s.streamId);
        node.subscribe(s.streamId, s.epoch, s.seq);
      }
      return;
    }
    node.onMessage(RELAY_PEER_ID, payload);
  }

  /** A snapshot was applied: the stream (re)starts from it, in the mesh. */
  onSnapshot(streamId: number, epoch: number, seq: number): void {
    if (!this.isReady || !this.current) return;
    this.joined.add(streamId);
    this.current.subscribe(streamId, epoch, seq);
  }

  /** The client now holds only these streams: leave the others' trees. */
  retain(streamIds: ReadonlySet<number>): void {
    for (const id of [...this.joined]) {
      if (streamIds.has(id)) continue;
      this.joined.delete(id);
      this.current?.unsubscribe(id);
    }
  }

  /** Parents of a stream's stripes on the current node ('' = a stripe without one). */
  parentsOf(streamId: number): string[] {
    return this.current ? [...this.current.parentsOf(streamId)] : [];
  }

  /** How `streamId` is fed now. */
  feed(streamId: number): MeshFeed {
    if (!this.current || !this.isReady || !this.joined.has(streamId) || this.fallbacks.has(streamId)) return 'direct';
    const parents = this.parentsOf(streamId).filter((p) => p !== '');
    if (parents.length === 0) return 'direct';
    return parents.some((p) => p !== RELAY_PEER_ID) ? 'mesh' : 'seed';
  }

  private onFrame(streamId: number, seq: number, frame: Uint8Array): void {
    this.hooks.delivered?.(streamId, seq);
    const r = decodeServer(frame);
    if (!r.ok || r.value.type !== 'bookBatch') return;
    this.framesDelivered++;
    this.hooks.apply(r.value, frame);
  }
}

function base64Bytes(text: string): Uint8Array | undefined {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
