/**
 * Lowest and highest price over a sliding time window, O(1) amortised per update: two
 * monotonic deques (the classic sliding-window minimum). Only prices that can still become the
 * window's min (or max) are kept, so a calm market holds a handful of entries, whatever the
 * trade rate. Arrays grow at the tail and are compacted when the dead head gets large, so
 * steady state allocates nothing.
 */
export class SlidingExtremes {
  private readonly lows = new MonotonicDeque((older, newer) => older < newer);
  private readonly highs = new MonotonicDeque((older, newer) => older > newer);
  private last = Number.NEGATIVE_INFINITY;

  /** `window` in the unit of the times pushed (the breaker uses microseconds). */
  constructor(private readonly window: number) {}

  /**
   * Moves the window's end to `time`, dropping entries older than `time - window`. Call it before
   * reading min/max for a new trade, so the trade is compared with its own window only.
   */
  advance(time: number): void {
    // Trades from several venues can arrive slightly out of order; time never steps back here.
    if (time > this.last) this.last = time;
    const cutoff = this.last - this.window;
    this.lows.evict(cutoff);
    this.highs.evict(cutoff);
  }

  /** Adds a price at `time` (advancing the window to it first). */
  push(time: number, price: number): void {
    this.advance(time);
    this.lows.push(this.last, price);
    this.highs.push(this.last, price);
  }

  /** Lowest price in the window; NaN when empty. */
  min(): number {
    return this.lows.front();
  }

  /** Highest price in the window; NaN when empty. */
  max(): number {
    return this.highs.front();
  }

  clear(): void {
    this.lows.clear();
    this.highs.clear();
  }
}

class MonotonicDeque {
  private times: number[] = [];
  private prices: number[] = [];
  private head = 0;

  /** `keep(older, newer)`: true when an older price stays useful once `newer` arrived. */
  constructor(private readonly keep: (older: number, newer: number) => boolean) {}

  push(time: number, price: number): void {
    while (this.prices.length > this.head && !this.keep(this.prices[this.prices.length - 1], price)) {
      this.prices.pop();
      this.times.pop();
    }
    this.prices.push(price);
    this.times.push(time);
  }

  evict(cutoff: number): void {
    while (this.head < this.times.length && this.times[this.head] < cutoff) this.head++;
    if (this.head > 1024 && this.head * 2 > this.prices.length) {
      this.prices = this.prices.slice(this.head);
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }

  front(): number {
    return this.head < this.prices.length ? this.prices[this.head] : Number.NaN;
  }

  clear(): void {
    this.prices.length = 0;
    this.times.length = 0;
    this.head = 0;
  }
}
