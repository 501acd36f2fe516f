import type { NatsConnection } from '@nats-io/transport-node';
import { Kvm, type KV } from '@nats-io/kv';

/** The KV bucket of the OMS lease, and its one key. */
export const OMS_LEASE_BUCKET = 'tickmesh_oms';
const ACTIVE_KEY = 'active';

/** What the lease says about its holder. */
export interface LeaseHolder {
  /** The node's id (host:pid). */
  node: string;
}

/**
 * Which OMS node is active: a key in a JetStream KV bucket whose entries expire after
 * `leaseMs` (the bucket's max age). The active renews it every leaseMs / 3 with a
 * compare-and-set on its revision; a standby's create succeeds only once the key is gone,
 * deleted by a stopping active or expired after a dead one. The journal stream's expected
 * last sequence (journal-replica.ts) is the second fence: even two nodes that both believed
 * they were active could not both append.
 */
export class OmsLease {
  private revision = 0;
  private timer: NodeJS.Timeout | undefined;
  private lastRenewMs = 0;
  private released = false;

  private constructor(
    private readonly kv: KV,
    private readonly me: LeaseHolder,
    readonly leaseMs: number,
  ) {}

  static async open(nc: NatsConnection, me: LeaseHolder, leaseMs: number): Promise<OmsLease> {
    const kv = await new Kvm(nc).create(OMS_LEASE_BUCKET, { ttl: leaseMs, history: 1 });
    return new OmsLease(kv, me, leaseMs);
  }

  /** Takes the lease if nobody holds it; true when this node is now the active one. */
  async tryAcquire(): Promise<boolean> {
    try {
      this.revision = await this.kv.create(ACTIVE_KEY, JSON.stringify(this.me));
      this.lastRenewMs = Date.now();
      return true;
    } catch {
      return false;
    }
  }

  /** The active node now, or undefined when the lease is free. */
  async holder(): Promise<LeaseHolder | undefined> {
    const e = await this.kv.get(ACTIVE_KEY);
    if (!e || e.operation !== 'PUT') return undefined;
    try {
      return JSON.parse(e.string()) as LeaseHolder;
    } catch {
      return undefined;
    }
  }

  /**
   * Keeps the lease. `onLost` is called once if it is taken by another node (the
   * compare-and-set fails) or cannot be renewed for leaseMs: this node must stop acting at once.
   */
  keep(onLost: (why: string) => void): void {
    const every = Math.max(50, Math.floor(this.leaseMs / 3));
    // One renewal at a time, the next one once it is answered: two in flight would carry the same revision.
    const renew = async () => {
      try {
        this.revision = await this.kv.update(ACTIVE_KEY, JSON.stringify(this.me), this.revision);
        this.lastRenewMs = Date.now();
      } catch (err) {
        const why = await this.stillOurs(err as Error);
        if (why) return onLost(why);
      }
      if (!this.released) this.timer = setTimeout(() => void renew(), every).unref();
    };
    this.timer = setTimeout(() => void renew(), every).unref();
  }

  /** After a failed renewal: undefined while the lease is still this node's, else why it is lost. */
  private async stillOurs(err: Error): Promise<string | undefined> {
    const e = await this.kv.get(ACTIVE_KEY).catch(() => null);
    if (e && e.operation === 'PUT' && e.string() === JSON.stringify(this.me)) {
      // Ours still (a renewal answered late, say): carry on from its revision.
      this.revision = e.revision;
      this.lastRenewMs = Date.now();
      return undefined;
    }
    if (e && e.operation === 'PUT') return `another node holds the OMS lease (${e.string()})`;
    if (Date.now() - this.lastRenewMs > this.leaseMs) return `the OMS lease could not be renewed for ${this.leaseMs} ms (${err.message})`;
    return undefined;
  }

  /** Gives the lease up (a graceful stop): a standby takes over at once instead of after leaseMs. */
  async release(): Promise<void> {
    this.released = true;
    clearTimeout(this.timer);
    await this.kv.delete(ACTIVE_KEY, { previousSeq: this.revision }).catch(() => {});
  }
}
