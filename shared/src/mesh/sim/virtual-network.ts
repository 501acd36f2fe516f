import { ErrorCode } from '../../model/codes';
import type { RandomSource } from '../../model/random';
import { RELAY_PEER_ID, type MeshLinkHandler, type MeshTransport } from '../mesh-transport';
import type { EventQueue } from './event-queue';

/** Options of the in-process network. */
export interface VirtualNetworkOptions {
  rand: RandomSource;
  /** One-way latency range of a link in ms; each link draws once. Default [0.2, 2]. */
  minLatencyMs?: number;
  maxLatencyMs?: number;
  /** Share of peer-to-peer messages lost (unreliable data channels). Relay links are reliable (TCP). Default 0. */
  lossRate?: number;
  /** Per-direction link bandwidth in bytes per ms; models bufferedAmount. Default Infinity. */
  bytesPerMs?: number;
}

interface Link {
  open: boolean;
  latency: number;
  /** Per direction (0: low id -> high id, 1: back): last delivery time (FIFO) and send-queue end. */
  lastDeliver: [number, number];
  busyUntil: [number, number];
}

/** Per endpoint traffic counters. */
export interface EndpointTraffic {
  sentMessages: number;
  sentBytes: number;
}

/**
 * In-process links between mesh endpoints on a virtual clock: per-link latency, FIFO order per
 * direction, loss on peer-to-peer links, optional bandwidth (so bufferedAmount and backpressure
 * are exercised), connection set-up of one round trip, and endpoints that vanish abruptly.
 * Every endpoint has a relay link open from the start (its WebSocket).
 */
export class VirtualNetwork {
  private readonly handlers = new Map<string, MeshLinkHandler | undefined>();
  private readonly links = new Map<string, Link>();
  private readonly opening = new Set<string>();
  private readonly latencies = new Map<string, number>();
  private readonly traffic = new Map<string, EndpointTraffic>();
  private readonly opts: Required<VirtualNetworkOptions>;

  constructor(readonly queue: EventQueue, options: VirtualNetworkOptions) {
    this.opts = { minLatencyMs: 0.2, maxLatencyMs: 2, lossRate: 0, bytesPerMs: Infinity, ...options };
  }

  /** Adds an endpoint; bind its handler before the queue runs. The relay link opens at once. */
  add(id: string, handler?: MeshLinkHandler): MeshTransport {
    this.handlers.set(id, handler);
    this.traffic.set(id, { sentMessages: 0, sentBytes: 0 });
    if (id !== RELAY_PEER_ID && this.handlers.has(RELAY_PEER_ID)) this.links.set(key(id, RELAY_PEER_ID), this.newLink(id, RELAY_PEER_ID, true));
    const net = this;
    return {
      connect: (peerId) => net.connect(id, peerId),
      disconnect: (peerId, code) => net.disconnect(id, peerId, code),
      send: (peerId, bytes) => net.send(id, peerId, bytes),
      bufferedAmount: (peerId) => net.bufferedAmount(id, peerId),
      isOpen: (peerId) => net.links.get(key(id, peerId))?.open ?? false,
    };
  }

  bind(id: string, handler: MeshLinkHandler): void {
    this.handlers.set(id, handler);
  }

  isUp(id: string): boolean {
    return this.handlers.has(id);
  }

  trafficOf(id: string): EndpointTraffic {
    return this.traffic.get(id) ?? { sentMessages: 0, sentBytes: 0 };
  }

  /** One-way latency between two endpoints (drawn once per pair). */
  latency(a: string, b: string): number {
    const k = key(a, b);
    let l = this.latencies.get(k);
    if (l === undefined) {
      l = this.opts.minLatencyMs + this.opts.rand() * (this.opts.maxLatencyMs - this.opts.minLatencyMs);
      this.latencies.set(k, l);
    }
    return l;
  }

  /** The endpoint vanishes: its links close, and the far ends notice after `noticeMs`. */
  remove(id: string, noticeMs: number, code: string = ErrorCode.MESH_PEER_CLOSED): void {
    this.handlers.delete(id);
    for (const [k, link] of this.links) {
      const [a, b] = k.split('\n') as [string, string];
      if (a !== id && b !== id) continue;
      link.open = false;
      this.links.delete(k);
      const other = a === id ? b : a;
      this.queue.setTimer(noticeMs + link.latency, () => this.handlers.get(other)?.onClose(id, code));
    }
  }

  private newLink(a: string, b: string, open: boolean): Link {
    return { open, latency: this.latency(a, b), lastDeliver: [0, 0], busyUntil: [0, 0] };
  }

  private connect(from: string, to: string): void {
    const k = key(from, to);
    if (this.links.get(k)?.open || this.opening.has(k) || from === to) return;
    const lat = this.latency(from, to);
    if (!this.handlers.has(to)) {
      this.queue.setTimer(2 * lat, () => this.handlers.get(from)?.onClose(to, ErrorCode.MESH_PEER_CLOSED));
      return;
    }
    this.opening.add(k);
    // Offer/answer over signalling plus ICE: modelled as one round trip.
    this.queue.setTimer(2 * lat, () => {
      this.opening.delete(k);
      if (!this.handlers.has(from) || !this.handlers.has(to)) {
        if (this.handlers.has(from)) this.handlers.get(from)?.onClose(to, ErrorCode.MESH_PEER_CLOSED);
        return;
      }
      if (this.links.get(k)?.open) return;
      this.links.set(k, this.newLink(from, to, true));
      this.handlers.get(from)?.onOpen(to);
      this.handlers.get(to)?.onOpen(from);
    });
  }

  private disconnect(from: string, to: string, code: string): void {
    const k = key(from, to);
    const link = this.links.get(k);
    if (!link) return;
    link.open = false;
    this.links.delete(k);
    this.queue.setTimer(link.latency, () => this.handlers.get(to)?.onClose(from, code));
  }

  private send(from: string, to: string, bytes: Uint8Array): void {
    const k = key(from, to);
    const link = this.links.get(k);
    if (!link?.open || !this.handlers.has(from)) return;
    const t = this.traffic.get(from)!;
    t.sentMessages++;
    t.sentBytes += bytes.length;
    if (from !== RELAY_PEER_ID && to !== RELAY_PEER_ID && this.opts.lossRate > 0 && this.opts.rand() < this.opts.lossRate) return;
    const dir = from < to ? 0 : 1;
    const now = this.queue.now();
    const bw = this.opts.bytesPerMs;
    const departure = bw === Infinity ? now : Math.max(now, link.busyUntil[dir]) + bytes.length / bw;
    link.busyUntil[dir] = departure;
    const at = Math.max(departure + link.latency, link.lastDeliver[dir]);
    link.lastDeliver[dir] = at;
    this.queue.at(at, () => {
      if (this.links.get(k) !== link || !link.open) return;
      this.handlers.get(to)?.onMessage(from, bytes);
    });
    if (departure > now) {
      this.queue.at(departure, () => {
        if (this.links.get(k) === link && link.busyUntil[dir] <= this.queue.now()) this.handlers.get(from)?.onDrain(to);
      });
    }
  }

  private bufferedAmount(from: string, to: string): number {
    const link = this.links.get(key(from, to));
    if (!link || this.opts.bytesPerMs === Infinity) return 0;
    const dir = from < to ? 0 : 1;
    return Math.max(0, link.busyUntil[dir] - this.queue.now()) * this.opts.bytesPerMs;
  }
}

function key(a: string, b: string): string {
  return a < b ? `${a}\n${b}` : `${b}\n${a}`;
}
