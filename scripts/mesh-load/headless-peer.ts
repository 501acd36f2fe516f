/**
 * One headless mesh peer, as the browser's worker + main thread do it (web/src/workers/mesh-peer.ts,
 * web/src/lib/mesh-client.svelte.ts) but in Node: its own /ws session (`ws`), its own PeerJS
 * id and the peerjs client on werift, a MeshNode verifying with the Welcome's mdPublicKey, and
 * a BookStream per stream applying snapshots, direct batches and mesh frames.
 *
 * Links: PeerJS sets up the RTCPeerConnection, then both sides create a negotiated data
 * channel (id 99, ordered, maxRetransmits 0) used as the MeshTransport link.
 */
import {
  BookStream, ErrorCode, MESH_FRAME_TAG, MESH_PROTOCOL_VERSION, MeshNode, RELAY_PEER_ID, createFrameVerifier, decodeMeshControl,
  decodeServer, encodeClient, encodeMeshControl, readSignedFrame, type ClientMsg, type MeshNodeOptions, type MeshTransport, type ServerMsg,
} from '@tickmesh/shared';
import type * as werift from 'werift';
import { WebSocket } from 'ws';
import { newPeerId, wsUrl } from './relay-api';
import type { ConnLike, PeerCtor, PeerLike } from './werift-env';

const MESH_CHANNEL_ID = 99;
const LOW_WATER_BYTES = 64 * 1024;
const CONNECT_TIMEOUT_MS = 10_000;
/** First-receive times kept per stream, by seq modulo this. */
const RING = 4096;

export interface HeadlessPeerOptions {
  url: string;
  token: string;
  symbol: string;
  Peer: PeerCtor;
  meshOptions?: Partial<MeshNodeOptions>;
  /** Called for each first copy of a frame that came from the stripe's parent peer: one-hop added latency, ms. */
  onHop?: (ms: number) => void;
  /** Looks up another peer of this process (for the parent's receive time). */
  lookup?: (peerId: string) => HeadlessPeer | undefined;
}

/** How a peer gets a stream now. */
export type FeedSource = 'mesh' | 'seed' | 'direct';

export class HeadlessPeer implements MeshTransport {
  framesFromPeers = 0;
  framesFromRelay = 0;
  directBatches = 0;
  framesDelivered = 0;
  rejected = 0;
  resyncs = 0;
  lastError = '';
  private node: MeshNode | undefined;
  private ready = false;
  private closed = false;
  private readonly books = new Map<number, BookStream>();
  private readonly joined = new Set<number>();
  private readonly fallbacks = new Set<number>();
  private readonly channels = new Map<string, werift.RTCDataChannel[]>();
  private readonly conns = new Map<string, Set<ConnLike>>();
  private readonly dialling = new Set<string>();
  private readonly opened = new Set<string>();
  private readonly arrivals = new Map<number, { seq: Float64Array; at: Float64Array }>();
  private requestId = 10;

  private constructor(
    readonly peerId: string,
    private readonly peer: PeerLike,
    private readonly ws: WebSocket,
    private readonly o: HeadlessPeerOptions,
  ) {}

