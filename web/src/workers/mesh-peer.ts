import {
  createFrameVerifier,
  decodeMeshControl,
  decodeServer,
  encodeMeshControl,
  ErrorCode,
  MESH_FRAME_TAG,
  MESH_PROTOCOL_VERSION,
  MeshNode,
  RELAY_PEER_ID,
  type MeshNodeOptions,
  type MeshTransport,
  type ServerMsg,
} from '@tickmesh/shared';
import type { MeshFrameInfo, MeshStreamInfo } from './terminal-api';

/**
 * What the worker's mesh needs of an RTCDataChannel (structural, so Node tests and the worker's
 * lib agree; the browser hands us real RTCDataChannels transferred from the main thread).
 */
export interface MeshChannel {
  readonly readyState: string;
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold: number;
  binaryType: string;
  send(data: Uint8Array): void;
  close(): void;
  addEventListener(type: 'open' | 'close' | 'error' | 'bufferedamountlow', fn: () => void): void;
  addEventListener(type: 'message', fn: (e: { data: unknown }) => void): void;
}

/** The main thread's side: PeerJS signalling, which opens and closes WebRTC links on request. */
export interface MeshLinks {
  connect(peerId: string): void;
  disconnect(peerId: string): void;
}

/** What the mesh takes from the TerminalEngine that owns it. */
export interface MeshEngineHooks {
  /** One ClientMessage.mesh payload on the /ws session. */
  sendRelay(payload: Uint8Array): boolean;
  /** A verified mesh frame, decoded, with its exact ServerMessage bytes (recorded as a direct batch's are): applied exactly as a direct batch. */
  apply(msg: ServerMsg, bytes: Uint8Array): void;
  /** Ask the relay for a fresh snapshot of a stream (a held subscribe). */
  requestSnapshot(streamId: number): void;
  /** Streams the view holds whose book is in sync now: where the mesh may take over. */
  liveStreams(): Array<{ streamId: number; epoch: number; seq: number }>;
  /** Streams the view holds (info rows for the panel), with book seq and checksum. */
  viewStreams(): Array<{ streamId: number; symbol: string; venue: string; seq: number; checksum: number }>;
}

const LOW_WATER_BYTES = 64 * 1024;
/** Delivery times kept per stream (diagnostics). */
const TIMINGS = 512;

/**
 * The worker's end of the market-data mesh: a MeshTransport over RTCDataChannels transferred
 * from the main thread (one per neighbour, more than one if both sides dialled at once) plus
 * the relay link (`RELAY_PEER_ID` = ClientMessage/ServerMessage.mesh on the /ws session), and a
 * MeshNode per relay session (the relay forgets joins when a session ends).
 *
 * Flow: `startSession(key)` after each Welcome builds the verifier and node and sends hello;
 * the relay's hello answer makes the node `ready`, which subscribes every live stream (the
 * node's subscribe sends `join`; the relay then stops direct batches of it). Each later
 * snapshot of a held stream re-subscribes it (resync or fallback). Frames the node delivers
 * are decoded and handed to the engine's BookStream path; a seq already applied from the
 * direct feed (around a join or during a fallback) is a duplicate there and ignored.
 */
export class MeshPeer implements MeshTransport {
  private node: MeshNode | undefined;
  private ready = false;
  private session = 0;
  private readonly channels = new Map<string, MeshChannel[]>();
  private readonly dialling = new Set<string>();
  /** Neighbours the node was told are open (onOpen given, no onClose since). */
  private readonly opened = new Set<string>();
  /** When we asked the main thread for a link, per peer; and recent dial-to-open times (ms). */
  private readonly dialledAt = new Map<string, number>();
  private readonly setupMs: number[] = [];
  private readonly arrivals = new Map<number, { seq: Float64Array; at: Float64Array }>();
  private readonly fallbacks = new Set<number>();
  /** Streams subscribed on the current node. */
  private readonly joined = new Set<number>();
  private lastError = '';
  bytesFromPeers = 0;
  bytesFromRelay = 0;
  bytesToPeers = 0;
  framesFromMesh = 0;
  directBatches = 0;
  framesRejected = 0;

