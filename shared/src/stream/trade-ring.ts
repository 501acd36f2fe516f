import type { Trade } from '../model/market-data';

/**
 * Bounded ring of the most recent trades: a fixed array overwritten in place, so a busy
 * stream never grows memory or shifts an array per trade. Trade objects are kept by
 * reference (they are the decoded messages' own objects).
 */
export class TradeRing {
  private readonly slots: Array<Trade | undefined>;
  private next = 0;
  private count = 0;

  /** `capacity` trades are kept (at least 1); older ones are overwritten. */
  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`invalid trade ring capacity: ${capacity}`);
    this.slots = new Array<Trade | undefined>(capacity);
  }

  /** Number of trades held. */
  get size(): number {
    return this.count;
  }

  /** Appends a trade, overwriting the oldest when full. */
  push(trade: Trade): void {
    this.slots[this.next] = trade;
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
    if (this.count < this.capacity) this.count++;
  }

  /** Appends trades in order (oldest first, as batches carry them). */
  pushAll(trades: readonly Trade[]): void {
    for (let i = 0; i < trades.length; i++) this.push(trades[i]!);
  }

  /** Drops every trade (a snapshot replaces the ring's contents). */
  clear(): void {
    this.slots.fill(undefined);
    this.next = 0;
    this.count = 0;
  }

  /** Most recent trade, undefined when empty. */
  latest(): Trade | undefined {
    return this.count === 0 ? undefined : this.slots[(this.next - 1 + this.capacity) % this.capacity];
  }

  /** A new array of the held trades, oldest first (the order of `BookSnapshot.recentTrades`). */
  toArray(): Trade[] {
    const out = new Array<Trade>(this.count);
    const start = (this.next - this.count + this.capacity) % this.capacity;
    for (let i = 0; i < this.count; i++) out[i] = this.slots[(start + i) % this.capacity]!;
    return out;
  }
}
