/**
 * Test client of the relay's order channel: the genuine peerjs client on werift (as a browser
 * would, see scripts/mesh-load/werift-env.ts), signed in on /peerjs with a token, a data
 * connection to RELAY_ORDER_PEER_ID, protobuf ClientMessage out and ServerMessage in.
 */
import { ORDER_CHANNEL_CONNECT_OPTIONS, RELAY_ORDER_PEER_ID, decodeServer, encodeClient, type ClientMsg, type ServerMsg } from '@tickmesh/shared';
import type * as werift from 'werift';
import { loadPeerJs, type PeerLike } from '../../scripts/mesh-load/werift-env';

interface DataConnLike {
  readonly open: boolean;
  readonly dataChannel: werift.RTCDataChannel;
  readonly peerConnection: werift.RTCPeerConnection;
  on(event: 'open' | 'close', fn: () => void): void;
  on(event: 'data', fn: (data: ArrayBuffer | Uint8Array | string) => void): void;
  on(event: 'error', fn: (e: Error) => void): void;
  send(data: unknown): void;
  close(): void;
}

type Waiter = { match: (m: ServerMsg) => boolean; resolve: (m: ServerMsg) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

/** A fresh peer id for the token's account (GET id: peerjs's own retrieveId cannot send a bearer token). */
export async function newPeerId(relayUrl: string, token: string): Promise<string> {
  const r = await fetch(`${relayUrl}/peerjs/peerjs/id`, { headers: { authorization: `Bearer ${token}` } });
  if (r.status !== 200) throw Object.assign(new Error(`GET id: ${r.status}`), { status: r.status, body: (await r.json()) as { code?: string } });
  return r.text();
}

/** Signs in on /peerjs (peerjs on werift) and resolves once registered. */
export async function signIn(relayUrl: string, token: string, id?: string): Promise<PeerLike> {
  const Peer = await loadPeerJs();
  const peerId = id ?? (await newPeerId(relayUrl, token));
  const { hostname, port } = new URL(relayUrl);
  const peer = new Peer(peerId, { host: hostname, port: Number(port), path: '/peerjs', key: 'peerjs', token, secure: false, config: { iceServers: [] } });
  if (!peer.open) await new Promise<void>((resolve, reject) => (peer.on('open', () => resolve()), peer.on('error', reject)));
  return peer;
}

export class OrderChannelClient {
  readonly received: ServerMsg[] = [];
  closed = false;
  private waiters: Waiter[] = [];

  private constructor(
    readonly peer: PeerLike,
    readonly conn: DataConnLike,
  ) {
    conn.on('data', (data) => {
      if (typeof data === 'string') throw new Error('relay sent a text message on the order channel');
      const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
      const r = decodeServer(bytes);
      if (!r.ok) throw new Error(`relay sent an undecodable frame: ${r.reason.code}`);
      this.received.push(r.value);
      for (const w of [...this.waiters]) {
        if (!w.match(r.value)) continue;
        clearTimeout(w.timer);
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(r.value);
      }
    });
    conn.on('close', () => {
      this.closed = true;
      for (const w of this.waiters) (clearTimeout(w.timer), w.reject(new Error('order channel closed while waiting')));
      this.waiters = [];
    });
  }

  /** Opens an order channel from `peer` (signed in) and waits for the relay's Welcome. */
  static async open(peer: PeerLike, options: object = ORDER_CHANNEL_CONNECT_OPTIONS, timeoutMs = 15_000): Promise<OrderChannelClient> {
    const conn = (peer as unknown as { connect(id: string, o: object): DataConnLike }).connect(RELAY_ORDER_PEER_ID, options);
    const client = new OrderChannelClient(peer, conn);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('order channel did not open')), timeoutMs);
      conn.on('open', () => (clearTimeout(timer), resolve()));
      conn.on('error', (e) => (clearTimeout(timer), reject(e)));
    });
    await client.next((m) => m.type === 'welcome' || m.type === 'error', timeoutMs);
    return client;
  }

  send(msg: ClientMsg): void {
    this.conn.send(encodeClient(msg));
  }

  /** First message (received or future) matching `match`. */
  next(match: (m: ServerMsg) => boolean, timeoutMs = 10_000): Promise<ServerMsg> {
    const seen = this.received.find(match);
    if (seen) return Promise.resolve(seen);
    if (this.closed) return Promise.reject(new Error('order channel closed'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.timer !== timer);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for a message on the order channel`));
      }, timeoutMs);
      this.waiters.push({ match, resolve, reject, timer });
    });
  }

  error(code: string, requestId?: number): Promise<ServerMsg> {
    return this.next((m) => m.type === 'error' && m.code === code && (requestId === undefined || m.requestId === requestId));
  }

  /** Resolves once the channel is closed (by either side). */
  async whenClosed(timeoutMs = 10_000): Promise<void> {
    const start = Date.now();
    while (!this.closed) {
      if (Date.now() - start > timeoutMs) throw new Error('order channel did not close');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Cuts the path abruptly: the WebRTC connection goes, nothing is flushed or said. */
  cut(): void {
    void this.conn.peerConnection.close();
  }

  destroy(): void {
    this.conn.close();
    this.peer.destroy();
  }
}
