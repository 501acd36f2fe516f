import { Side } from '@tickmesh/shared';
import { PriceLevel } from './price-level';

/**
 * One side of the matching book: the active price levels sorted by priority with the best at
 * the END (so consuming the top of book is a pop), plus a price -> level map for O(1) joins.
 *
 * Keys make both sides sort the same way: a bid's key is its price, an ask's key is -price,
 * and keys ascend, so the best level always has the largest key. Level objects are pooled.
 */
export class BookSide {
  readonly side: Side;
  /** Sorted ascending sort keys of active levels; only [0, size) is meaningful. */
  private keys: Float64Array;
  /** levels[i] is the level whose key is keys[i]. */
  readonly levels: PriceLevel[] = [];
  size = 0;
  private readonly byPrice = new Map<number, PriceLevel>();
  private readonly pool: PriceLevel[] = [];

  /** @param initialCapacity starting number of level slots; grows by doubling. Default 256. */
  constructor(side: Side, initialCapacity = 256) {
    this.side = side;
    this.keys = new Float64Array(initialCapacity);
  }

  /** Best level, or null when the side is empty. */
  best(): PriceLevel | null {
    return this.size === 0 ? null : this.levels[this.size - 1]!;
  }

  get(price: number): PriceLevel | undefined {
    return this.byPrice.get(price);
  }

  /** Existing level at `price` or a new empty one inserted at its sorted position. */
  getOrCreate(price: number): PriceLevel {
    let lvl = this.byPrice.get(price);
    if (lvl !== undefined) return lvl;
    lvl = this.pool.length > 0 ? this.pool.pop()! : new PriceLevel();
    lvl.reset(price);
    this.byPrice.set(price, lvl);
    const key = this.side === Side.Buy ? price : -price;
    const levels = this.levels;
    const n = this.size;
    if (n === this.keys.length) {
      const grown = new Float64Array(n * 2);
      grown.set(this.keys);
      this.keys = grown;
    }
    // A new best level (quote improving the spread) is the common case: append without search.
    let i: number;
    if (n === 0 || this.keys[n - 1]! < key) {
      i = n;
    } else {
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.keys[mid]! < key) lo = mid + 1;
        else hi = mid;
      }
      i = lo;
      this.keys.copyWithin(i + 1, i, n);
      for (let j = n; j > i; j--) levels[j] = levels[j - 1]!;
    }
    this.keys[i] = key;
    levels[i] = lvl;
    this.size = n + 1;
    return lvl;
  }

  /** Removes an (empty) level and returns it to the pool. */
  remove(lvl: PriceLevel): void {
    this.byPrice.delete(lvl.price);
    const n = this.size - 1;
    const levels = this.levels;
    if (levels[n] === lvl) {
      // Top of book: the common case when a level is traded through.
      levels[n] = undefined as unknown as PriceLevel;
    } else {
      const i = this.indexOf(lvl.price);
      this.keys.copyWithin(i, i + 1, n + 1);
      for (let j = i; j < n; j++) levels[j] = levels[j + 1]!;
      levels[n] = undefined as unknown as PriceLevel;
    }
    this.size = n;
    lvl.head = lvl.tail = null;
    this.pool.push(lvl);
  }

  /** Index of the level at `price` (must exist). */
  private indexOf(price: number): number {
    const key = this.side === Side.Buy ? price : -price;
    let lo = 0;
    let hi = this.size - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const k = this.keys[mid]!;
      if (k < key) lo = mid + 1;
      else if (k > key) hi = mid - 1;
      else return mid;
    }
    throw new Error(`BookSide: level ${price} missing from sorted index`);
  }

  /** Throws if the sorted index, the levels array and the map disagree. */
  validate(): void {
    if (this.byPrice.size !== this.size) throw new Error(`BookSide ${this.side}: map size ${this.byPrice.size} != ${this.size}`);
    for (let i = 0; i < this.size; i++) {
      const lvl = this.levels[i]!;
      const key = this.side === Side.Buy ? lvl.price : -lvl.price;
      if (this.keys[i] !== key) throw new Error(`BookSide ${this.side}: key mismatch at ${i}`);
      if (i > 0 && !(this.keys[i - 1]! < key)) throw new Error(`BookSide ${this.side}: levels not strictly sorted at ${i}`);
      if (this.byPrice.get(lvl.price) !== lvl) throw new Error(`BookSide ${this.side}: map mismatch at price ${lvl.price}`);
    }
  }
}
