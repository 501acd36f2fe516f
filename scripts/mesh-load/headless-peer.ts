/**
 * One headless mesh peer, on the same shared pieces as the browser's worker + main thread
 * (web/src/workers/mesh-peer.ts, web/src/lib/mesh-client.svelte.ts) but in Node: its own /ws
 * session (`ws`), its own PeerJS id and the peerjs client on werift, a MeshSession verifying
 * with the Welcome's mdPublicKey, and a BookStream per stream applying snapshots, direct
 * batches and mesh frames.
 *
 * Links: PeerJS sets up the RTCPeerConnection (MeshConnectionTable), then both sides create a
 * negotiated data channel (id 99, ordered, maxRetransmits 0), wrapped as a MeshDataChannel.
 */
import {
  BookStream, ErrorCode, MESH_CONNECT_OPTIONS, MESH_FRAME_TAG, MESH_LOW_WATER_BYTES, MeshConnectionTable, MeshSession, RELAY_PEER_ID, decodeServer,
  encodeClient, readSignedFrame, type ClientMsg, type MeshDataChannel, type MeshNodeOptions, type ServerMsg,
} from '@tickmesh/shared';
import type * as werift from 'werift';
import { WebSocket } from 'ws';
import { iceServers, newPeerId, wsUrl } from './relay-api';
import type { ConnLike, PeerCtor, PeerLike } from './werift-env';

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

export class HeadlessPeer {
  framesFromPeers = 0;
  framesFromRelay = 0;
  directBatches = 0;
  resyncs = 0;
  lastError = '';
  private closed = false;
  private readonly mesh: MeshSession;
  private readonly books = new Map<number, BookStream>();
  private readonly conns: MeshConnectionTable<werift.RTCDataChannel>;
  private readonly arrivals = new Map<number, { seq: Float64Array; at: Float64Array }>();
  private requestId = 10;

  private constructor(
    readonly peerId: string,
    private readonly peer: PeerLike,
    private readonly ws: WebSocket,
    private readonly o: HeadlessPeerOptions,
  ) {
    this.mesh = new MeshSession(peerId, {
      dial: (id) => this.dial(id),
      hangUp: (id) => this.conns.drop(id),
      opening: (id) => this.conns.has(id),
      sendRelay: (payload) => this.sendRelayMsg({ type: 'mesh', requestId: 0, payload }),
      peerMessage: (id, bytes) => {
        if (bytes[0] !== MESH_FRAME_TAG) return;
        this.framesFromPeers++;
        this.noteArrival(id, bytes);
      },
    }, {
      requestSnapshot: (streamId) => this.requestSnapshot(streamId),
      liveStreams: () => [...this.books].filter(([, b]) => b.isLive).map(([streamId, b]) => ({ streamId, epoch: b.epoch, seq: b.seq })),
      apply: (msg) => {
        const res = this.books.get(msg.streamId)?.applyBatch(msg);
        if (res?.action === 'resync') this.requestSnapshot(msg.streamId);
      },
    }, { stallFrames: 128, ...o.meshOptions });
    this.conns = new MeshConnectionTable<werift.RTCDataChannel>({
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
      failed: (id) => this.mesh.links.connectFailed(id),
      channelError: (e) => {
        this.lastError = `mesh channel: ${e instanceof Error ? e.message : String(e)}`;
      },
    });
  }

  get framesDelivered(): number {
    return this.mesh.framesDelivered;
  }

  get rejected(): number {
    return this.mesh.framesRejected;
  }

