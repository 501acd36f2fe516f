import type { NatsConnection } from '@nats-io/transport-node';
import { nuid } from '@nats-io/transport-node';
import { NodeTableReceiver, NodeTableSender } from './node-table';
import { PRESENCE_SUBJECT } from './subjects';

/** How often an edge repeats its whole presence, and how long the OMS node trusts it. */
export const PRESENCE_EVERY_MS = 1000;
export const PRESENCE_TTL_MS = 3000;

/**
 * Edge side of cancel-on-disconnect across a cluster: the sessions each account holds on this
 * edge (a node table: account → sessions), published on every change and in full every
 * PRESENCE_EVERY_MS (a heartbeat: an edge killed -9 stops saying anything, and the OMS node
 * forgets its sessions after PRESENCE_TTL_MS).
 */
export class EdgePresence {
  private readonly counts = new Map<string, number>();
  private readonly table: NodeTableSender<number>;

  constructor(nc: NatsConnection) {
    this.table = new NodeTableSender(nc, PRESENCE_SUBJECT, nuid.next(), PRESENCE_EVERY_MS, () => [...this.counts]);
  }

  start(): void {
    this.table.start();
  }

  /** The account now holds `count` sessions on this edge. */
  set(account: string, count: number): void {
    if (count > 0) {
      this.counts.set(account, count);
      this.table.set(account, count);
    } else if (this.counts.delete(account)) {
      this.table.remove(account);
    }
  }

  stop(): void {
    this.table.stop();
  }
}

/**
 * OMS node side: the sessions each account holds on every edge, from their presence. When an
 * account's count across the edges falls to 0 (its last session closed, or its last edge went
 * silent), `onGone` decides (the relay: cancel-on-disconnect if the account has it and holds no
 * session on the OMS node itself).
 */
export class OmsPresence {
  private readonly edges: NodeTableReceiver<number>;

  constructor(nc: NatsConnection, onGone: (account: string) => void, nowMs: () => number = Date.now) {
    this.edges = new NodeTableReceiver(nc, PRESENCE_SUBJECT, {
      ttlMs: PRESENCE_TTL_MS, sweepMs: PRESENCE_EVERY_MS / 2, isValue: (v): v is number => typeof v === 'number' && v > 0, nowMs,
    });
    this.edges.onRemoved((account) => this.sessions(account) === 0 && onGone(account));
  }

  start(): void {
    this.edges.start();
  }

  /** Sessions `account` holds on all edges heard from within PRESENCE_TTL_MS. */
  sessions(account: string): number {
    let n = 0;
    for (const [, accounts] of this.edges.tables()) n += accounts.get(account) ?? 0;
    return n;
  }

  stop(): void {
    this.edges.stop();
  }
}
