import type { NatsConnection } from '@nats-io/transport-node';
import type { Signalling } from '../server/signalling/index';
import { NodeTableReceiver, NodeTableSender } from './node-table';
import { PEER_DIRECTORY_SUBJECT } from './subjects';

/** How often a relay repeats its whole peer list, and how long the others trust it. */
export const DIRECTORY_EVERY_MS = 1000;
export const DIRECTORY_TTL_MS = 3000;

/**
 * The PeerJS peers of every relay of the cluster (a node table: peer id → account). Each relay
 * publishes its own signalling's peers on every change and in full every DIRECTORY_EVERY_MS (a
 * heartbeat: a relay killed -9 says nothing more, and the others forget its peers after
 * DIRECTORY_TTL_MS), and hears the others'. Signals to a peer go to the node holding it
 * (signal-bridge.ts); the mesh hub accepts a hello only for an id some relay has registered by
 * the session's own account.
 */
export class PeerDirectory {
  private readonly goneListeners: ((peerId: string) => void)[] = [];
  private readonly own: NodeTableSender<string>;
  private readonly others: NodeTableReceiver<string>;
  private unlisten: (() => void) | undefined;

  constructor(
    nc: NatsConnection,
    /** This relay's id in the cluster (its signal and mesh subjects end with it). */
    readonly node: string,
    private readonly signalling: Signalling,
    nowMs: () => number = Date.now,
  ) {
    this.own = new NodeTableSender(nc, PEER_DIRECTORY_SUBJECT, node, DIRECTORY_EVERY_MS, () => signalling.peers().map((p) => [p.id, p.account]));
    this.others = new NodeTableReceiver(nc, PEER_DIRECTORY_SUBJECT, {
      self: node, ttlMs: DIRECTORY_TTL_MS, sweepMs: DIRECTORY_EVERY_MS, isValue: (v): v is string => typeof v === 'string', nowMs,
    });
    // Gone from the cluster only when no other relay holds it either (a tab moved relays).
    this.others.onRemoved((peerId) => {
      if (this.nodeOf(peerId) === undefined) for (const l of this.goneListeners) l(peerId);
    });
  }

  start(): void {
    this.unlisten = this.signalling.onPeer((e) => {
      if (e.type === 'open') this.own.set(e.peer.id, e.peer.account);
      // A reclaim closes the old socket after the new one opened: the id is still held.
      else if (!this.signalling.peers().some((p) => p.id === e.peer.id)) this.own.remove(e.peer.id);
    });
    this.others.start();
    this.own.start();
  }

  stop(): void {
    this.unlisten?.();
    this.others.stop();
    this.own.stop();
  }

  /** The node (other than this one) holding `peerId`, or undefined. */
  nodeOf(peerId: string): string | undefined {
    for (const [node, peers] of this.others.tables()) if (peers.has(peerId)) return node;
    return undefined;
  }

  /** True when another relay holds `peerId` registered by `account`. */
  holds(peerId: string, account: string): boolean {
    for (const [, peers] of this.others.tables()) if (peers.get(peerId) === account) return true;
    return false;
  }

  /** True while `node` was heard within DIRECTORY_TTL_MS. */
  isAlive(node: string): boolean {
    return this.others.isAlive(node);
  }

  /** A peer of another relay is gone (it left, or its relay went silent). */
  onGone(listener: (peerId: string) => void): void {
    this.goneListeners.push(listener);
  }

  /** Another relay went silent past DIRECTORY_TTL_MS (after its peers' onGone). */
  onNodeGone(listener: (node: string) => void): void {
    this.others.onNodeGone(listener);
  }
}