  /** Registers with signalling, opens the /ws session, starts the node and subscribes the symbol. */
  static async open(o: HeadlessPeerOptions): Promise<HeadlessPeer> {
    // A load run is short: the TURN credentials fetched here (valid --turn-ttl-sec) are not renewed.
    const [id, ice] = await Promise.all([newPeerId(o.url, o.token), iceServers(o.url, o.token)]);
    const u = new URL(o.url);
    const peer = new o.Peer(id, {
      host: u.hostname, port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)), path: '/peerjs', key: 'peerjs',
      token: o.token, secure: u.protocol === 'https:', config: { iceServers: ice }, debug: 0,
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

  /** The node and hello (MeshSession.start), then the links and the /ws feed. */
  private async start(mdPublicKey: Uint8Array): Promise<void> {
    await this.mesh.start(mdPublicKey);
    this.peer.on('connection', (c) => this.track(c));
    this.peer.on('error', (e) => {
      this.lastError = e instanceof Error ? e.message : String(e);
    });
    this.ws.on('message', (data: Buffer) => this.onWs(data));
    this.ws.on('close', () => this.close());
    this.ws.on('error', () => {});
    this.sendRelayMsg({ type: 'subscribe', requestId: 1, streamIds: [], symbols: [this.o.symbol] });
  }

  get stats() {
    return this.mesh.node?.stats;
  }

  /** Feed of each stream held: through a peer parent, seeded by the relay over the mesh, or direct batches. */
  sources(): FeedSource[] {
    return [...this.books.keys()].map((id) => this.mesh.feed(id));
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
    this.mesh.close(ErrorCode.MESH_LEAVING);
    this.conns.closeAll();
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
    switch (m.type) {
      case 'bookSnapshot': {
        let b = this.books.get(m.streamId);
        if (!b) this.books.set(m.streamId, (b = new BookStream(m.streamId)));
        if (b.applySnapshot(m).action === 'applied') this.mesh.onSnapshot(m.streamId, m.epoch, m.seq);
        return;
      }
      case 'bookBatch': {
        this.directBatches++;
        const res = this.books.get(m.streamId)?.applyBatch(m);
        if (res?.action === 'resync') this.requestSnapshot(m.streamId);
        return;
      }
      case 'mesh': {
        if (!this.mesh.node) return;
        const payload = new Uint8Array(m.payload);
        if (payload[0] === MESH_FRAME_TAG) {
          this.framesFromRelay++;
          this.noteArrival(RELAY_PEER_ID, payload);
        }
        this.mesh.onRelayMessage(payload);
        return;
      }
      case 'error':
        this.lastError = m.code;
        return;
      default:
    }
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
    if (from === RELAY_PEER_ID || !this.o.onHop || !this.mesh.node) return;
    const parents = this.mesh.parentsOf(streamId);
    if (parents.length === 0 || parents[seq % parents.length] !== from) return;
    const parentAt = this.o.lookup?.(from)?.firstReceived(streamId, seq);
    if (parentAt !== undefined) this.o.onHop(now - parentAt);
  }

  // ---- links --------------------------------------------------------------------------------

  /** The session's link table dials `peerId` (it is not open, dialling, nor held here). */
  private dial(peerId: string): void {
    if (this.closed) return;
    if (this.peer.destroyed) return this.mesh.links.connectFailed(peerId);
    this.track(this.peer.connect(peerId, MESH_CONNECT_OPTIONS));
  }

  private track(conn: ConnLike): void {
    if (this.closed) {
      conn.close();
      return;
    }
    this.conns.track(conn, (id, raw) => {
      raw.bufferedAmountLowThreshold = MESH_LOW_WATER_BYTES;
      const ch: MeshDataChannel = {
        get readyState() {
          return raw.readyState;
        },
        get bufferedAmount() {
          return raw.bufferedAmount;
        },
        send: (bytes) => raw.send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
        close: () => raw.close(),
      };
      this.mesh.links.add(id, ch, (ev) => {
        raw.onMessage.subscribe((data) => {
          if (typeof data !== 'string') ev.message(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        });
        raw.bufferedAmountLow.subscribe(ev.drain);
        raw.stateChanged.subscribe((state) => {
          if (state === 'open') ev.open();
          else if (state === 'closed' || state === 'closing') ev.closed();
        });
      });
    });
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
}