  /** Registers with signalling, opens the /ws session, starts the node and subscribes the symbol. */
  static async open(o: HeadlessPeerOptions): Promise<HeadlessPeer> {
    const id = await newPeerId(o.url, o.token);
    const u = new URL(o.url);
    const peer = new o.Peer(id, {
      host: u.hostname, port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)), path: '/peerjs', key: 'peerjs',
      token: o.token, secure: u.protocol === 'https:', config: { iceServers: [] }, debug: 0,
    });
    try {
      if (!peer.open) {
        await withTimeout(new Promise<void>((resolve, reject) => (peer.on('open', () => resolve()), peer.on('error', reject))), CONNECT_TIMEOUT_MS, 'peerjs open');
      }
    } catch (e) {
      peer.destroy();
      throw e;
    }
    const ws = new WebSocket(wsUrl(o.url, '/ws', o.token));
    ws.binaryType = 'nodebuffer';
    const welcome = await withTimeout(
      new Promise<Extract<ServerMsg, { type: 'welcome' }>>((resolve, reject) => {
        ws.on('message', function first(data: Buffer) {
          const m = decodeServer(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
          if (m.ok && m.value.type === 'welcome') {
            ws.off('message', first);
            resolve(m.value);
          } else if (m.ok && m.value.type === 'error') reject(new Error(`relay error ${m.value.code}`));
        });
        ws.once('error', reject);
        ws.once('close', (code) => reject(new Error(`/ws closed ${code}`)));
      }),
      CONNECT_TIMEOUT_MS,
      '/ws welcome',
    ).catch((e: unknown) => {
      peer.destroy();
      ws.terminate();
      throw e;
    });
    const p = new HeadlessPeer(id, peer, ws, o);
    await p.start(welcome.mdPublicKey);
    return p;
  }

  private async start(mdPublicKey: Uint8Array): Promise<void> {
    const verifier = await createFrameVerifier([{ keyId: 1, publicKey: mdPublicKey }]);
    this.node = new MeshNode(this.peerId, this, verifier, {
      onFrame: (streamId, _epoch, seq, frame) => this.onFrame(streamId, seq, frame),
      onResync: (streamId) => this.requestSnapshot(streamId),
      onMisbehaviour: (peerId) => {
        if (peerId !== RELAY_PEER_ID) this.rejected++;
      },
      onFallback: (streamId, active) => (active ? this.fallbacks.add(streamId) : this.fallbacks.delete(streamId)),
    }, { stallFrames: 128, ...this.o.meshOptions });
    this.peer.on('connection', (c) => this.track(c));
    this.peer.on('error', (e) => {
      this.lastError = e instanceof Error ? e.message : String(e);
    });
    this.ws.on('message', (data: Buffer) => this.onWs(data));
    this.ws.on('close', () => this.close());
    this.ws.on('error', () => {});
    this.sendRelayMsg({ type: 'mesh', requestId: 0, payload: encodeMeshControl({ type: 'hello', peerId: this.peerId, protocolVersion: MESH_PROTOCOL_VERSION }) });
    this.sendRelayMsg({ type: 'subscribe', requestId: 1, streamIds: [], symbols: [this.o.symbol] });
  }

  get stats() {
    return this.node?.stats;
  }

  /** Feed of each stream held: through a peer parent, seeded by the relay over the mesh, or direct batches. */
  sources(): FeedSource[] {
    const node = this.node;
    return [...this.books.keys()].map((id) => {
      if (!node || !this.ready || !this.joined.has(id) || this.fallbacks.has(id)) return 'direct';
      const parents = node.parentsOf(id).filter((p) => p !== '');
      if (parents.length === 0) return 'direct';
      return parents.some((p) => p !== RELAY_PEER_ID) ? 'mesh' : 'seed';
    });
  }

  /** Seq the peer's book of `streamId` is valid at, and whether it is live (in sync). */
  book(streamId: number): { seq: number; live: boolean } | undefined {
    const b = this.books.get(streamId);
    return b && { seq: b.seq, live: b.isLive };
  }

  /** When this peer first received `seq` of `streamId` (performance.now ms), if still in the ring. */
  firstReceived(streamId: number, seq: number): number | undefined {
    const t = this.arrivals.get(streamId);
    if (!t || t.seq[seq % RING] !== seq) return undefined;
    return t.at[seq % RING];
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.node?.close();
    this.node = undefined;
    for (const id of [...this.channels.keys()]) this.disconnect(id, ErrorCode.MESH_LEAVING);
    for (const set of this.conns.values()) for (const c of set) c.close();
    this.conns.clear();
    this.peer.destroy();
    this.ws.close();
  }

  // ---- /ws ----------------------------------------------------------------------------------

  private sendRelayMsg(m: ClientMsg): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(encodeClient(m));
  }

  private requestSnapshot(streamId: number): void {
    this.resyncs++;
    this.sendRelayMsg({ type: 'subscribe', requestId: ++this.requestId, streamIds: [streamId], symbols: [] });
  }

  private onWs(data: Buffer): void {
    const r = decodeServer(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    if (!r.ok) return;
    const m = r.value;
    const node = this.node;
    switch (m.type) {
      case 'bookSnapshot': {
        let b = this.books.get(m.streamId);
        if (!b) this.books.set(m.streamId, (b = new BookStream(m.streamId)));
        const res = b.applySnapshot(m);
        if (res.action === 'applied' && this.ready && node) {
          this.joined.add(m.streamId);
          node.subscribe(m.streamId, m.epoch, m.seq);
        }
        return;
      }
      case 'bookBatch': {
        this.directBatches++;
        const res = this.books.get(m.streamId)?.applyBatch(m);
        if (res?.action === 'resync') this.requestSnapshot(m.streamId);
        return;
      }
      case 'mesh': {
        if (!node) return;
        const payload = new Uint8Array(m.payload);
        if (payload[0] === MESH_FRAME_TAG) {
          this.framesFromRelay++;
          this.noteArrival(RELAY_PEER_ID, payload);
        } else if (!this.ready && decodeMeshControl(payload)?.type === 'hello') {
          this.ready = true;
          for (const [id, b] of this.books) {
            if (!b.isLive) continue;
            this.joined.add(id);
            node.subscribe(id, b.epoch, b.seq);
          }
          return;
        }
        node.onMessage(RELAY_PEER_ID, payload);
        return;
      }
      case 'error':
        this.lastError = m.code;
        return;
      default:
    }
  }

  private onFrame(streamId: number, _seq: number, frame: Uint8Array): void {
    const r = decodeServer(frame);
    if (!r.ok || r.value.type !== 'bookBatch') return;
    this.framesDelivered++;
    const res = this.books.get(streamId)?.applyBatch(r.value);
    if (res?.action === 'resync') this.requestSnapshot(streamId);
  }

  /** First copy of a seq: remember when; if it came from the stripe's parent peer, one hop's added latency. */
  private noteArrival(from: string, bytes: Uint8Array): void {
    const f = readSignedFrame(bytes);
    if (!f.ok) return;
    const { streamId, seq } = f.value;
    let t = this.arrivals.get(streamId);
    if (!t) this.arrivals.set(streamId, (t = { seq: new Float64Array(RING), at: new Float64Array(RING) }));
    const i = seq % RING;
    if (t.seq[i] === seq) return;
    const now = performance.now();
    t.seq[i] = seq;
    t.at[i] = now;
    if (from === RELAY_PEER_ID || !this.o.onHop || !this.node) return;
    const parents = this.node.parentsOf(streamId);
    if (parents.length === 0 || parents[seq % parents.length] !== from) return;
    const parentAt = this.o.lookup?.(from)?.firstReceived(streamId, seq);
    if (parentAt !== undefined) this.o.onHop(now - parentAt);
  }

  // ---- links --------------------------------------------------------------------------------

  private track(conn: ConnLike): void {
    const id = conn.peer;
    if (this.closed) {
      conn.close();
      return;
    }
    let set = this.conns.get(id);
    if (!set) this.conns.set(id, (set = new Set()));
    set.add(conn);
    let opened = false;
    const timer = setTimeout(() => {
      if (!opened) conn.close();
    }, CONNECT_TIMEOUT_MS);
    conn.on('open', () => {
      opened = true;
      clearTimeout(timer);
      let ch: werift.RTCDataChannel;
      try {
        ch = conn.peerConnection.createDataChannel('tickmesh-md', { negotiated: true, id: MESH_CHANNEL_ID, ordered: true, maxRetransmits: 0 });
      } catch (e) {
        this.lastError = `mesh channel: ${e instanceof Error ? e.message : String(e)}`;
        conn.close();
        return;
      }
      this.addChannel(id, ch);
    });
    const gone = () => {
      clearTimeout(timer);
      const s = this.conns.get(id);
      s?.delete(conn);
      if (s && s.size === 0) this.conns.delete(id);
      if (!opened) {
        opened = true;
        this.connectFailed(id);
      }
    };
    conn.on('close', gone);
    conn.on('error', gone);
  }

  private addChannel(peerId: string, ch: werift.RTCDataChannel): void {
    this.dialling.delete(peerId);
    ch.bufferedAmountLowThreshold = LOW_WATER_BYTES;
    const list = this.channels.get(peerId) ?? [];
    list.push(ch);
    this.channels.set(peerId, list);
    ch.onMessage.subscribe((data) => {
      if (typeof data === 'string') return;
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      if (bytes[0] === MESH_FRAME_TAG) {
        this.framesFromPeers++;
        this.noteArrival(peerId, bytes);
      }
      this.node?.onMessage(peerId, bytes);
    });
    ch.bufferedAmountLow.subscribe(() => this.node?.onDrain(peerId));
    ch.stateChanged.subscribe((state) => {
      if (state === 'open') this.linkOpen(peerId);
      else if (state === 'closed' || state === 'closing') {
        const l = this.channels.get(peerId);
        if (!l) return;
        const i = l.indexOf(ch);
        if (i < 0) return;
        l.splice(i, 1);
        if (l.length === 0) this.channels.delete(peerId);
        if (!l.some(isOpen)) this.linkClosed(peerId);
      }
    });
    if (ch.readyState === 'open') this.linkOpen(peerId);
  }

  private connectFailed(peerId: string): void {
    this.dialling.delete(peerId);
    if (this.isOpen(peerId)) return;
    this.opened.delete(peerId);
    this.node?.onClose(peerId, ErrorCode.MESH_PEER_CLOSED);
  }

  private linkOpen(peerId: string): void {
    if (this.opened.has(peerId) || !this.node) return;
    this.opened.add(peerId);
    this.node.onOpen(peerId);
  }

  private linkClosed(peerId: string): void {
    if (!this.opened.delete(peerId)) return;
    this.node?.onClose(peerId, ErrorCode.MESH_PEER_CLOSED);
  }

  private openChannel(peerId: string): werift.RTCDataChannel | undefined {
    const list = this.channels.get(peerId);
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) if (isOpen(list[i]!)) return list[i];
    return undefined;
  }

  // ---- MeshTransport ------------------------------------------------------------------------

  connect(peerId: string): void {
    if (peerId === RELAY_PEER_ID || this.closed) return;
    if (this.isOpen(peerId)) {
      this.opened.delete(peerId);
      queueMicrotask(() => {
        if (this.isOpen(peerId)) this.linkOpen(peerId);
      });
      return;
    }
    if (this.dialling.has(peerId)) return;
    if ((this.conns.get(peerId)?.size ?? 0) > 0) return;
    if (this.peer.destroyed) return this.connectFailed(peerId);
    this.dialling.add(peerId);
    this.track(this.peer.connect(peerId, { serialization: 'raw', reliable: true, label: 'tickmesh' }));
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
    const set = this.conns.get(peerId);
    this.conns.delete(peerId);
    if (set) for (const c of set) c.close();
  }

  send(peerId: string, bytes: Uint8Array): void {
    if (peerId === RELAY_PEER_ID) {
      this.sendRelayMsg({ type: 'mesh', requestId: 0, payload: bytes });
      return;
    }
    const ch = this.openChannel(peerId);
    if (!ch) return;
    try {
      ch.send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
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
}

function isOpen(ch: werift.RTCDataChannel): boolean {
  return ch.readyState === 'open';
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
}
