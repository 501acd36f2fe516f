import { ORDER_CHANNEL_CONNECT_OPTIONS, RELAY_ORDER_PEER_ID } from '@tickmesh/shared';
import * as Comlink from 'comlink';
import type { DataConnection, Peer } from 'peerjs';
import type { OrderCarrier, OrderRouteStats } from '../workers/order-route';
import type { TerminalWorkerApi } from '../workers/terminal-api';

const SETTING_KEY = 'tickmesh.orderTransport';
/** A channel that has not opened (Welcome included) by then is given up: orders stay on /ws. */
export const CHANNEL_OPEN_TIMEOUT_MS = 1000;
/** `peer` tries again this long after a failure; `auto` does not (it takes the channel only where it works at once). */
const PEER_RETRY_MS = 5000;
/** How often the signalling sign-in is renewed with the worker's refreshed token (the relay re-checks the token on every order). */
const TOKEN_CHECK_MS = 30_000;

/** `ws`: orders on the WebSocket; `peer`: on the relay's order channel, /ws while it is down; `auto`: the channel when it opens at once, else /ws. */
export type OrderTransportSetting = 'ws' | 'peer' | 'auto';
export const ORDER_TRANSPORT_SETTINGS: readonly OrderTransportSetting[] = ['ws', 'peer', 'auto'];

type ChannelWorkerApi = Required<Pick<TerminalWorkerApi, 'setOrderChannel' | 'orderChannelData' | 'orderRouteStats' | 'meshToken'>>;

/**
 * The main thread's half of the order channel: a WebRTC data channel to the relay itself
 * (its peer `tickmesh-relay` on /peerjs), never through another peer. PeerJS runs here
 * (RTCPeerConnection is main-thread only); each frame is handed to the worker (transferred,
 * not copied), which decides where orders go (workers/order-route.ts). Only order requests
 * and their reports use it, a few frames a second, so the hop through this thread is cheap;
 * market data never does.
 *
 * Fallback: a channel not open within CHANNEL_OPEN_TIMEOUT_MS, closed, or (the worker says)
 * leaving an order unanswered for 1 s is dropped and orders go on /ws at once.
 */
class OrderTransport {
  setting = $state<OrderTransportSetting>('ws');
  /** What carries orders now. */
  carrier = $state<OrderCarrier>('ws');
  /** Why the channel is not in use (empty when it is, or when not wanted). */
  note = $state('');

  private api: Comlink.Remote<ChannelWorkerApi> | undefined;
  private peer: Peer | undefined;
  private conn: DataConnection | undefined;
  private token = '';
  private generation = 0;
  private timers: ReturnType<typeof setTimeout>[] = [];

  constructor() {
    try {
      const q = typeof location === 'undefined' ? null : new URL(location.href).searchParams.get('orders');
      const stored = typeof localStorage === 'undefined' ? null : localStorage.getItem(SETTING_KEY);
      const chosen = q ?? stored;
      if (chosen === 'ws' || chosen === 'peer' || chosen === 'auto') this.setting = chosen;
    } catch {
      this.setting = 'ws';
    }
  }

  /** The terminal's worker started (signed in) or stopped (undefined). */
  attach(api: Comlink.Remote<TerminalWorkerApi> | undefined): void {
    this.stop();
    this.api = api as unknown as Comlink.Remote<ChannelWorkerApi> | undefined;
    if (this.api && this.setting !== 'ws') void this.start();
  }

  /** The select's choice (remembered). */
  choose(setting: OrderTransportSetting): void {
    this.setting = setting;
    try {
      localStorage.setItem(SETTING_KEY, setting);
    } catch {
      // Not remembering the choice is harmless.
    }
    const api = this.api;
    this.stop();
    this.api = api;
    if (api && setting !== 'ws') void this.start();
  }

  /** Diagnostics: the worker's counts of what went where. */
  async stats(): Promise<OrderRouteStats | undefined> {
    return this.api?.orderRouteStats();
  }

  /** Test hook: closes the channel as a failure would (the fallback runs). */
  cut(): void {
    this.conn?.close();
  }

  private later(fn: () => void, ms: number): void {
    this.timers.push(setTimeout(fn, ms));
  }

