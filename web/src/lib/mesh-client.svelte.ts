import { MESH_CONNECT_OPTIONS, MeshConnectionTable } from '@tickmesh/shared';
import * as Comlink from 'comlink';
import type { DataConnection, Peer } from 'peerjs';
import type { MeshFrameInfo, TerminalWorkerApi } from '../workers/terminal-api';

const MESH_KEY = 'tickmesh.mesh';
/** A link that has not opened by then is given up (the worker reports it; the coordinator re-parents). */
const CONNECT_TIMEOUT_MS = 8_000;

/** The worker's mesh methods (optional in TerminalWorkerApi: engines without a mesh omit them). */
type MeshWorkerApi = Required<Pick<TerminalWorkerApi, 'setMesh' | 'meshChannel' | 'meshConnectFailed' | 'meshToken' | 'meshTimings'>>;

export type MeshState = 'off' | 'starting' | 'on' | 'error';

/**
 * The main thread's half of the market-data mesh. PeerJS (RTCPeerConnection exists only on the
 * main thread) registers an id in the relay's signalling server and opens WebRTC links when
 * the worker's MeshNode asks; every mesh byte then travels on an RTCDataChannel transferred to
 * the worker, so nothing of the feed crosses this thread.
 *
 * Channel: PeerJS's DataConnection cannot ask for "ordered, no retransmits" (its `reliable`
 * only toggles `ordered`), which is what the mesh wants (a late frame is repaired, not waited
 * for). So PeerJS is used for signalling and the connection's lifecycle only: once its own
 * channel opens, both sides create a negotiated channel (`id` 99, ordered, maxRetransmits 0)
 * on `conn.peerConnection` and transfer it to the worker in the same task (a channel is
 * transferable only before it is used). PeerJS's own channel stays idle.
 *
 * Off by default; switched on in the mesh panel (remembered) or with `?mesh=1` (`?mesh=0` off).
 */
class MeshClient {
  state = $state<MeshState>('off');
  error = $state('');
  info = $state.raw<MeshFrameInfo | undefined>(undefined);
  /** The user's (or URL's) choice. */
  wanted = $state(false);

