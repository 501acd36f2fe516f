import { DEFAULT_CANDLE_CAPACITY, TIMEFRAMES, TIMEFRAME_NAMES, type Candle, type Timeframe } from './candle';
import { CandleRing } from './candle-ring';
import { rollUp } from './candle-rollup';

/** Options of {@link CandleStore}. */
export interface CandleStoreOptions {
  /** Candles kept per stream and timeframe. Default {@link DEFAULT_CANDLE_CAPACITY}. */
  capacity?: Partial<Record<Timeframe, number>>;
}

/** A stream's last 24 h (the watchlist's figures), from its 1-minute candles. */
export interface Ticker24h {
  /** Last trade price, ticks (NaN when the stream never traded). */
  last: number;
  /** Open of the first 1-minute candle of the last 24 h, ticks (NaN when none). */
  open: number;
  high: number;
  low: number;
  /** Lots traded in the last 24 h. */
  volume: number;
  /** Bucket time of the newest candle, seconds (NaN when none). */
  time: number;
}

/**
 * OHLCV candles of every market-data stream in every timeframe (1 s … 1 d), built from the
 * stream's trades as the market-data service publishes them, and seeded with the venue's
 * history. Memory is bounded: each (stream, timeframe) is a fixed ring.
 */
export class CandleStore {
  private readonly streams = new Map<number, Map<Timeframe, CandleRing>>();
  private readonly capacity: Record<Timeframe, number>;

  constructor(options: CandleStoreOptions = {}) {
    this.capacity = { ...DEFAULT_CANDLE_CAPACITY, ...options.capacity };
  }

  /** Adds one trade of a stream to every timeframe. `timeUs` is µs since the epoch. */
  trade(streamId: number, price: number, size: number, timeUs: number): void {
    const timeSec = timeUs / 1e6;
    for (const ring of this.rings(streamId).values()) ring.trade(timeSec, price, size);
  }

  /**
   * Seeds a stream with 1-minute history (oldest first): 1 m as given, 5 m … 1 d rolled up
   * from it; 1 s stays live only (history at 1 s would be 60× the data for little use).
   * Candles at or after the oldest live candle of a timeframe are ignored there.
   */
  seed(streamId: number, oneMinute: readonly Candle[]): void {
    if (oneMinute.length === 0) return;
    for (const [tf, ring] of this.rings(streamId)) {
      const seconds = TIMEFRAMES[tf];
      if (seconds < 60) continue;
      ring.prepend(seconds === 60 ? oneMinute : rollUp(oneMinute, seconds));
    }
  }

  /** The newest `limit` candles of a stream's timeframe with bucket open in [from, to] seconds, oldest first. */
  candles(streamId: number, tf: Timeframe, from: number, to: number, limit: number): Candle[] {
    return this.streams.get(streamId)?.get(tf)?.range(from, to, limit) ?? [];
  }

  /** Last, open, high, low and volume over the 24 h up to `nowSec`, from the 1-minute candles. */
  ticker(streamId: number, nowSec: number): Ticker24h {
    // The 1440 minute buckets up to and including the current one.
    const from = Math.floor(nowSec / 60) * 60 - 86_400 + 60;
    const list = this.candles(streamId, '1m', from, Infinity, Number.MAX_SAFE_INTEGER);
    const t: Ticker24h = { last: Number.NaN, open: Number.NaN, high: Number.NaN, low: Number.NaN, volume: 0, time: Number.NaN };
    if (list.length === 0) return t;
    t.open = list[0]!.open;
    t.high = -Infinity;
    t.low = Infinity;
    for (const c of list) {
      if (c.high > t.high) t.high = c.high;
      if (c.low < t.low) t.low = c.low;
      t.volume += c.volume;
    }
    const last = list[list.length - 1]!;
    t.last = last.close;
    t.time = last.time;
    return t;
  }

  private rings(streamId: number): Map<Timeframe, CandleRing> {
    let m = this.streams.get(streamId);
    if (m === undefined) {
      m = new Map(TIMEFRAME_NAMES.map((tf) => [tf, new CandleRing(TIMEFRAMES[tf], this.capacity[tf])]));
      this.streams.set(streamId, m);
    }
    return m;
  }
}