  private async start(): Promise<void> {
    const api = this.api;
    if (!api) return;
    const generation = ++this.generation;
    const current = () => generation === this.generation;
    this.later(() => current() && this.carrier !== 'peer' && this.fail('the order channel did not open within 1 s'), CHANNEL_OPEN_TIMEOUT_MS);
    try {
      const token = await api.meshToken();
      if (!token) throw new Error('no access token yet');
      const res = await fetch('/peerjs/peerjs/id', { headers: { authorization: `Bearer ${token}` } });
      if (!res.ok) throw new Error(`peer id: HTTP ${res.status}`);
      const id = (await res.text()).trim();
      const { Peer } = await import('peerjs');
      if (!current()) return;
      const url = new URL(location.origin);
      const secure = url.protocol === 'https:';
      // No ICE servers: the relay answers with its own host addresses; where UDP cannot reach it, /ws carries orders.
      const peer = new Peer(id, { host: url.hostname, port: Number(url.port || (secure ? 443 : 80)), secure, path: '/peerjs', key: 'peerjs', token, config: { iceServers: [] }, debug: 0 });
      this.peer = peer;
      this.token = token;
      // A negotiation hiccup ('webrtc': one candidate refused) is not the channel failing: the open timeout and the connection's close decide.
      peer.on('error', (e: Error & { type?: string }) => current() && e.type !== 'webrtc' && this.fail(`${e.type ?? 'error'}: ${e.message}`));
      peer.on('open', () => {
        if (!current() || this.conn) return;
        const conn = peer.connect(RELAY_ORDER_PEER_ID, { ...ORDER_CHANNEL_CONNECT_OPTIONS });
        this.conn = conn;
        conn.on('open', () => {
          if (!current()) return;
          void api.setOrderChannel(Comlink.proxy({ send: (bytes: Uint8Array) => conn.send(bytes), lost: () => current() && this.fail('the relay left an order unanswered for 1 s') }));
        });
        conn.on('data', (data) => {
          if (!current() || !(data instanceof ArrayBuffer)) return;
          void api.orderChannelData(Comlink.transfer(data, [data])).then((carrier) => {
            if (!current()) return;
            this.carrier = carrier;
            if (carrier === 'peer') this.note = '';
          });
        });
        conn.on('close', () => current() && this.fail('the order channel closed'));
        conn.on('error', (e) => current() && this.fail(e.message));
      });
      this.later(() => void this.renewToken(generation), TOKEN_CHECK_MS);
    } catch (e) {
      if (current()) this.fail(e instanceof Error ? e.message : String(e));
    }
  }

  /** A refreshed token: sign in again under the same id (a reclaim; the channel stays up) so the relay's per-order check passes. */
  private async renewToken(generation: number): Promise<void> {
    if (generation !== this.generation) return;
    const token = await this.api?.meshToken();
    const peer = this.peer;
    if (peer && token && token !== this.token && !peer.destroyed) {
      this.token = token;
      peer.disconnect();
      (peer as unknown as { options: { token: string } }).options.token = token;
      peer.reconnect();
    }
    this.later(() => void this.renewToken(generation), TOKEN_CHECK_MS);
  }

  /** The channel failed: orders on /ws now; `peer` tries again later. */
  private fail(why: string): void {
    const setting = this.setting;
    const api = this.api;
    this.stop();
    this.api = api;
    this.note = why;
    if (setting === 'peer' && api) this.later(() => this.api === api && this.setting === 'peer' && void this.start(), PEER_RETRY_MS);
  }

  private stop(): void {
    this.generation++;
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    const had = this.conn !== undefined;
    this.conn?.close();
    this.conn = undefined;
    this.peer?.destroy();
    this.peer = undefined;
    this.carrier = 'ws';
    this.note = '';
    if (had) void this.api?.setOrderChannel(null);
    this.api = undefined;
  }
}

export const orderTransport = new OrderTransport();

// Diagnostics hook (support, and the browser test): the carrier and the setting.
(globalThis as { tickmeshOrderTransport?: () => { setting: string; carrier: string; note: string } }).tickmeshOrderTransport = () => ({ setting: orderTransport.setting, carrier: orderTransport.carrier, note: orderTransport.note });
(globalThis as { tickmeshOrderRouteStats?: () => Promise<OrderRouteStats | undefined> }).tickmeshOrderRouteStats = () => orderTransport.stats();
(globalThis as { tickmeshOrderChannelCut?: () => void }).tickmeshOrderChannelCut = () => orderTransport.cut();
