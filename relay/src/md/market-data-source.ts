import type { Instrument } from '@tickmesh/shared';
import type { MdSubscriber } from './market-data-service';

/** What a frame and a session need to know of a stream: its id and its instrument. */
export interface MdStreamRef {
  readonly id: number;
  readonly instrument: Instrument;
}

/**
 * Where sessions get market data: this process's MarketDataService (roles `all` and `md`) or,
 * on an `edge`, the cluster's md node through NATS (relay/src/cluster/edge-feed.ts). Either way
 * a subscriber gets a snapshot first, then the batches after it, as the same encoded bytes.
 */
export interface MarketDataSource {
  instruments(): Instrument[];
  stream(id: number): MdStreamRef | undefined;
  /** Stream ids of every venue's stream for a symbol (empty when unknown). */
  streamIdsForSymbol(symbol: string): number[];
  /** Adds the subscriber (if new) and sends it a snapshot, then the batches after it. */
  subscribe(sub: MdSubscriber, streamId: number): void;
  /**
   * Sends a subscriber of a stream a fresh snapshot (now, or once it is at hand), then the
   * batches after it: conflation recovery, the way back from the mesh.
   */
  resync(sub: MdSubscriber, streamId: number): void;
  unsubscribe(sub: MdSubscriber, streamId: number): void;
  /** Sends a stream's pending changes now, when this source batches them itself. */
  flushPending(streamId: number): void;
}