  private api: Comlink.Remote<MeshWorkerApi> | undefined;
  private peer: Peer | undefined;
  private readonly conns = new MeshConnectionTable<RTCDataChannel>({
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
    failed: (peerId) => this.failed(peerId),
    channelError: (e) => console.error('mesh channel', e),
  });
  private generation = 0;
  /** Renews the TURN credentials (they expire) before half their life is over. */
  private iceTimer: ReturnType<typeof setTimeout> | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    try {
      const q = typeof location === 'undefined' ? null : new URL(location.href).searchParams.get('mesh');
      if (q === '1' || q === '0') this.wanted = q === '1';
      else this.wanted = typeof localStorage !== 'undefined' && localStorage.getItem(MESH_KEY) === '1';
    } catch {
      this.wanted = false;
    }
  }

  /** The terminal's worker started (or stopped, with undefined). */
  attach(api: Comlink.Remote<TerminalWorkerApi> | undefined): void {
    this.stopPeer();
    this.api = api as unknown as Comlink.Remote<MeshWorkerApi> | undefined;
    if (this.api && this.wanted) void this.startPeer();
  }

  /** The panel's switch. */
  setEnabled(on: boolean): void {
    this.wanted = on;
    try {
      localStorage.setItem(MESH_KEY, on ? '1' : '0');
    } catch {
      // Not remembering the choice is harmless.
    }
    if (on) {
      if (this.api && !this.peer) void this.startPeer();
    } else {
      this.stopPeer();
      void this.api?.setMesh(null);
    }
  }

  /** Diagnostics: [seq, wall-clock ms] of recent mesh deliveries on a stream. */
  async timings(streamId: number): Promise<Array<[number, number]>> {
    return (await this.api?.meshTimings(streamId)) ?? [];
  }

  /**
   * Diagnostics: the remote address ICE chose on each link (the selected candidate pair), to
   * see how peers reach each other (a LAN address = host candidates, a TURN server = relayed).
   */
  async remoteAddresses(): Promise<string[]> {
    const out: string[] = [];
    for (const [, conn] of this.conns.connections()) {
      const pc = conn.peerConnection as unknown as RTCPeerConnection;
      const stats = await pc.getStats();
      const byId = new Map<string, Record<string, unknown>>();
      stats.forEach((s: Record<string, unknown>) => byId.set(s.id as string, s));
      for (const s of byId.values()) {
        if (s.type !== 'candidate-pair' || s.state !== 'succeeded' || !s.nominated) continue;
        const remote = byId.get(s.remoteCandidateId as string);
        const address = (remote?.address ?? remote?.ip) as string | undefined;
        if (address) out.push(address);
      }
    }
    return out;
  }

  /** Each frame's mesh part (undefined while off). */
  onFrame(info: MeshFrameInfo | undefined): void {
    this.info = info;
  }

  private async startPeer(): Promise<void> {
    const api = this.api;
    if (!api) return;
    const generation = ++this.generation;
    this.state = 'starting';
    this.error = '';
    try {
      const token = await this.waitToken(api);
      const auth = { headers: { authorization: `Bearer ${token}` } };
      const [res, ice] = await Promise.all([fetch('/peerjs/peerjs/id', auth), this.iceConfig(token)]);
      if (!res.ok) throw new Error(`peer id: HTTP ${res.status}`);
      const id = (await res.text()).trim();
      const iceServers = ice.iceServers;
      if (generation !== this.generation) return;
      const url = new URL(location.origin);
      const secure = url.protocol === 'https:';
      // PeerJS loads only when the mesh is switched on (it is off by default): a smaller first load.
      const { Peer } = await import('peerjs');
      if (generation !== this.generation) return;
      const peer = new Peer(id, {
        host: url.hostname,
        port: Number(url.port || (secure ? 443 : 80)),
        secure,
        path: '/peerjs',
        key: 'peerjs',
        token,
        config: { iceServers },
        debug: 0,
      });
      this.peer = peer;
      this.renewIce(peer, ice.ttlSec);
      peer.on('open', (openId) => {
        if (this.peer !== peer) return;
        this.state = 'on';
        void api.setMesh(openId, Comlink.proxy({ connect: (p: string) => this.connect(p), disconnect: (p: string) => this.disconnect(p) }));
      });
      peer.on('connection', (conn) => this.track(conn));
      peer.on('disconnected', () => this.scheduleReconnect(peer));
      peer.on('error', (e: Error & { type?: string }) => {
        if (this.peer !== peer) return;
        if (e.type === 'peer-unavailable') {
          const m = /peer (\S+)$/.exec(e.message);
          if (m) this.failed(m[1]!);
          return;
        }
        this.error = `${e.type ?? 'error'}: ${e.message}`;
      });
    } catch (e) {
      if (generation !== this.generation) return;
      this.state = 'error';
      this.error = e instanceof Error ? e.message : String(e);
      // Try again later (the relay may be restarting).
      this.reconnectTimer = setTimeout(() => {
        if (this.wanted && this.api === api && !this.peer) void this.startPeer();
      }, 3_000);
    }
  }

  /** The worker's token is there once the worker connected; wait a little for it. */
  private async waitToken(api: Comlink.Remote<MeshWorkerApi>): Promise<string> {
    for (let i = 0; i < 50; i++) {
      const t = await api.meshToken();
      if (t) return t;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('no access token');
  }

  /** Signalling socket lost: reconnect with the worker's current token (it may have been refreshed). */
  private scheduleReconnect(peer: Peer): void {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(async () => {
      if (this.peer !== peer || peer.destroyed || !peer.disconnected) return;
      const token = await this.api?.meshToken();
      if (token) (peer as unknown as { options: { token: string } }).options.token = token;
      peer.reconnect();
    }, 1_000);
  }

  /**
   * The relay's STUN/TURN list (TURN credentials minted for this account); none = host
   * candidates only, which is all one host or LAN needs. Never a public default: that would
   * tell a third party who is in the mesh.
   */
  private async iceConfig(token: string): Promise<{ iceServers: RTCIceServer[]; ttlSec: number }> {
    try {
      const res = await fetch('/api/mesh/ice', { headers: { authorization: `Bearer ${token}` } });
      if (res.ok) return (await res.json()) as { iceServers: RTCIceServer[]; ttlSec: number };
    } catch {
      // Relay unreachable: host candidates only until the next renewal.
    }
    return { iceServers: [], ttlSec: 0 };
  }

  /** Fetches fresh credentials at half their life; PeerJS reads its config at every new connection. */
  private renewIce(peer: Peer, ttlSec: number): void {
    clearTimeout(this.iceTimer);
    if (!(ttlSec > 0)) return;
    this.iceTimer = setTimeout(async () => {
      const token = await this.api?.meshToken();
      if (this.peer !== peer || !token) return;
      const ice = await this.iceConfig(token);
      if (this.peer !== peer) return;
      (peer as unknown as { options: { config: RTCConfiguration } }).options.config = { ...peer.options.config, iceServers: ice.iceServers };
      this.renewIce(peer, ice.ttlSec || ttlSec);
    }, (ttlSec * 1000) / 2);
  }

  private stopPeer(): void {
    this.generation++;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.iceTimer);
    const peer = this.peer;
    this.peer = undefined;
    this.conns.closeAll();
    peer?.destroy();
    this.state = 'off';
    this.info = undefined;
  }

  // ---- links (asked by the worker) ----------------------------------------------------------

  private connect(peerId: string): void {
    const peer = this.peer;
    if (!peer || peer.destroyed) return this.failed(peerId);
    if (this.conns.has(peerId)) return;
    this.track(peer.connect(peerId, MESH_CONNECT_OPTIONS));
  }

  private disconnect(peerId: string): void {
    this.conns.drop(peerId);
  }

  private failed(peerId: string): void {
    void this.api?.meshConnectFailed(peerId);
  }

  private track(conn: DataConnection): void {
    const api = this.api;
    if (!api) {
      conn.close();
      return;
    }
    this.conns.track(conn, (id, ch) => {
      // Same task as the creation: transferable now, not later.
      void api.meshChannel(id, Comlink.transfer(ch, [ch as unknown as Transferable]));
    });
  }
}

export const meshClient = new MeshClient();

// Diagnostics hook (support, and the browser mesh test): the mesh part of the last frame.
(globalThis as { tickmeshMesh?: () => MeshFrameInfo | undefined }).tickmeshMesh = () => (meshClient.info ? $state.snapshot(meshClient.info) : undefined);
(globalThis as { tickmeshMeshRemoteAddresses?: () => Promise<string[]> }).tickmeshMeshRemoteAddresses = () => meshClient.remoteAddresses();
(globalThis as { tickmeshMeshTimings?: (streamId: number) => Promise<Array<[number, number]>> }).tickmeshMeshTimings = (streamId) => meshClient.timings(streamId);
