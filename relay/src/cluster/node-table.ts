import type { NatsConnection, Subscription } from '@nats-io/transport-node';

/**
 * What one node says of its entries on a table's subject: some set or removed (a change), or
 * all of them (`full`, the heartbeat: an entry it does not list is gone).
 */
interface NodeTableMsg<V> {
  node: string;
  set: [string, V][];
  remove: string[];
  full: boolean;
}

/**
 * A node's own entries, told to the cluster: each change (those of one turn in one message)
 * and everything every `everyMs`. The heartbeat is what tells the others the node is alive: a
 * node killed -9 says nothing more, and its entries are forgotten after the receivers' TTL.
 * The peer directory (PeerJS ids → account) and session presence (account → sessions) are two.
 */
export class NodeTableSender<V> {
  private readonly pending: NodeTableMsg<V>;
  private flushQueued = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly subject: string,
    readonly node: string,
    private readonly everyMs: number,
    /** Every entry the node holds now. */
    private readonly all: () => [string, V][],
  ) {
    this.pending = { node, set: [], remove: [], full: false };
  }

  start(): void {
    this.timer = setInterval(() => this.publishAll(), this.everyMs);
    this.timer.unref();
    this.publishAll();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  set(key: string, value: V): void {
    this.pending.set.push([key, value]);
    this.queue();
  }

  remove(key: string): void {
    this.pending.remove.push(key);
    this.queue();
  }

  private queue(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => {
      this.flushQueued = false;
      this.publish({ ...this.pending });
      this.pending.set = [];
      this.pending.remove = [];
    });
  }

  private publishAll(): void {
    this.publish({ node: this.node, set: this.all(), remove: [], full: true });
  }

  private publish(msg: NodeTableMsg<V>): void {
    if (!this.nc.isClosed()) this.nc.publish(this.subject, JSON.stringify(msg));
  }
}

export interface NodeTableReceiverOptions<V> {
  /** This node's own id: its messages are not its own table's input. */
  self?: string;
  /** A node not heard for longer is forgotten with all its entries. */
  ttlMs: number;
  /** How often silent nodes are looked for. */
  sweepMs: number;
  /** Whether a value off the wire is one (anything else is ignored). */
  isValue: (v: unknown) => v is V;
  nowMs?: () => number;
}

/**
 * Every other node's entries, as last heard on a table's subject. `onRemoved` hears each entry
 * that went (removed, left out of a heartbeat, or its node went silent), after the table
 * changed, so a listener can ask whether another node still holds the key.
 */
export class NodeTableReceiver<V> {
  private readonly nodes = new Map<string, { entries: Map<string, V>; heardMs: number }>();
  private readonly removedListeners: ((key: string, node: string) => void)[] = [];
  private readonly nodeGoneListeners: ((node: string) => void)[] = [];
  private readonly nowMs: () => number;
  private sub: Subscription | undefined;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly subject: string,
    private readonly options: NodeTableReceiverOptions<V>,
  ) {
    this.nowMs = options.nowMs ?? Date.now;
  }

  start(): void {
    this.sub = this.nc.subscribe(this.subject, { callback: (_err, m) => this.hear(m.data) });
    this.sweeper = setInterval(() => this.sweep(), this.options.sweepMs);
    this.sweeper.unref();
  }

  stop(): void {
    this.sub?.unsubscribe();
    clearInterval(this.sweeper);
  }

  onRemoved(listener: (key: string, node: string) => void): void {
    this.removedListeners.push(listener);
  }

  /** A node went silent past the TTL (after its entries' onRemoved). */
  onNodeGone(listener: (node: string) => void): void {
    this.nodeGoneListeners.push(listener);
  }

  /** True while `node` was heard within the TTL. */
  isAlive(node: string): boolean {
    return this.nodes.has(node);
  }

  /** Each live node's entries. */
  *tables(): IterableIterator<[node: string, entries: ReadonlyMap<string, V>]> {
    for (const [node, n] of this.nodes) yield [node, n.entries];
  }

  private hear(data: Uint8Array): void {
    let msg: NodeTableMsg<unknown>;
    try {
      msg = JSON.parse(new TextDecoder().decode(data)) as NodeTableMsg<unknown>;
    } catch {
      return;
    }
    if (typeof msg.node !== 'string' || msg.node === this.options.self || !Array.isArray(msg.set) || !Array.isArray(msg.remove)) return;
    let n = this.nodes.get(msg.node);
    if (!n) this.nodes.set(msg.node, (n = { entries: new Map(), heardMs: 0 }));
    n.heardMs = this.nowMs();
    const gone: string[] = [];
    if (msg.full === true) {
      const listed = new Set(msg.set.map((e) => (Array.isArray(e) ? e[0] : undefined)));
      for (const key of n.entries.keys()) if (!listed.has(key)) gone.push(key);
    }
    for (const e of msg.set) if (Array.isArray(e) && typeof e[0] === 'string' && this.options.isValue(e[1])) n.entries.set(e[0], e[1]);
    for (const key of msg.remove) if (typeof key === 'string') gone.push(key);
    for (const key of gone) if (n.entries.delete(key)) this.removed(key, msg.node);
  }

  private sweep(): void {
    const now = this.nowMs();
    for (const [node, n] of this.nodes) {
      if (now - n.heardMs <= this.options.ttlMs) continue;
      this.nodes.delete(node);
      for (const key of n.entries.keys()) this.removed(key, node);
      for (const l of this.nodeGoneListeners) l(node);
    }
  }

  private removed(key: string, node: string): void {
    for (const l of this.removedListeners) l(key, node);
  }
}
