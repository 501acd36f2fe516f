import type { NatsConnection } from '@nats-io/transport-node';
import { Kvm, type KV } from '@nats-io/kv';

/** The bucket of what the OMS nodes share for good (no expiry, unlike the lease). */
export const OMS_SHARED_BUCKET = 'tickmesh_oms_shared';

/**
 * What every OMS node of a cluster must have alike, set once by the first active:
 * - the venue client-order-id prefix, so that after a takeover reconciliation finds the orders
 *   the previous active sent as its own;
 * - the journal file's 16-byte header (it holds the creation time and seeds the chain hash),
 *   so a standby's copy of the journal is byte for byte the active's, chain hashes included.
 */
export class OmsShared {
  private constructor(private readonly kv: KV) {}

  static async open(nc: NatsConnection): Promise<OmsShared> {
    return new OmsShared(await new Kvm(nc).create(OMS_SHARED_BUCKET, { history: 1 }));
  }

  /** The cluster's prefix: the one stored, or (first node to ask) `local()`, stored. */
  async clientIdPrefix(local: () => Promise<string>): Promise<string> {
    const kept = await this.get('client-id-prefix');
    if (kept) return new TextDecoder().decode(kept);
    return new TextDecoder().decode(await this.setOnce('client-id-prefix', new TextEncoder().encode(await local())));
  }

  /** The journal header of the cluster, or undefined before the first active stored it. */
  journalHeader(): Promise<Uint8Array | undefined> {
    return this.get('journal-header');
  }

  /** Stores the first active's journal header; answers the one stored (another node's, if it was first). */
  storeJournalHeader(header: Uint8Array): Promise<Uint8Array> {
    return this.setOnce('journal-header', header);
  }

  private async get(key: string): Promise<Uint8Array | undefined> {
    const e = await this.kv.get(key);
    return e && e.operation === 'PUT' ? e.value : undefined;
  }

  private async setOnce(key: string, value: Uint8Array): Promise<Uint8Array> {
    try {
      await this.kv.create(key, value);
      return value;
    } catch {
      // Another node stored one first: use it.
      return (await this.get(key))!;
    }
  }
}
