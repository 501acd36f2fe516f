import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { nuid } from '@nats-io/transport-node';
import { PRESENCE_SUBJECT } from './subjects';

/** How often an edge repeats its whole presence, and how long the OMS node trusts it. */
export const PRESENCE_EVERY_MS = 1000;
export const PRESENCE_TTL_MS = 3000;

/** What an edge says: how many sessions each account holds on it now (all of them, or one that changed). */
interface PresenceMsg {
  edge: string;
  accounts: Record<string, number>;
  /** Every account of the edge (the heartbeat): one not listed holds no session there. */
  full: boolean;
}

/**
 * Edge side of cancel-on-disconnect across a cluster: the sessions each account holds on this
 * edge, published on every change and in full every PRESENCE_EVERY_MS (a heartbeat: an edge
 * killed -9 stops saying anything, and the OMS node forgets its sessions after PRESENCE_TTL_MS).
 */
export class EdgePresence {
  private readonly edge = nuid.next();
  private readonly counts = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly nc: NatsConnection) {}

  start(): void {
    this.timer = setInterval(() => this.publish(Object.fromEntries(this.counts), true), PRESENCE_EVERY_MS);
    this.timer.unref();
  }

  /** The account now holds `count` sessions on this edge. */
  set(account: string, count: number): void {
    if (count > 0) this.counts.set(account, count);
    else this.counts.delete(account);
    this.publish({ [account]: count }, false);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private publish(accounts: Record<string, number>, full: boolean): void {
    if (this.nc.isClosed()) return;
    this.nc.publish(PRESENCE_SUBJECT, JSON.stringify({ edge: this.edge, accounts, full } satisfies PresenceMsg));
  }
}

/**
 * OMS node side: the sessions each account holds on every edge, from their presence. When an
 * account's count across the edges falls to 0 (its last session closed, or its last edge went
 * silent), `onGone` decides (the relay: cancel-on-disconnect if the account has it and holds no
 * session on the OMS node itself).
 */
export class OmsPresence {
  private readonly edges = new Map<string, { accounts: Map<string, number>; heardMs: number }>();
  private sub: Subscription | undefined;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly onGone: (account: string) => void,
    private readonly nowMs: () => number = Date.now,
  ) {}

  start(): void {
    this.sub = this.nc.subscribe(PRESENCE_SUBJECT, {
      callback: (_err, m) => {
        let msg: PresenceMsg;
        try {
          msg = JSON.parse(new TextDecoder().decode(m.data)) as PresenceMsg;
        } catch {
          return;
        }
        if (typeof msg.edge !== 'string' || typeof msg.accounts !== 'object' || msg.accounts === null) return;
        this.apply(msg);
      },
    });
    this.sweeper = setInterval(() => this.sweep(), PRESENCE_EVERY_MS / 2);
    this.sweeper.unref();
  }

  /** Sessions `account` holds on all edges heard from within PRESENCE_TTL_MS. */
  sessions(account: string): number {
    let n = 0;
    for (const e of this.edges.values()) n += e.accounts.get(account) ?? 0;
    return n;
  }

  stop(): void {
    this.sub?.unsubscribe();
    clearInterval(this.sweeper);
  }

  private apply(msg: PresenceMsg): void {
    let e = this.edges.get(msg.edge);
    if (!e) this.edges.set(msg.edge, (e = { accounts: new Map(), heardMs: 0 }));
    e.heardMs = this.nowMs();
    const counts = Object.entries(msg.accounts);
    if (msg.full === true) for (const account of e.accounts.keys()) if (!(account in msg.accounts)) counts.push([account, 0]);
    for (const [account, count] of counts) {
      if (typeof count !== 'number') continue;
      const before = this.sessions(account);
      if (count > 0) e.accounts.set(account, count);
      else e.accounts.delete(account);
      if (before > 0 && this.sessions(account) === 0) this.onGone(account);
    }
  }

  private sweep(): void {
    const now = this.nowMs();
    for (const [id, e] of this.edges) {
      if (now - e.heardMs <= PRESENCE_TTL_MS) continue;
      this.edges.delete(id);
      for (const account of e.accounts.keys()) if (this.sessions(account) === 0) this.onGone(account);
    }
  }
}
