import type { LevelChanges } from '../model/market-data';
import { Side } from '../model/side';
import { bookChecksum } from './checksum';
import type { BookLevels, L2Book } from './l2-book';
import { assertLevel, assertParallel } from './level-guard';
import { SortedLadder } from './sorted-ladder';
import { bookStateHash } from './state-hash';

/** Options of `FastBook`. */
export interface FastBookOptions {
  /** Levels per side allocated up front; doubles when exceeded. Default 64. */
  initialCapacity?: number;
}

/**
 * The production L2 book: per side two Float64Arrays (keys, sizes) sorted with the best
 * level last, see `SortedLadder`. `apply` allocates nothing (except when a side doubles its
 * capacity) and touches only a few entries for updates near the top of the book: a linear
 * check of the top 8 levels, a binary search below that, and element moves bounded by the
 * distance to the nearer end of the side.
 */
export class FastBook implements L2Book {
  private readonly bids: SortedLadder;
  /** Keys are negated prices (`0 - price`) so ascending order puts the lowest ask last. */
  private readonly asks: SortedLadder;

  constructor(options: FastBookOptions = {}) {
    const cap = options.initialCapacity ?? 64;
    this.bids = new SortedLadder(cap);
    this.asks = new SortedLadder(cap);
  }

  apply(side: Side, price: number, size: number): void {
    assertLevel(price, size);
    // `+ 0` and `0 -` keep -0 out of the keys so every read returns +0 for a zero price.
    if (side === Side.Buy) this.bids.set(price + 0, size);
    else if (side === Side.Sell) this.asks.set(0 - price, size);
    else throw new RangeError(`invalid side: ${side}`);
  }

  applyLevels(side: Side, changes: LevelChanges): void {
    const prices = changes.price;
    const sizes = changes.size;
    assertParallel(prices.length, sizes.length);
    for (let i = 0; i < prices.length; i++) this.apply(side, prices[i]!, sizes[i]!);
  }

  clear(): void {
    this.bids.clear();
    this.asks.clear();
  }

  bestBid(): number {
    const b = this.bids;
    return b.end > b.start ? b.keys[b.end - 1]! : NaN;
  }

  bestAsk(): number {
    const a = this.asks;
    return a.end > a.start ? 0 - a.keys[a.end - 1]! : NaN;
  }

  bestBidSize(): number {
    const b = this.bids;
    return b.end > b.start ? b.sizes[b.end - 1]! : 0;
  }

  bestAskSize(): number {
    const a = this.asks;
    return a.end > a.start ? a.sizes[a.end - 1]! : 0;
  }

  depth(side: Side): number {
    return this.ladder(side).count;
  }

  priceAt(side: Side, i: number): number {
    const l = this.ladder(side);
    if (!(i >= 0 && i < l.count) || (i | 0) !== i) return NaN;
    const key = l.keys[l.end - 1 - i]!;
    return side === Side.Buy ? key : 0 - key;
  }

  sizeAt(side: Side, i: number): number {
    const l = this.ladder(side);
    return i >= 0 && i < l.count && (i | 0) === i ? l.sizes[l.end - 1 - i]! : 0;
  }

  sizeAtPrice(side: Side, price: number): number {
    return side === Side.Buy ? this.bids.get(price) : this.ladder(side).get(0 - price);
  }

  topN(side: Side, n: number, outPrice: Float64Array, outSize: Float64Array): number {
    const l = this.ladder(side);
    const m = Math.min(Math.floor(n), l.count, outPrice.length, outSize.length);
    if (!(m > 0)) return 0; // also NaN
    const top = l.end - 1;
    const keys = l.keys;
    const sizes = l.sizes;
    if (side === Side.Buy) for (let j = 0; j < m; j++) outPrice[j] = keys[top - j]!;
    else for (let j = 0; j < m; j++) outPrice[j] = 0 - keys[top - j]!;
    for (let j = 0; j < m; j++) outSize[j] = sizes[top - j]!;
    return m;
  }

  levels(side: Side, maxDepth = Infinity): BookLevels {
    const l = this.ladder(side);
    const limit = Math.min(Math.floor(maxDepth), l.count);
    const m = limit > 0 ? limit : 0; // also NaN
    const price = new Array<number>(m);
    const size = new Array<number>(m);
    for (let j = 0; j < m; j++) {
      const key = l.keys[l.end - 1 - j]!;
      price[j] = side === Side.Buy ? key : 0 - key;
      size[j] = l.sizes[l.end - 1 - j]!;
    }
    return { price, size };
  }

  isCrossed(): boolean {
    return this.bids.count > 0 && this.asks.count > 0 && this.bestBid() >= this.bestAsk();
  }

  checksum(): number {
    return bookChecksum(this);
  }

  stateHash(): string {
    return bookStateHash(this);
  }

  validateInternalState(): void {
    checkLadder(this.bids, false, 'bids');
    checkLadder(this.asks, true, 'asks');
  }

  private ladder(side: Side): SortedLadder {
    if (side === Side.Buy) return this.bids;
    if (side === Side.Sell) return this.asks;
    throw new RangeError(`invalid side: ${side}`);
  }
}

function checkLadder(l: SortedLadder, negated: boolean, name: string): void {
  if (l.keys.length !== l.sizes.length || !(0 <= l.start && l.start <= l.end && l.end <= l.keys.length)) {
    throw new Error(`${name}: levels [${l.start}, ${l.end}) outside capacity ${l.keys.length}`);
  }
  for (let i = l.start; i < l.end; i++) {
    const price = negated ? 0 - l.keys[i]! : l.keys[i]!;
    const size = l.sizes[i]!;
    if (!Number.isSafeInteger(price) || price < 0) throw new Error(`${name}[${i}]: bad price ${price}`);
    if (!Number.isSafeInteger(size) || size <= 0) throw new Error(`${name}[${i}]: bad size ${size}`);
    if (i > l.start && !(l.keys[i - 1]! < l.keys[i]!)) throw new Error(`${name}[${i}]: not strictly sorted`);
  }
}
