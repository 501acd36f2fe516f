import { Side, StreamState } from '@tickmesh/shared';
import type { InstrumentFeed } from '../venue-adapter';
import { toUnits, type UnitStep } from './exact-units';

/**
 * One instrument's book as a real-venue adapter syncs it: the venue's decimal strings become
 * exact ticks and lots on the way in, a local copy is kept (for checksums, truncation and the
 * tests' "equals the venue's book"), and the feed's Live/Stale state follows the sync — the
 * book is Live only between a completed sync and the first sign it may be wrong (a gap, a bad
 * checksum, silence, a closed socket). Every caller goes stale() first, then snapshot()…live().
 */
export class FeedBook {
  readonly bids = new Map<number, number>();
  readonly asks = new Map<number, number>();
  private isLive = false;
  /** Values the venue sent that are not whole ticks/lots (each forces a resync). */
  unrepresentable = 0;

  constructor(
    private readonly feed: InstrumentFeed,
    readonly price: UnitStep,
    readonly size: UnitStep,
  ) {}

  get live(): boolean {
    return this.isLive;
  }

  /** The book may be wrong from here on: subscribers see STALE at once (never a stale book shown live). */
  stale(): void {
    if (!this.isLive) return;
    this.isLive = false;
    this.feed.state(StreamState.Stale);
  }

  /** The book is synced again. */
  markLive(): void {
    if (this.isLive) return;
    this.isLive = true;
    this.feed.state(StreamState.Live);
  }

  /** Drops every level (the feed's clear()), ahead of a snapshot. */
  clear(): void {
    this.bids.clear();
    this.asks.clear();
    this.feed.clear();
  }

  /**
   * Sets one level from the venue's strings; size "0" removes it. False (and nothing applied)
   * when either number is not a whole count of ticks/lots: the caller resyncs.
   */
  level(side: Side, price: string, size: string): boolean {
    const p = toUnits(price, this.price);
    const s = toUnits(size, this.size);
    if (p === undefined || s === undefined) {
      this.unrepresentable++;
      return false;
    }
    this.setLevel(side, p, s);
    return true;
  }

  /** Sets one level in ticks and lots (0 removes it). */
  setLevel(side: Side, price: number, size: number): void {
    const m = side === Side.Buy ? this.bids : this.asks;
    if (size === 0) {
      if (!m.delete(price)) return; // removing an absent level is normal on every venue
    } else {
      if (m.get(price) === size) return;
      m.set(price, size);
    }
    this.feed.level(side, price, size);
  }

  /** Prices of one side best first (bids high to low, asks low to high), at most `depth`. */
  top(side: Side, depth = Infinity): number[] {
    const m = side === Side.Buy ? this.bids : this.asks;
    const prices = [...m.keys()].sort(side === Side.Buy ? (a, b) => b - a : (a, b) => a - b);
    return depth < prices.length ? prices.slice(0, depth) : prices;
  }

  /** Keeps only the best `depth` levels per side (venues that publish a fixed depth require it). */
  truncate(depth: number): void {
    for (const side of [Side.Buy, Side.Sell] as const) {
      const m = side === Side.Buy ? this.bids : this.asks;
      if (m.size <= depth) continue;
      for (const p of this.top(side).slice(depth)) this.setLevel(side, p, 0);
    }
  }

  /** A trade from the venue's strings; false when not representable (the trade is not printed). */
  trade(tradeId: number, price: string, size: string, aggressor: Side, timeUs: number): boolean {
    const p = toUnits(price, this.price);
    const s = toUnits(size, this.size);
    if (p === undefined || s === undefined || s === 0) {
      this.unrepresentable++;
      return false;
    }
    this.feed.trade(tradeId, p, s, aggressor, timeUs);
    return true;
  }
}
