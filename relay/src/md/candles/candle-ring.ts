import type { Candle } from './candle';

/**
 * The newest `capacity` candles of one timeframe of one stream, in columns of a fixed ring
 * (six Float64Arrays allocated once): a trade costs a few array writes and no allocation,
 * and memory stays bounded however long the relay runs.
 *
 * Trades normally arrive in time order. A late one (a venue's out-of-order print) that falls
 * in an earlier kept bucket widens that bucket's high/low and adds its volume but leaves its
 * open and close (the ring does not keep trade times inside a bucket); one older than every
 * kept bucket is dropped.
 */
export class CandleRing {
  private readonly t: Float64Array;
  private readonly o: Float64Array;
  private readonly h: Float64Array;
  private readonly l: Float64Array;
  private readonly c: Float64Array;
  private readonly v: Float64Array;
  /** Slot of the oldest candle. */
  private head = 0;
  private count = 0;

  constructor(
    /** Bucket width in seconds. */
    readonly seconds: number,
    readonly capacity: number,
  ) {
    if (!(seconds > 0) || !Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`bad candle ring ${seconds}s × ${capacity}`);
    this.t = new Float64Array(capacity);
    this.o = new Float64Array(capacity);
    this.h = new Float64Array(capacity);
    this.l = new Float64Array(capacity);
    this.c = new Float64Array(capacity);
    this.v = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Bucket open time of the newest candle, or NaN when empty. */
  get lastTime(): number {
    return this.count === 0 ? Number.NaN : this.t[this.slot(this.count - 1)]!;
  }

  /** Bucket open time of the oldest candle, or NaN when empty. */
  get firstTime(): number {
    return this.count === 0 ? Number.NaN : this.t[this.head]!;
  }

  /** Adds one trade: `price` ticks, `size` lots, at `timeSec` (seconds since the epoch, fractional allowed). */
  trade(timeSec: number, price: number, size: number): void {
    const bucket = Math.floor(timeSec / this.seconds) * this.seconds;
    const last = this.lastTime;
    if (this.count === 0 || bucket > last) return this.push(bucket, price, price, price, price, size);
    const i = bucket === last ? this.slot(this.count - 1) : this.find(bucket);
    if (i < 0) return;
    if (price > this.h[i]!) this.h[i] = price;
    if (price < this.l[i]!) this.l[i] = price;
    if (bucket === last) this.c[i] = price;
    this.v[i]! += size;
  }

  /** Appends a whole candle newer than the newest kept (history), dropping the oldest when full. */
  push(time: number, open: number, high: number, low: number, close: number, volume: number): void {
    if (this.count > 0 && !(time > this.lastTime)) throw new Error(`candle ${time} is not after ${this.lastTime}`);
    let i: number;
    if (this.count < this.capacity) i = this.slot(this.count++);
    else {
      i = this.head;
      this.head = (this.head + 1) % this.capacity;
    }
    this.t[i] = time;
    this.o[i] = open;
    this.h[i] = high;
    this.l[i] = low;
    this.c[i] = close;
    this.v[i] = volume;
  }

  /**
   * Puts history (oldest first) before what is kept: only candles older than the oldest kept one
   * are taken, so live candles built while the history loaded win. Keeps the newest `capacity`.
   */
  prepend(history: readonly Candle[]): void {
    const first = this.firstTime;
    const older = this.count === 0 ? history : history.filter((h) => h.time < first);
    if (older.length === 0) return;
    const kept = this.range(-Infinity, Infinity, this.capacity);
    this.head = 0;
    this.count = 0;
    let prev = -Infinity;
    const all = older.concat(kept);
    for (let k = Math.max(0, all.length - this.capacity); k < all.length; k++) {
      const c = all[k]!;
      if (!(c.time > prev)) continue; // unsorted or duplicate history: keep the first of each bucket
      prev = c.time;
      this.push(c.time, c.open, c.high, c.low, c.close, c.volume);
    }
  }

  /** The newest `limit` candles whose bucket opens in [from, to] (seconds), oldest first. */
  range(from: number, to: number, limit: number): Candle[] {
    const out: Candle[] = [];
    for (let k = this.count - 1; k >= 0 && out.length < limit; k--) {
      const i = this.slot(k);
      const time = this.t[i]!;
      if (time > to) continue;
      if (time < from) break;
      out.push({ time, open: this.o[i]!, high: this.h[i]!, low: this.l[i]!, close: this.c[i]!, volume: this.v[i]! });
    }
    return out.reverse();
  }

  private slot(k: number): number {
    return (this.head + k) % this.capacity;
  }

  /** Slot of the kept bucket `time`, or -1. */
  private find(time: number): number {
    let lo = 0;
    let hi = this.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const t = this.t[this.slot(mid)]!;
      if (t === time) return this.slot(mid);
      if (t < time) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}
