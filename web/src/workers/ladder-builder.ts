import { Side, type L2Book } from '@tickmesh/shared';
import type { LadderFrame } from './terminal-api';

/** One venue's book as the builder reads it, with its bit in the venue masks. */
export interface LadderSource {
  book: L2Book;
  venueBit: number;
}

/**
 * Builds the ladder of a view into reused typed arrays (nothing allocated per update), then
 * copies it once per animation frame into fresh arrays the UI receives as transferables. The
 * worker keeps its own working arrays; only the copies leave.
 *
 * Consolidated: the top `depth` levels of every venue merged level by level, sizes summed at
 * equal prices, best first. Each venue's own top `depth` is enough: a merged level among the
 * best `depth` has every venue's level at that price within that venue's best `depth`.
 */
export class LadderBuilder {
  private depth = 0;
  // Per-venue scratch (top N of each book) and the merged result, grown only when depth or
  // the venue count grows.
  private srcBidP: Float64Array[] = [];
  private srcBidS: Float64Array[] = [];
  private srcAskP: Float64Array[] = [];
  private srcAskS: Float64Array[] = [];
  private counts = new Int32Array(0);
  private cursor = new Int32Array(0);
  private bidP = new Float64Array(0);
  private bidS = new Float64Array(0);
  private bidM = new Uint32Array(0);
  private askP = new Float64Array(0);
  private askS = new Float64Array(0);
  private askM = new Uint32Array(0);
  private bidN = 0;
  private askN = 0;

  /**
   * Rebuilds the working ladder from `sources` (one = that venue's book; several = merged),
   * `depth` levels per side at most, venue masks included.
   */
  build(sources: readonly LadderSource[], depth: number): void {
    this.ensure(depth, sources.length);
    if (sources.length === 1) {
      const b = sources[0]!;
      this.bidN = b.book.topN(Side.Buy, depth, this.bidP, this.bidS);
      this.askN = b.book.topN(Side.Sell, depth, this.askP, this.askS);
      const bit = 1 << b.venueBit;
      this.bidM.fill(bit, 0, this.bidN);
      this.askM.fill(bit, 0, this.askN);
      return;
    }
    for (let v = 0; v < sources.length; v++) this.counts[v] = sources[v]!.book.topN(Side.Buy, depth, this.srcBidP[v]!, this.srcBidS[v]!);
    this.bidN = this.merge(sources, this.srcBidP, this.srcBidS, true, depth, this.bidP, this.bidS, this.bidM);
    for (let v = 0; v < sources.length; v++) this.counts[v] = sources[v]!.book.topN(Side.Sell, depth, this.srcAskP[v]!, this.srcAskS[v]!);
    this.askN = this.merge(sources, this.srcAskP, this.srcAskS, false, depth, this.askP, this.askS, this.askM);
  }

  /** Fresh copies of the working ladder, sized to the levels present, for one frame; masks only `withMasks` (consolidated views). */
  snapshot(status: LadderFrame['status'], seq: number, withMasks: boolean): LadderFrame {
    const frame: LadderFrame = {
      status,
      bidPrice: this.bidP.slice(0, this.bidN),
      bidSize: this.bidS.slice(0, this.bidN),
      askPrice: this.askP.slice(0, this.askN),
      askSize: this.askS.slice(0, this.askN),
      seq,
    };
    if (withMasks) {
      frame.bidVenueMask = this.bidM.slice(0, this.bidN);
      frame.askVenueMask = this.askM.slice(0, this.askN);
    }
    return frame;
  }

  /** Empties the working ladder (no view, or no book yet). */
  clear(): void {
    this.bidN = 0;
    this.askN = 0;
  }

  private ensure(depth: number, venues: number): void {
    if (depth !== this.depth) {
      this.depth = depth;
      this.bidP = new Float64Array(depth);
      this.bidS = new Float64Array(depth);
      this.bidM = new Uint32Array(depth);
      this.askP = new Float64Array(depth);
      this.askS = new Float64Array(depth);
      this.askM = new Uint32Array(depth);
      this.srcBidP = [];
      this.srcBidS = [];
      this.srcAskP = [];
      this.srcAskS = [];
    }
    while (this.srcBidP.length < venues) {
      this.srcBidP.push(new Float64Array(depth));
      this.srcBidS.push(new Float64Array(depth));
      this.srcAskP.push(new Float64Array(depth));
      this.srcAskS.push(new Float64Array(depth));
    }
    if (this.counts.length < venues) {
      this.counts = new Int32Array(venues);
      this.cursor = new Int32Array(venues);
    }
  }

  /** k-way merge of sorted per-venue levels (descending for bids), summing equal prices. */
  private merge(
    sources: readonly LadderSource[],
    prices: Float64Array[],
    sizes: Float64Array[],
    descending: boolean,
    depth: number,
    outP: Float64Array,
    outS: Float64Array,
    outM: Uint32Array,
  ): number {
    const n = sources.length;
    const cur = this.cursor;
    const counts = this.counts;
    cur.fill(0, 0, n);
    let k = 0;
    while (k < depth) {
      let best = Number.NaN;
      for (let v = 0; v < n; v++) {
        if (cur[v]! >= counts[v]!) continue;
        const p = prices[v]![cur[v]!]!;
        if (best !== best || (descending ? p > best : p < best)) best = p;
      }
      if (best !== best) break; // every venue exhausted
      let size = 0;
      let mask = 0;
      for (let v = 0; v < n; v++) {
        const i = cur[v]!;
        if (i < counts[v]! && prices[v]![i] === best) {
          size += sizes[v]![i]!;
          mask |= 1 << sources[v]!.venueBit;
          cur[v] = i + 1;
        }
      }
      outP[k] = best;
      outS[k] = size;
      outM[k] = mask;
      k++;
    }
    return k;
  }
}
