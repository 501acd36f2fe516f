import type { Trade } from '@tickmesh/shared';
import type { Candle } from './terminal-api';

/** Options of `CandleSeries`. */
export interface CandleSeriesOptions {
  /** Candle width, seconds. Default 60. */
  seconds?: number;
  /** Candles kept; older ones are dropped. Default 500. */
  maxCandles?: number;
}

/**
 * OHLCV candles of one view built from its trades (prices in ticks, volume in lots), with
 * change tracking so each animation frame carries only the candles to redraw.
 *
 * Trades from several venues arrive interleaved, so one may belong to a bucket before the live
 * one: it updates (or creates) that bucket's candle, which is then reported again, oldest
 * first, rather than distorting the live one. A trade older than every kept candle is dropped.
 */
export class CandleSeries {
  readonly seconds: number;
  private readonly max: number;
  private readonly candles: Candle[] = [];
  /** Candles changed since the last `takeChanged`, by reference (deduplicated). */
  private readonly changed = new Set<Candle>();
  /**
   * Trade times of each candle's open and close. Trades of several venues arrive in flush
   * order, not time order, so a later arrival may be the earlier trade: open and close follow
   * trade time, not arrival.
   */
  private readonly edges = new WeakMap<Candle, { openUs: number; closeUs: number }>();

  constructor(options: CandleSeriesOptions = {}) {
    this.seconds = options.seconds ?? 60;
    this.max = options.maxCandles ?? 500;
    if (!(this.seconds > 0)) throw new RangeError(`candle width must be positive, got ${this.seconds}`);
  }

  get size(): number {
    return this.candles.length;
  }

  /** Adds one trade. */
  add(trade: Trade): void {
    const w = this.seconds;
    const time = Math.floor(trade.timeUs / 1e6 / w) * w;
    const list = this.candles;
    const last = list[list.length - 1];
    let c: Candle | undefined;
    if (last === undefined || time > last.time) {
      c = { time, open: trade.price, high: trade.price, low: trade.price, close: trade.price, volume: 0 };
      list.push(c);
      if (list.length > this.max) {
        const dropped = list.shift()!;
        this.changed.delete(dropped);
      }
    } else if (time === last.time) {
      c = last;
    } else {
      if (time < list[0]!.time) return;
      c = this.findOrInsert(time, trade.price);
    }
    if (trade.price > c.high) c.high = trade.price;
    if (trade.price < c.low) c.low = trade.price;
    const e = this.edges.get(c);
    if (e === undefined) this.edges.set(c, { openUs: trade.timeUs, closeUs: trade.timeUs });
    else {
      if (trade.timeUs < e.openUs) {
        e.openUs = trade.timeUs;
        c.open = trade.price;
      }
      if (trade.timeUs >= e.closeUs) {
        e.closeUs = trade.timeUs;
        c.close = trade.price;
      }
    }
    c.volume += trade.size;
    this.changed.add(c);
  }

  /** Copies of the candles changed since the last call, oldest first. */
  takeChanged(): Candle[] {
    if (this.changed.size === 0) return [];
    const out: Candle[] = [];
    for (const c of this.changed) out.push({ ...c });
    this.changed.clear();
    out.sort((a, b) => a.time - b.time);
    return out;
  }

  /** Copies of every kept candle, oldest first; clears the change set (all are in it). */
  takeAll(): Candle[] {
    this.changed.clear();
    return this.candles.map((c) => ({ ...c }));
  }

  clear(): void {
    this.candles.length = 0;
    this.changed.clear();
  }

  /** The kept candle of bucket `time`, created in place (a bucket with no trade yet) if absent. */
  private findOrInsert(time: number, price: number): Candle {
    const list = this.candles;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const t = list[mid]!.time;
      if (t === time) return list[mid]!;
      if (t < time) lo = mid + 1;
      else hi = mid - 1;
    }
    const c: Candle = { time, open: price, high: price, low: price, close: price, volume: 0 };
    list.splice(lo, 0, c);
    return c;
  }
}