  constructor(
    readonly peerId: string,
    private readonly links: MeshLinks,
    private readonly hooks: MeshEngineHooks,
    private readonly options: Partial<MeshNodeOptions> = {},
  ) {}

  // ---- session ------------------------------------------------------------------------------

  /** A Welcome arrived (first connect or reconnect): a new node for this /ws session. */
  startSession(mdPublicKey: Uint8Array): void {
    this.endSession();
    const session = ++this.session;
    void createFrameVerifier([{ keyId: 1, publicKey: mdPublicKey }]).then(
      (verifier) => {
        if (session !== this.session) return;
        this.node = new MeshNode(this.peerId, this, verifier, {
          onFrame: (streamId, _epoch, seq, frame) => this.onFrame(streamId, seq, frame),
          onResync: (streamId) => this.hooks.requestSnapshot(streamId),
          onMisbehaviour: (peerId) => {
            if (peerId !== RELAY_PEER_ID) this.framesRejected++;
          },
          onFallback: (streamId, active) => {
            if (active) this.fallbacks.add(streamId);
            else this.fallbacks.delete(streamId);
          },
        }, this.options);
        // Links that opened before this node existed (while the verifier was being built).
        this.opened.clear();
        for (const [id, list] of this.channels) if (list.some(isOpen)) this.linkOpen(id);
        this.sendHello();
      },
      (e: unknown) => {
        this.lastError = `verifier: ${e instanceof Error ? e.message : String(e)}`;
      },
    );
  }

  /**
   * The /ws session ended: the relay dropped our joins, so the node goes (goodbye to and
   * disconnect from every neighbour; the coordinator re-parents our children). The next
   * Welcome starts a new node and links are dialled again as the relay assigns them.
   */
  endSession(): void {
    this.session++;
    this.ready = false;
    this.fallbacks.clear();
    this.joined.clear();
    const node = this.node;
    this.node = undefined;
    node?.close();
  }

  /** Mesh switched off: goodbye to the relay (it resumes direct delivery) and every neighbour. */
  close(): void {
    this.endSession();
    for (const id of [...this.channels.keys()]) this.disconnect(id, ErrorCode.MESH_LEAVING);
  }

  /** One ServerMessage.mesh payload. */
  onRelayMessage(payload: Uint8Array): void {
    this.bytesFromRelay += payload.length;
    const node = this.node;
    if (!node) return;
    if (payload[0] !== MESH_FRAME_TAG && !this.ready && decodeMeshControl(payload)?.type === 'hello') {
      this.ready = true;
      this.lastError = '';
      for (const s of this.hooks.liveStreams()) {
        this.joined.add(s.streamId);
        node.subscribe(s.streamId, s.epoch, s.seq);
      }
      return;
    }
    node.onMessage(RELAY_PEER_ID, payload);
  }

  /** A MESH_* Error from the relay. */
  onRelayError(code: string): void {
    this.lastError = code;
  }

  /** Direct market-data bytes from /ws (snapshots and batches), for the panel's relay figure. */
  countDirect(bytes: number, batch: boolean): void {
    this.bytesFromRelay += bytes;
    if (batch) this.directBatches++;
  }

  /** A snapshot was applied: the stream (re)starts from it, in the mesh. */
  onSnapshot(streamId: number, epoch: number, seq: number): void {
    if (!this.ready || !this.node) return;
    this.joined.add(streamId);
    this.node.subscribe(streamId, epoch, seq);
  }

  /** The view now holds only these streams: leave the others' trees. */
  retain(streamIds: ReadonlySet<number>): void {
    for (const id of [...this.joined]) {
      if (streamIds.has(id)) continue;
      this.joined.delete(id);
      this.node?.unsubscribe(id);
    }
  }

