import type { LevelChanges } from '../model/market-data';
import type { Side } from '../model/side';

/** Levels of one side, best first, as plain arrays (the `LevelChanges` shape). */
export interface BookLevels {
  price: number[];
  size: number[];
}

/**
 * An L2 (price-aggregated) order book of one stream. Prices are integer ticks and sizes
 * integer lots; `Side.Buy` is the bid side and `Side.Sell` the ask side. Every index is
 * best-first: index 0 is the best bid (highest) or best ask (lowest).
 *
 * A feed book may be crossed for a moment (venues publish sides independently), so
 * `bestBid() < bestAsk()` is not an invariant; `isCrossed()` reports it instead.
 */
export interface L2Book {
  /**
   * Sets the absolute size at `price`; size 0 deletes the level, and deleting a missing level
   * is a no-op. Throws RangeError on a negative, non-integer or unsafe price or size: the
   * codec validates wire input, so such a value here is a bug upstream.
   */
  apply(side: Side, price: number, size: number): void;
  /** Applies parallel arrays of absolute level changes in order (size 0 deletes). */
  applyLevels(side: Side, changes: LevelChanges): void;
  /** Removes every level of both sides. */
  clear(): void;
  /** Best (highest) bid price, NaN when the bid side is empty. */
  bestBid(): number;
  /** Best (lowest) ask price, NaN when the ask side is empty. */
  bestAsk(): number;
  /** Size at the best bid, 0 when the bid side is empty. */
  bestBidSize(): number;
  /** Size at the best ask, 0 when the ask side is empty. */
  bestAskSize(): number;
  /** Number of levels on `side`. */
  depth(side: Side): number;
  /** Price of the i-th best level, NaN when `i` is out of range. */
  priceAt(side: Side, i: number): number;
  /** Size of the i-th best level, 0 when `i` is out of range. */
  sizeAt(side: Side, i: number): number;
  /** Size resting at exactly `price`, 0 when there is no such level. */
  sizeAtPrice(side: Side, price: number): number;
  /**
   * Copies up to `n` best levels of `side` into the output arrays (best first), never past
   * their lengths, and returns how many were written. Allocates nothing.
   */
  topN(side: Side, n: number, outPrice: Float64Array, outSize: Float64Array): number;
  /** New arrays of the levels of `side`, best first; `maxDepth` defaults to all levels. */
  levels(side: Side, maxDepth?: number): BookLevels;
  /** True when both sides are non-empty and the best bid is at or above the best ask. */
  isCrossed(): boolean;
  /** CRC32 of the top 25 levels per side, as specified in checksum.ts (`bookChecksum`). */
  checksum(): number;
  /** 16 hex chars hashing every level of both sides; equal books give equal hashes. */
  stateHash(): string;
  /** Throws an Error when an internal invariant is broken (ordering, sizes, integrality). */
  validateInternalState(): void;
}
