import { FastBook } from '@tickmesh/shared';
import { Side, StreamState, type BookBatch, type BookSnapshot, type Instrument, type Trade } from '@tickmesh/shared';
import type { InstrumentFeed } from '../venues/venue-adapter';

/**
 * What an operator reads of a stream's health (Prometheus, at scrape time): plain numbers the
 * feed path bumps, since `level` runs for every update of every venue.
 */
export interface MdStreamHealth {
  /** Level updates and trades written by the venue adapter. */
  updates: number;
  /** Whole-book resets (the adapter resynced from a snapshot): each starts a new epoch. */
  resets: number;
  /** Times the stream entered each state, by StreamState value. */
  entered: Record<number, number>;
  /** Date.now() of the last batch or reset flushed (0 = none yet). */
  lastFlushAt: number;
}

/**
 * One market-data stream: a (venue, symbol) book with its epoch and gap-free seq. The venue
 * adapter writes into it through InstrumentFeed; the service takes one batch per flush.
 * Changed prices are remembered (not each update), so a level that moves ten times within
 * a flush costs one entry in the batch.
 */
export class MdStream implements InstrumentFeed {
  readonly book = new FastBook();
  seq = 0;
  currentState: StreamState = StreamState.Live;
  /** performance.now() of the oldest change not yet flushed; 0 when clean. */
  dirtySince = 0;
  private readonly changedBids = new Set<number>();
  private readonly changedAsks = new Set<number>();
  private pendingTrades: Trade[] = [];
  private readonly recent: Trade[] = [];
  private stateChanged = false;
  private resetPending = false;
  readonly health: MdStreamHealth = { updates: 0, resets: 0, entered: {}, lastFlushAt: 0 };

  constructor(
    readonly id: number,
    readonly instrument: Instrument,
    /** Epoch of this stream; a venue reset starts the next one. */
    public epoch: number,
    private readonly recentTradesKept: number,
  ) {}

  level(side: Side, price: number, size: number): void {
    this.book.apply(side, price, size);
    this.health.updates++;
    (side === Side.Buy ? this.changedBids : this.changedAsks).add(price);
    if (this.dirtySince === 0) this.dirtySince = performance.now();
  }

  trade(tradeId: number, price: number, size: number, aggressor: Side, timeUs: number): void {
    this.pendingTrades.push({ tradeId, price, size, aggressor, timeUs });
    this.health.updates++;
    if (this.dirtySince === 0) this.dirtySince = performance.now();
  }

  clear(): void {
    this.book.clear();
    this.changedBids.clear();
    this.changedAsks.clear();
    this.resetPending = true;
    this.health.resets++;
    if (this.dirtySince === 0) this.dirtySince = performance.now();
  }

  state(state: StreamState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.stateChanged = true;
    this.health.entered[state] = (this.health.entered[state] ?? 0) + 1;
    if (this.dirtySince === 0) this.dirtySince = performance.now();
  }

  get dirty(): boolean {
    return this.dirtySince !== 0;
  }

  /**
   * True when the pending changes start a new epoch (the venue cleared its book): the service
   * then sends subscribers a snapshot of the new epoch instead of a batch.
   */
  takeReset(): boolean {
    if (!this.resetPending) return false;
    this.resetPending = false;
    this.epoch += 1;
    this.seq = 0;
    this.changedBids.clear();
    this.changedAsks.clear();
    this.stateChanged = false;
    this.dirtySince = 0;
    this.remember(this.pendingTrades);
    this.pendingTrades = [];
    return true;
  }

  /** Takes everything changed since the last flush as the batch with the next seq. */
  takeBatch(timeUs: number): BookBatch {
    this.seq += 1;
    const trades = this.pendingTrades;
    this.pendingTrades = [];
    this.remember(trades);
    const batch: BookBatch = {
      streamId: this.id,
      epoch: this.epoch,
      seq: this.seq,
      bids: this.changes(this.changedBids, Side.Buy),
      asks: this.changes(this.changedAsks, Side.Sell),
      trades,
      checksum: this.book.checksum(),
      state: this.stateChanged ? this.currentState : StreamState.Unspecified,
      timeUs,
    };
    this.changedBids.clear();
    this.changedAsks.clear();
    this.stateChanged = false;
    this.dirtySince = 0;
    return batch;
  }

  /** The book exactly as of `seq`. Callers flush pending changes first (see MarketDataService). */
  snapshot(timeUs: number): BookSnapshot {
    return {
      streamId: this.id,
      epoch: this.epoch,
      seq: this.seq,
      bids: this.book.levels(Side.Buy),
      asks: this.book.levels(Side.Sell),
      recentTrades: this.recent.slice(),
      checksum: this.book.checksum(),
      state: this.currentState,
      timeUs,
    };
  }

  private changes(prices: Set<number>, side: Side): { price: Float64Array; size: Float64Array } {
    const price = Float64Array.from(prices);
    // Best first, so the wire's delta-coded prices stay small.
    if (side === Side.Buy) price.sort().reverse();
    else price.sort();
    const size = new Float64Array(price.length);
    for (let i = 0; i < price.length; i++) size[i] = this.book.sizeAtPrice(side, price[i]!);
    return { price, size };
  }

  private remember(trades: Trade[]): void {
    for (const t of trades) this.recent.push(t);
    const excess = this.recent.length - this.recentTradesKept;
    if (excess > 0) this.recent.splice(0, excess);
  }
}
