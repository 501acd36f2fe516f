/** N headless mesh peers in one process (one clock), with totals and one-hop latency samples. */
import { HeadlessPeer, type FeedSource } from './headless-peer';
import { fetchEgress, type EgressCounters } from './relay-api';
import { loadPeerJs } from './werift-env';
import type { MeshNodeOptions } from '@tickmesh/shared';

export interface FleetOptions {
  url: string;
  /** Access tokens, used in turn (peer i gets tokens[i % n]): the relay limits PeerJS ids per account (default 16). */
  tokens: string[];
  peers: number;
  symbol: string;
  meshOptions?: Partial<MeshNodeOptions>;
  /** Peers opened at once while joining (signalling and /ws handshakes). Default 5. */
  joinConcurrency?: number;
  /** Called when a peer fails to open. */
  onError?: (e: unknown) => void;
}

export interface FleetTotals {
  peers: number;
  /** Streams fed through a peer parent / seeded by the relay over the mesh / by direct batches (counted per peer stream). */
  fed: Record<FeedSource, number>;
  /** Peers with every stream fed through the mesh from peers / any stream through the relay. */
  peersFedByMesh: number;
  peersFedByRelay: number;
  framesFromPeers: number;
  framesFromRelay: number;
  directBatches: number;
  delivered: number;
  rejected: number;
  duplicates: number;
  firstCopies: number;
  resyncs: number;
}

export class MeshFleet {
  readonly peers: HeadlessPeer[] = [];
  readonly hopMs: number[] = [];
  private readonly byId = new Map<string, HeadlessPeer>();

  private constructor(readonly o: FleetOptions) {}

  /** Opens `peers` peers (a few at a time). Peers that fail to open are reported and skipped. */
  static async start(o: FleetOptions): Promise<MeshFleet> {
    const Peer = await loadPeerJs();
    const f = new MeshFleet(o);
    let next = 0;
    const worker = async () => {
      while (next < o.peers) {
        const i = next++;
        try {
          const p = await HeadlessPeer.open({
            url: o.url, token: o.tokens[i % o.tokens.length]!, symbol: o.symbol, Peer, meshOptions: o.meshOptions,
            onHop: (ms) => f.hopMs.length < 1_000_000 && f.hopMs.push(ms),
            lookup: (id) => f.byId.get(id),
          });
          f.peers.push(p);
          f.byId.set(p.peerId, p);
        } catch (e) {
          o.onError?.(e);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, o.joinConcurrency ?? 5) }, worker));
    return f;
  }

  totals(): FleetTotals {
    const t: FleetTotals = {
      peers: this.peers.length, fed: { mesh: 0, seed: 0, direct: 0 }, peersFedByMesh: 0, peersFedByRelay: 0, framesFromPeers: 0, framesFromRelay: 0,
      directBatches: 0, delivered: 0, rejected: 0, duplicates: 0, firstCopies: 0, resyncs: 0,
    };
    for (const p of this.peers) {
      const src = p.sources();
      for (const s of src) t.fed[s]++;
      if (src.length > 0 && src.every((s) => s === 'mesh')) t.peersFedByMesh++;
      else t.peersFedByRelay++;
      t.framesFromPeers += p.framesFromPeers;
      t.framesFromRelay += p.framesFromRelay;
      t.directBatches += p.directBatches;
      t.delivered += p.framesDelivered;
      t.rejected += p.rejected;
      t.resyncs += p.resyncs;
      t.duplicates += p.stats?.duplicates ?? 0;
      t.firstCopies += p.stats?.firstCopies ?? 0;
    }
    return t;
  }

  egress(): Promise<EgressCounters> {
    return fetchEgress(this.o.url);
  }

  close(): void {
    for (const p of this.peers.splice(0)) p.close();
    this.byId.clear();
  }
}

/** Nearest-rank percentile of an unsorted sample. */
export function percentile(sample: readonly number[], p: number): number {
  if (sample.length === 0) return NaN;
  const sorted = Float64Array.from(sample).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