  info(): MeshFrameInfo {
    const node = this.node;
    const streams: MeshStreamInfo[] = this.hooks.viewStreams().map((v) => {
      const parents = node ? [...node.parentsOf(v.streamId)] : [];
      const joined = !!node && this.ready && this.joined.has(v.streamId);
      const source = joined && !this.fallbacks.has(v.streamId) && parents.some((p) => p !== '') ? 'mesh' : 'relay';
      const peerParents = parents.filter((p) => p !== '' && p !== RELAY_PEER_ID);
      const rtts = peerParents.map((p) => node!.rttTo(p)).filter((r) => r === r);
      const info: MeshStreamInfo = {
        streamId: v.streamId, symbol: v.symbol, venue: v.venue, source, parents,
        children: node ? [...node.childrenOf(v.streamId)] : [], seq: v.seq, checksum: v.checksum,
      };
      if (source === 'mesh') info.hop = peerParents.length > 0 ? 2 : 1;
      // One WebRTC hop costs about half the parent's round trip (an estimate, not a measurement of the frame).
      if (source === 'mesh' && rtts.length > 0) info.addedLatencyMs = Math.max(...rtts) / 2;
      return info;
    });
    const neighbours = [...this.channels.entries()].filter(([, l]) => l.some(isOpen)).map(([id]) => id);
    return {
      enabled: true,
      peerId: this.peerId,
      ready: this.ready,
      neighbours,
      streams,
      bytesFromPeers: this.bytesFromPeers,
      bytesFromRelay: this.bytesFromRelay,
      framesFromMesh: this.framesFromMesh,
      directBatches: this.directBatches,
      framesRejected: this.framesRejected,
      lastError: this.lastError,
      linkSetupMs: this.setupMs.length === 0 ? undefined : [...this.setupMs].sort((a, b) => a - b)[this.setupMs.length >> 1],
    };
  }

  // ---- channels -----------------------------------------------------------------------------

  /** A data channel to `peerId`, transferred from the main thread (open or about to open). */
  addChannel(peerId: string, ch: MeshChannel): void {
    this.dialling.delete(peerId);
    ch.binaryType = 'arraybuffer';
    ch.bufferedAmountLowThreshold = LOW_WATER_BYTES;
    const list = this.channels.get(peerId) ?? [];
    list.push(ch);
    this.channels.set(peerId, list);
    const onOpen = () => this.linkOpen(peerId);
    ch.addEventListener('open', onOpen);
    ch.addEventListener('message', (e) => {
      const bytes = toBytes(e.data);
      if (!bytes) return;
      this.bytesFromPeers += bytes.length;
      this.node?.onMessage(peerId, bytes);
    });
    ch.addEventListener('bufferedamountlow', () => this.node?.onDrain(peerId));
    const onClose = () => {
      const l = this.channels.get(peerId);
      if (!l) return;
      const i = l.indexOf(ch);
      if (i < 0) return;
      l.splice(i, 1);
      if (l.length === 0) this.channels.delete(peerId);
      if (!l.some(isOpen)) this.linkClosed(peerId);
    };
    ch.addEventListener('close', onClose);
    ch.addEventListener('error', onClose);
    if (ch.readyState === 'open') onOpen();
  }

  /** The main thread could not open a link to `peerId`. */
  connectFailed(peerId: string): void {
    this.dialling.delete(peerId);
    if (this.isOpen(peerId)) return;
    this.opened.delete(peerId);
    this.node?.onClose(peerId, ErrorCode.MESH_PEER_CLOSED);
  }

  // ---- MeshTransport ------------------------------------------------------------------------

