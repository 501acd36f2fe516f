import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Signalling } from '../server/signalling/index';
import { PEER_DIRECTORY_SUBJECT } from './subjects';

/** How often a relay repeats its whole peer list, and how long the others trust it. */
export const DIRECTORY_EVERY_MS = 1000;
export const DIRECTORY_TTL_MS = 3000;

/** What a relay says: peers registered (`add`, [id, account]) and gone (`remove`); `full` lists all it holds. */
interface DirectoryMsg {
  node: string;
  add: [string, string][];
  remove: string[];
  full: boolean;
}

/**
 * The PeerJS peers of every relay of the cluster. Each relay publishes its own signalling's
 * peers on every change and in full every DIRECTORY_EVERY_MS (a heartbeat: a relay killed -9
 * says nothing more, and the others forget its peers after DIRECTORY_TTL_MS), and hears the
 * others'. Signals to a peer go to the node holding it (signal-bridge.ts); the mesh hub accepts
 * a hello only for an id some relay has registered by the session's own account.
 */
export class PeerDirectory {
  private readonly nodes = new Map<string, { peers: Map<string, string>; heardMs: number }>();
  private readonly goneListeners: ((peerId: string) => void)[] = [];
  private readonly nodeGoneListeners: ((node: string) => void)[] = [];
  private readonly pending: DirectoryMsg;
  private sub: Subscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  private unlisten: (() => void) | undefined;
  private flushQueued = false;

  constructor(
    private readonly nc: NatsConnection,
    /** This relay's id in the cluster (its signal and mesh subjects end with it). */
    readonly node: string,
    private readonly signalling: Signalling,
    private readonly nowMs: () => number = Date.now,
  ) {
    this.pending = { node, add: [], remove: [], full: false };
  }

  start(): void {
    this.unlisten = this.signalling.onPeer((e) => {
      if (e.type === 'open') this.pending.add.push([e.peer.id, e.peer.account]);
      else if (!this.signalling.peers().some((p) => p.id === e.peer.id)) this.pending.remove.push(e.peer.id);
      // Several changes in one turn (a reclaim closes and opens) go out as one message.
      if (!this.flushQueued) {
        this.flushQueued = true;
        queueMicrotask(() => this.flush());
      }
    });
    this.sub = this.nc.subscribe(PEER_DIRECTORY_SUBJECT, { callback: (_err, m) => this.hear(m.data) });
    this.timer = setInterval(() => {
      this.publish({ node: this.node, add: this.signalling.peers().map((p) => [p.id, p.account]), remove: [], full: true });
      this.sweep();
    }, DIRECTORY_EVERY_MS);
    this.timer.unref();
    this.publish({ node: this.node, add: this.signalling.peers().map((p) => [p.id, p.account]), remove: [], full: true });
  }

  stop(): void {
    this.unlisten?.();
    this.sub?.unsubscribe();
    clearInterval(this.timer);
  }

  /** The node (other than this one) holding `peerId`, or undefined. */
  nodeOf(peerId: string): string | undefined {
    for (const [node, n] of this.nodes) if (n.peers.has(peerId)) return node;
    return undefined;
  }

  /** True when another relay holds `peerId` registered by `account`. */
  holds(peerId: string, account: string): boolean {
    for (const n of this.nodes.values()) if (n.peers.get(peerId) === account) return true;
    return false;
  }

  /** True while `node` was heard within DIRECTORY_TTL_MS. */
  isAlive(node: string): boolean {
    return this.nodes.has(node);
  }

  /** A peer of another relay is gone (it left, or its relay went silent). */
  onGone(listener: (peerId: string) => void): void {
    this.goneListeners.push(listener);
  }

  /** Another relay went silent past DIRECTORY_TTL_MS (after its peers' onGone). */
  onNodeGone(listener: (node: string) => void): void {
    this.nodeGoneListeners.push(listener);
  }

  private flush(): void {
    this.flushQueued = false;
    const msg = { ...this.pending };
    this.pending.add = [];
    this.pending.remove = [];
    this.publish(msg);
  }

  private publish(msg: DirectoryMsg): void {
    if (!this.nc.isClosed()) this.nc.publish(PEER_DIRECTORY_SUBJECT, JSON.stringify(msg));
  }

  private hear(data: Uint8Array): void {
    let msg: DirectoryMsg;
    try {
      msg = JSON.parse(new TextDecoder().decode(data)) as DirectoryMsg;
    } catch {
      return;
    }
    if (typeof msg.node !== 'string' || msg.node === this.node || !Array.isArray(msg.add) || !Array.isArray(msg.remove)) return;
    let n = this.nodes.get(msg.node);
    if (!n) this.nodes.set(msg.node, (n = { peers: new Map(), heardMs: 0 }));
    n.heardMs = this.nowMs();
    const gone: string[] = [];
    if (msg.full === true) {
      const listed = new Set(msg.add.map((e) => e[0]));
      for (const id of n.peers.keys()) if (!listed.has(id)) gone.push(id);
    }
    for (const e of msg.add) if (Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'string') n.peers.set(e[0], e[1]);
    for (const id of msg.remove) if (typeof id === 'string') gone.push(id);
    for (const id of gone) if (n.peers.delete(id)) this.gone(id);
  }

  private sweep(): void {
    const now = this.nowMs();
    for (const [node, n] of this.nodes) {
      if (now - n.heardMs <= DIRECTORY_TTL_MS) continue;
      this.nodes.delete(node);
      for (const id of n.peers.keys()) this.gone(id);
      for (const l of this.nodeGoneListeners) l(node);
    }
  }

  private gone(peerId: string): void {
    if (this.nodeOf(peerId) !== undefined) return;
    for (const l of this.goneListeners) l(peerId);
  }
}
