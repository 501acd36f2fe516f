import {
  ErrorCode,
  MESH_LOW_WATER_BYTES,
  MeshSession,
  RELAY_PEER_ID,
  type MeshDataChannel,
  type MeshNodeOptions,
  type MeshTransport,
  type ServerMsg,
} from '@tickmesh/shared';
import type { MeshFrameInfo, MeshStreamInfo } from './terminal-api';

/**
 * What the worker's mesh needs of an RTCDataChannel (structural, so Node tests and the worker's
 * lib agree; the browser hands us real RTCDataChannels transferred from the main thread).
 */
export interface MeshChannel extends MeshDataChannel {
  bufferedAmountLowThreshold: number;
  binaryType: string;
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

/** Delivery times kept per stream (diagnostics). */
const TIMINGS = 512;

/**
 * The worker's end of the market-data mesh: a MeshSession (shared/src/mesh) whose links are
 * RTCDataChannels transferred from the main thread (one per neighbour, more than one if both
 * sides dialled at once), dialled through the main thread's PeerJS, plus the relay link on the
 * /ws session. This class adds the panel's figures and delivery timings.
 */
export class MeshPeer implements MeshTransport {
  private readonly mesh: MeshSession<MeshChannel>;
  private readonly arrivals = new Map<number, { seq: Float64Array; at: Float64Array }>();
  private lastError = '';
  bytesFromPeers = 0;
  bytesFromRelay = 0;
  directBatches = 0;

  constructor(
    readonly peerId: string,
    links: MeshLinks,
    private readonly hooks: MeshEngineHooks,
    options: Partial<MeshNodeOptions> = {},
  ) {
    this.mesh = new MeshSession<MeshChannel>(peerId, {
      dial: (id) => links.connect(id),
      hangUp: (id) => links.disconnect(id),
      opening: (_id, channels) => channels.some((c) => c.readyState === 'connecting'),
      sendRelay: (bytes) => void hooks.sendRelay(bytes),
      peerMessage: (_id, bytes) => {
        this.bytesFromPeers += bytes.length;
      },
    }, {
      requestSnapshot: (streamId) => hooks.requestSnapshot(streamId),
      liveStreams: () => hooks.liveStreams(),
      apply: (msg, bytes) => hooks.apply(msg, bytes),
      delivered: (streamId, seq) => this.noteDelivery(streamId, seq),
      ready: () => {
        this.lastError = '';
      },
    }, options);
  }

  get bytesToPeers(): number {
    return this.mesh.links.bytesToPeers;
  }

  get framesFromMesh(): number {
    return this.mesh.framesDelivered;
  }

  get framesRejected(): number {
    return this.mesh.framesRejected;
  }

  // ---- session ------------------------------------------------------------------------------

  /** A Welcome arrived (first connect or reconnect): a new node for this /ws session. */
  startSession(mdPublicKey: Uint8Array): void {
    this.mesh.start(mdPublicKey).catch((e: unknown) => {
      this.lastError = `verifier: ${e instanceof Error ? e.message : String(e)}`;
    });
  }

  /** Our PeerJS id is (again) registered: hello once more if the relay does not count us in the mesh. */
  reannounce(): void {
    this.mesh.restart().catch((e: unknown) => {
      this.lastError = `verifier: ${e instanceof Error ? e.message : String(e)}`;
    });
  }

  /** The /ws session ended: the relay dropped our joins, so the node goes (see MeshSession.end). */
  endSession(): void {
    this.mesh.end();
  }

  /** Mesh switched off: goodbye to the relay (it resumes direct delivery) and every neighbour. */
  close(): void {
    this.mesh.close(ErrorCode.MESH_LEAVING);
  }

  /** One ServerMessage.mesh payload. */
  onRelayMessage(payload: Uint8Array): void {
    this.bytesFromRelay += payload.length;
    this.mesh.onRelayMessage(payload);
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
    this.mesh.onSnapshot(streamId, epoch, seq);
  }

  /** The view now holds only these streams: leave the others' trees. */
  retain(streamIds: ReadonlySet<number>): void {
    this.mesh.retain(streamIds);
  }

  info(): MeshFrameInfo {
    const node = this.mesh.node;
    const streams: MeshStreamInfo[] = this.hooks.viewStreams().map((v) => {
      const parents = this.mesh.parentsOf(v.streamId);
      const source = this.mesh.feed(v.streamId) === 'direct' ? 'relay' : 'mesh';
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
    return {
      enabled: true,
      peerId: this.peerId,
      ready: this.mesh.ready,
      neighbours: this.mesh.links.neighbours(),
      streams,
      bytesFromPeers: this.bytesFromPeers,
      bytesFromRelay: this.bytesFromRelay,
      framesFromMesh: this.framesFromMesh,
      directBatches: this.directBatches,
      fallbacks: this.mesh.fallbacksStarted,
      fallbackEndedAt: this.mesh.fallbackEndedAt,
      relaySessions: this.mesh.relaySessions,
      startedAt: this.mesh.startedAt,
      framesRejected: this.framesRejected,
      lastError: this.lastError,
      linkSetupMs: this.mesh.links.medianSetupMs(),
    };
  }

  // ---- channels -----------------------------------------------------------------------------

  /** A data channel to `peerId`, transferred from the main thread (open or about to open). */
  addChannel(peerId: string, ch: MeshChannel): void {
    ch.binaryType = 'arraybuffer';
    ch.bufferedAmountLowThreshold = MESH_LOW_WATER_BYTES;
    this.mesh.links.add(peerId, ch, (ev) => {
      ch.addEventListener('open', ev.open);
      ch.addEventListener('message', (e) => {
        const bytes = toBytes(e.data);
        if (bytes) ev.message(bytes);
      });
      ch.addEventListener('bufferedamountlow', ev.drain);
      ch.addEventListener('close', ev.closed);
      ch.addEventListener('error', ev.closed);
    });
  }

  /** The main thread could not open a link to `peerId`. */
  connectFailed(peerId: string): void {
    this.mesh.links.connectFailed(peerId);
  }

  // ---- MeshTransport (the session's link table) ---------------------------------------------

  connect(peerId: string): void {
    this.mesh.links.connect(peerId);
  }

  disconnect(peerId: string, code: string): void {
    this.mesh.links.disconnect(peerId, code);
  }

  send(peerId: string, bytes: Uint8Array): void {
    this.mesh.links.send(peerId, bytes);
  }

  bufferedAmount(peerId: string): number {
    return this.mesh.links.bufferedAmount(peerId);
  }

  isOpen(peerId: string): boolean {
    return this.mesh.links.isOpen(peerId);
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

  private noteDelivery(streamId: number, seq: number): void {
    let t = this.arrivals.get(streamId);
    if (!t) this.arrivals.set(streamId, (t = { seq: new Float64Array(TIMINGS), at: new Float64Array(TIMINGS) }));
    t.seq[seq % TIMINGS] = seq;
    t.at[seq % TIMINGS] = performance.timeOrigin + performance.now();
  }
}

function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}
