import type { Trade } from '@tickmesh/shared';

/**
 * Trades of the view not yet handed to the UI, oldest first. Bounded: while the UI does not
 * draw (a hidden tab stops requestAnimationFrame) only the latest `capacity` are kept, so
 * memory stays flat however long the tab sleeps.
 */
export class TradeTape {
  private pending: Trade[] = [];

  /** @param capacity trades kept between two `take` calls. Default 1000. */
  constructor(readonly capacity = 1000) {}

  push(trade: Trade): void {
    this.pending.push(trade);
    // Trim in chunks, not per trade, so a flood costs one splice per `capacity` trades.
    if (this.pending.length >= this.capacity * 2) this.pending.splice(0, this.pending.length - this.capacity);
  }

  /** The trades since the last call, oldest first (by time: venues interleave). */
  take(): Trade[] {
    if (this.pending.length === 0) return [];
    let out = this.pending;
    this.pending = [];
    if (out.length > this.capacity) out = out.slice(out.length - this.capacity);
    // Stable sort: arrival order breaks ties. Usually already sorted, which V8 handles in O(n).
    out.sort(byTime);
    return out;
  }

  clear(): void {
    this.pending = [];
  }
}

function byTime(a: Trade, b: Trade): number {
  return a.timeUs - b.timeUs;
}
