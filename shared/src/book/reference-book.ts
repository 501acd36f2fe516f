import type { LevelChanges } from '../model/market-data';
import { Side } from '../model/side';
import { bookChecksum } from './checksum';
import type { BookLevels, L2Book } from './l2-book';
import { assertLevel, assertParallel } from './level-guard';
import { bookStateHash } from './state-hash';

/**
 * Obviously-correct L2 book for tests: one Map price -> size per side, sorted on demand.
 * It is the oracle the contract suite checks `FastBook` against, so it favours plainness
 * over speed; never use it on a hot path.
 */
export class ReferenceBook implements L2Book {
  private readonly bids = new Map<number, number>();
  private readonly asks = new Map<number, number>();
  /** Sorted prices per side, best first; dropped on every change. */
  private sortedBids: number[] | undefined;
  private sortedAsks: number[] | undefined;

  apply(side: Side, price: number, size: number): void {
    assertLevel(price, size);
    const map = this.map(side);
    if (size === 0) map.delete(price);
    else map.set(price, size);
    if (side === Side.Buy) this.sortedBids = undefined;
    else this.sortedAsks = undefined;
  }

  applyLevels(side: Side, changes: LevelChanges): void {
    assertParallel(changes.price.length, changes.size.length);
    for (let i = 0; i < changes.price.length; i++) this.apply(side, changes.price[i]!, changes.size[i]!);
  }

  clear(): void {
    this.bids.clear();
    this.asks.clear();
    this.sortedBids = undefined;
    this.sortedAsks = undefined;
  }

  bestBid(): number {
    return this.priceAt(Side.Buy, 0);
  }

  bestAsk(): number {
    return this.priceAt(Side.Sell, 0);
  }

  bestBidSize(): number {
    return this.sizeAt(Side.Buy, 0);
  }

  bestAskSize(): number {
    return this.sizeAt(Side.Sell, 0);
  }

  depth(side: Side): number {
    return this.map(side).size;
  }

  priceAt(side: Side, i: number): number {
    const sorted = this.sorted(side);
    return Number.isInteger(i) && i >= 0 && i < sorted.length ? sorted[i]! : NaN;
  }

  sizeAt(side: Side, i: number): number {
    const price = this.priceAt(side, i);
    return Number.isNaN(price) ? 0 : this.map(side).get(price)!;
  }

  sizeAtPrice(side: Side, price: number): number {
    return this.map(side).get(price) ?? 0;
  }

  topN(side: Side, n: number, outPrice: Float64Array, outSize: Float64Array): number {
    const { price, size } = this.levels(side, Math.min(n, outPrice.length, outSize.length));
    outPrice.set(price);
    outSize.set(size);
    return price.length;
  }

  levels(side: Side, maxDepth = Infinity): BookLevels {
    const limit = Math.floor(maxDepth);
    const price = this.sorted(side).slice(0, limit > 0 ? limit : 0);
    return { price, size: price.map((p) => this.map(side).get(p)!) };
  }

  isCrossed(): boolean {
    return this.bids.size > 0 && this.asks.size > 0 && this.bestBid() >= this.bestAsk();
  }

  checksum(): number {
    return bookChecksum(this);
  }

  stateHash(): string {
    return bookStateHash(this);
  }

  validateInternalState(): void {
    for (const [name, map] of [['bids', this.bids], ['asks', this.asks]] as const) {
      for (const [price, size] of map) {
        if (!Number.isSafeInteger(price) || price < 0) throw new Error(`${name}: bad price ${price}`);
        if (!Number.isSafeInteger(size) || size <= 0) throw new Error(`${name}: bad size ${size} at ${price}`);
      }
    }
  }

  private map(side: Side): Map<number, number> {
    if (side === Side.Buy) return this.bids;
    if (side === Side.Sell) return this.asks;
    throw new RangeError(`invalid side: ${side}`);
  }

  private sorted(side: Side): number[] {
    if (side === Side.Buy) return (this.sortedBids ??= [...this.bids.keys()].sort((a, b) => b - a));
    if (side === Side.Sell) return (this.sortedAsks ??= [...this.asks.keys()].sort((a, b) => a - b));
    throw new RangeError(`invalid side: ${side}`);
  }
}