  connect(peerId: string): void {
    if (peerId === RELAY_PEER_ID) return;
    if (this.isOpen(peerId)) {
      // Open already, but the node queued for it (it met the neighbour before the open): tell it again.
      this.opened.delete(peerId);
      queueMicrotask(() => {
        if (this.isOpen(peerId)) this.linkOpen(peerId);
      });
      return;
    }
    if (this.dialling.has(peerId)) return;
    if ((this.channels.get(peerId) ?? []).some((c) => c.readyState === 'connecting')) return;
    this.dialling.add(peerId);
    this.dialledAt.set(peerId, performance.now());
    this.links.connect(peerId);
  }

  disconnect(peerId: string, _code: string): void {
    if (peerId === RELAY_PEER_ID) return;
    this.dialling.delete(peerId);
    const list = this.channels.get(peerId) ?? [];
    this.channels.delete(peerId);
    this.opened.delete(peerId);
    for (const ch of list) {
      try {
        ch.close();
      } catch {
        // already closed
      }
    }
    this.links.disconnect(peerId);
  }

  send(peerId: string, bytes: Uint8Array): void {
    if (peerId === RELAY_PEER_ID) {
      this.hooks.sendRelay(bytes);
      return;
    }
    const ch = this.openChannel(peerId);
    if (!ch) return;
    try {
      ch.send(bytes);
      this.bytesToPeers += bytes.length;
    } catch {
      // Closing under us: the mesh repairs the gap.
    }
  }

  bufferedAmount(peerId: string): number {
    return peerId === RELAY_PEER_ID ? 0 : this.openChannel(peerId)?.bufferedAmount ?? 0;
  }

  isOpen(peerId: string): boolean {
    return peerId === RELAY_PEER_ID || this.openChannel(peerId) !== undefined;
  }

  // ---- internals ----------------------------------------------------------------------------

  private openChannel(peerId: string): MeshChannel | undefined {
    const list = this.channels.get(peerId);
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) if (isOpen(list[i]!)) return list[i];
    return undefined;
  }

  /** The neighbour's first open channel: the node's link opens (once until it closes). */
  private linkOpen(peerId: string): void {
    if (this.opened.has(peerId) || !this.node) return;
    this.opened.add(peerId);
    const t0 = this.dialledAt.get(peerId);
    if (t0 !== undefined) {
      this.dialledAt.delete(peerId);
      this.setupMs.push(performance.now() - t0);
      if (this.setupMs.length > 32) this.setupMs.shift();
    }
    this.node.onOpen(peerId);
  }

  private linkClosed(peerId: string): void {
    if (!this.opened.delete(peerId)) return;
    this.node?.onClose(peerId, ErrorCode.MESH_PEER_CLOSED);
  }

  private sendHello(): void {
    this.hooks.sendRelay(encodeMeshControl({ type: 'hello', peerId: this.peerId, protocolVersion: MESH_PROTOCOL_VERSION }));
  }

  /**
   * When recent mesh frames were delivered, wall-clock ms (timeOrigin + now, comparable across
   * pages of one machine): a child's time minus its parent's for one seq is the hop's added latency.
   */
  timings(streamId: number): Array<[seq: number, atMs: number]> {
    const t = this.arrivals.get(streamId);
    if (!t) return [];
    const out: Array<[number, number]> = [];
    for (let i = 0; i < TIMINGS; i++) if (t.seq[i]! > 0) out.push([t.seq[i]!, t.at[i]!]);
    return out.sort((a, b) => a[0] - b[0]);
  }

  private onFrame(streamId: number, seq: number, frame: Uint8Array): void {
    let t = this.arrivals.get(streamId);
    if (!t) this.arrivals.set(streamId, (t = { seq: new Float64Array(TIMINGS), at: new Float64Array(TIMINGS) }));
    t.seq[seq % TIMINGS] = seq;
    t.at[seq % TIMINGS] = performance.timeOrigin + performance.now();
    const r = decodeServer(frame);
    if (!r.ok || r.value.type !== 'bookBatch') return;
    this.framesFromMesh++;
    this.hooks.apply(r.value, frame);
  }
}

function isOpen(ch: MeshChannel): boolean {
  return ch.readyState === 'open';
}

function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}
