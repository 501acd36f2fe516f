import type { Candle } from '../workers/terminal-api';

/** The chart's timeframes: label, the relay's `tf` name and the width in seconds. */
export const CHART_TIMEFRAMES = [
  { tf: '1s', seconds: 1 },
  { tf: '1m', seconds: 60 },
  { tf: '5m', seconds: 300 },
  { tf: '15m', seconds: 900 },
  { tf: '1h', seconds: 3_600 },
  { tf: '1d', seconds: 86_400 },
] as const;

/** The relay's `tf` name of a candle width, or undefined when the relay keeps no such timeframe. */
export function timeframeName(seconds: number): string | undefined {
  return CHART_TIMEFRAMES.find((t) => t.seconds === seconds)?.tf;
}

/**
 * The candles a chart draws: history from the relay (GET /api/candles) with the worker's live
 * candles on top, and older pages put in front as the trader scrolls back.
 *
 * The worker builds its candles only from the trades it has seen since the view opened, so
 * the bucket the history ended in is in both: there the relay's candle keeps its open, high
 * and low are widened by the live ones, the close is the live one's, and the volume is the
 * larger of the two (both count the trades they saw; summing would count the overlap twice).
 * Buckets after the history are the worker's alone.
 */
export class ChartHistory {
  /** Oldest first, one per bucket. */
  private list: Candle[] = [];
  /** The relay's version of each bucket the history covered, kept to merge live updates against. */
  private fromRelay = new Map<number, Candle>();
  /** Live candles that came before the history: applied once it is in. */
  private early: Candle[] = [];
  private loaded = false;

  get candles(): readonly Candle[] {
    return this.list;
  }

  get oldestTime(): number {
    return this.list.length > 0 ? this.list[0]!.time : Number.NaN;
  }

  get hasHistory(): boolean {
    return this.loaded;
  }

  /** Starts over with the worker's candles of a new view (no history yet). */
  reset(live: readonly Candle[]): void {
    this.list = live.map((c) => ({ ...c }));
    this.fromRelay.clear();
    this.early = live.slice();
    this.loaded = false;
  }

  /** Puts the relay's history under what is shown; live candles received meanwhile are applied on top. */
  setHistory(history: readonly Candle[]): void {
    this.list = history.map((c) => ({ ...c }));
    this.fromRelay = new Map(history.map((c) => [c.time, c]));
    this.loaded = true;
    const early = this.early;
    this.early = [];
    for (const c of early) this.applyLive(c);
  }

  /**
   * A live candle from the worker: returns the candle to draw for its bucket, or undefined when
   * it is older than the newest shown (the chart can only update its last bar; the worker's
   * late trades into past buckets are left to the relay's history).
   */
  applyLive(c: Candle): Candle | undefined {
    if (!this.loaded) this.early.push(c);
    const last = this.list[this.list.length - 1];
    if (last !== undefined && c.time < last.time) return undefined;
    const relay = this.fromRelay.get(c.time);
    const drawn: Candle =
      relay === undefined
        ? { ...c }
        : { time: c.time, open: relay.open, high: Math.max(relay.high, c.high), low: Math.min(relay.low, c.low), close: c.close, volume: Math.max(relay.volume, c.volume) };
    if (last !== undefined && last.time === c.time) this.list[this.list.length - 1] = drawn;
    else this.list.push(drawn);
    return drawn;
  }

  /** Puts an older page (oldest first) in front; returns how many candles were added. */
  prepend(older: readonly Candle[]): number {
    const first = this.oldestTime;
    const add = Number.isNaN(first) ? older.slice() : older.filter((c) => c.time < first);
    for (const c of add) this.fromRelay.set(c.time, c);
    this.list = add.map((c) => ({ ...c })).concat(this.list);
    return add.length;
  }
}
