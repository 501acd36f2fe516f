/**
 * One side of a FastBook: parallel Float64Arrays of keys and sizes holding the levels in
 * `[start, end)`, keys strictly ascending, so the BEST level sits at the END (`end - 1`).
 * Bids store the price as the key; asks store the negated price, so one ascending code path
 * serves both sides and asks still end up with their best (lowest) price last.
 *
 * Why best-last: nearly all updates land within a few levels of the top, and inserting or
 * deleting there moves only the handful of entries above it. Best-first (as ccxt does) would
 * move the whole book every time. The block also keeps slack below `start`, so an insert or
 * delete deep in the book shifts the (shorter) deep part instead: every structural change
 * moves min(levels above, levels below) entries.
 *
 * Internal to the book folder (not re-exported).
 */
export class SortedLadder {
  keys: Float64Array;
  sizes: Float64Array;
  /** Index of the worst level. */
  start: number;
  /** One past the best level. */
  end: number;

  constructor(initialCapacity: number) {
    const cap = Math.max(1, initialCapacity | 0);
    this.keys = new Float64Array(cap);
    this.sizes = new Float64Array(cap);
    this.start = this.end = cap >> 1;
  }

  get count(): number {
    return this.end - this.start;
  }

  clear(): void {
    this.start = this.end = this.keys.length >> 1;
  }

  /**
   * Index of the last key <= `key`, or `start - 1` when every key is greater. Checks the
   * top `SCAN_DEPTH` levels linearly first (the common case: one or two compares), then
   * bisects the rest.
   */
  floorIndex(key: number): number {
    const keys = this.keys;
    const start = this.start;
    const end = this.end;
    const stop = end - start > SCAN_DEPTH ? end - SCAN_DEPTH : start;
    let i = end - 1;
    while (i >= stop && keys[i]! > key) i--;
    if (i >= stop || stop === start) return i;
    // keys[stop..end) are all > key: the answer lies in [start - 1, stop).
    let lo = start;
    let hi = stop;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]! > key) hi = mid;
      else lo = mid + 1;
    }
    return lo - 1;
  }

  /** Sets the size at `key`; size 0 deletes (a no-op when absent). Values are pre-validated. */
  set(key: number, size: number): void {
    const i = this.floorIndex(key);
    if (i >= this.start && this.keys[i] === key) {
      if (size === 0) this.removeAt(i);
      else this.sizes[i] = size;
    } else if (size !== 0) {
      this.insertAt(i + 1, key, size);
    }
  }

  /** Size at `key`, 0 when absent. */
  get(key: number): number {
    const i = this.floorIndex(key);
    return i >= this.start && this.keys[i] === key ? this.sizes[i]! : 0;
  }

  /** Inserts before index `at` (start <= at <= end), shifting the shorter part outward. */
  private insertAt(at: number, key: number, size: number): void {
    const above = this.end - at;
    const below = at - this.start;
    if (above <= below ? this.end === this.keys.length : this.start === 0) {
      // No slack on the side to shift into: recentre (or grow), then index again.
      const shift = this.makeRoom();
      this.insertAt(at + shift, key, size);
      return;
    }
    const keys = this.keys;
    const sizes = this.sizes;
    if (above <= below) {
      move(keys, sizes, at + 1, at, this.end);
      keys[at] = key;
      sizes[at] = size;
      this.end++;
    } else {
      const s = this.start;
      move(keys, sizes, s - 1, s, at);
      keys[at - 1] = key;
      sizes[at - 1] = size;
      this.start = s - 1;
    }
  }

  private removeAt(at: number): void {
    const keys = this.keys;
    const sizes = this.sizes;
    if (this.end - 1 - at <= at - this.start) {
      move(keys, sizes, at, at + 1, this.end);
      this.end--;
    } else {
      const s = this.start;
      move(keys, sizes, s + 1, s, at);
      this.start = s + 1;
    }
  }

  /**
   * Centres the block, doubling the capacity first when it is at least half full (so
   * recentring stays amortised O(1) per insert). Returns how far the block moved.
   */
  private makeRoom(): number {
    const n = this.end - this.start;
    let keys = this.keys;
    let sizes = this.sizes;
    if (n * 2 >= keys.length) {
      keys = new Float64Array(keys.length * 2);
      sizes = new Float64Array(keys.length);
    }
    const to = (keys.length - n) >> 1;
    const shift = to - this.start;
    if (keys === this.keys) {
      move(keys, sizes, to, this.start, this.end);
    } else {
      keys.set(this.keys.subarray(this.start, this.end), to);
      sizes.set(this.sizes.subarray(this.start, this.end), to);
      this.keys = keys;
      this.sizes = sizes;
    }
    this.start = to;
    this.end = to + n;
    return shift;
  }
}

/** Moves entries [from, to) of both arrays to `target` (overlap-safe, like copyWithin). */
function move(keys: Float64Array, sizes: Float64Array, target: number, from: number, to: number): void {
  const n = to - from;
  // A short loop beats copyWithin's call overhead for the few entries near either end.
  if (n <= SHORT_MOVE) {
    if (target > from) {
      for (let j = n - 1; j >= 0; j--) {
        keys[target + j] = keys[from + j]!;
        sizes[target + j] = sizes[from + j]!;
      }
    } else {
      for (let j = 0; j < n; j++) {
        keys[target + j] = keys[from + j]!;
        sizes[target + j] = sizes[from + j]!;
      }
    }
  } else {
    keys.copyWithin(target, from, to);
    sizes.copyWithin(target, from, to);
  }
}

/** Top levels scanned linearly before bisecting; most updates hit within this many. */
const SCAN_DEPTH = 8;
/** Moves up to this many entries with a plain loop instead of copyWithin. */
const SHORT_MOVE = 16;
