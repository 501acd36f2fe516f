import type { Candle } from '../../md/candles/candle';
import { Prng } from './prng';

/** Options of {@link simHistory}. */
export interface SimHistoryOptions {
  /** Seed of the price path. SimVenue gives every venue of a symbol the same one, so their histories agree (up to each venue's premium). */
  seed: number;
  /** Seed of the volumes (per venue: each venue has its own flow). Default `seed`. */
  volumeSeed?: number;
  /** Price the history ends at, ticks: the market's opening fair price, so the live chart continues it. */
  endPrice: number;
  /** Bucket open of the first live minute, seconds (history ends just before it). A multiple of 60. */
  endTimeSec: number;
  /** Minutes of history. */
  minutes: number;
  /** The order flow's quote grid, ticks (see OrderFlowGenerator.gridTicks). */
  gridTicks: number;
  /** Typical order size, lots. */
  baseQty: number;
  /** Generator actions per second (the live flow's rate): sets volatility and volume per minute. */
  updatesPerSecond: number;
}

/** Price steps simulated per minute: enough for highs and lows that are not just open and close. */
const STEPS_PER_MINUTE = 12;

/**
 * Deterministic 1-minute OHLCV history for a simulated market: a random walk whose volatility
 * and volume per minute match what the live order flow produces at `updatesPerSecond` (its
 * per-action noise and jumps, see OrderFlowGenerator), with slow volatility regimes so a day
 * of it looks like a market rather than white noise. The walk is generated forwards and then
 * shifted so the last close is exactly `endPrice`: the history ends where the simulator starts.
 * The same options give the same candles, always.
 */
export function simHistory(o: SimHistoryOptions): Candle[] {
  const n = Math.max(0, Math.floor(o.minutes));
  if (n === 0) return [];
  const rng = new Prng(o.seed);
  const volRng = new Prng(o.volumeSeed ?? o.seed);
  const actionsPerMinute = o.updatesPerSecond * 60;
  // Per action the generator moves N(0, 0.35 grid) plus a jump of 15 × U(0.5, 1.5) grids with
  // p = 0.0005: variance 0.35² + 0.0005 × 15² × 13/12 ≈ 0.244 grid². Measured over 40 live
  // minutes (BTC-USD, seed 1, 200/s) the fair price moved ~584 ticks/min (sd), a little less than
  // that predicts (the walk is floored and regimes add some): 0.18 matches it.
  const sigmaMinute = o.gridTicks * Math.sqrt(actionsPerMinute * 0.18);
  const sigmaStep = sigmaMinute / Math.sqrt(STEPS_PER_MINUTE);
  // About 12% of actions are takers of ~1.5 typical sizes, not all of which fill: measured live,
  // ~1.05 M lots/min for BTC-USD at 200/s (baseQty 500), i.e. 0.105 × 1.5 × baseQty per action.
  const volumePerMinute = actionsPerMinute * 0.105 * 1.5 * o.baseQty;

  // Raw walk from 0: per minute its open, extremes and close, as offsets.
  const open = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const close = new Float64Array(n);
  const volume = new Float64Array(n);
  let x = 0;
  let regime = 0;
  for (let m = 0; m < n; m++) {
    // AR(1) log-volatility, half-life about 2 hours.
    regime = 0.994 * regime + 0.11 * rng.normal();
    const scale = Math.exp(0.5 * regime);
    open[m] = x;
    let hi = x;
    let lo = x;
    for (let k = 0; k < STEPS_PER_MINUTE; k++) {
      x += rng.normal() * sigmaStep * scale;
      if (x > hi) hi = x;
      if (x < lo) lo = x;
    }
    high[m] = hi;
    low[m] = lo;
    close[m] = x;
    volume[m] = Math.max(1, Math.round(volumePerMinute * scale * Math.exp(0.35 * volRng.normal() - 0.06)));
  }

  // Shift so the last close is endPrice; never below one tick.
  const shift = o.endPrice - x;
  const px = (v: number) => Math.max(1, Math.round(v + shift));
  const start = o.endTimeSec - n * 60;
  const out: Candle[] = new Array(n);
  for (let m = 0; m < n; m++) {
    const op = px(open[m]!);
    const cl = px(close[m]!);
    out[m] = { time: start + m * 60, open: op, high: Math.max(px(high[m]!), op, cl), low: Math.min(px(low[m]!), op, cl), close: cl, volume: volume[m]! };
  }
  return out;
}
