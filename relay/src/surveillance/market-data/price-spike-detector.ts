import { ErrorCode } from '@tickmesh/shared';
import { bpsFrom, round, type MdAnomaly } from './md-anomaly';

/** Options of PriceSpikeDetector. */
export interface PriceSpikeOptions {
  /** A jump of k robust standard deviations of the stream's recent mid moves is a spike ... Default 10. */
  k?: number;
  /** ... once it is at least this large (a quiet book's deviation is near 0). Default 20 bps. */
  minBps?: number;
  /** A jump this large is a spike whatever the recent volatility (a bad print, a fat finger). Default 200 bps. */
  maxBps?: number;
  /** Mid moves remembered for the volatility. Default 256. */
  history?: number;
  /** Moves it takes before k × volatility is trusted (maxBps applies from the first). Default 30. */
  minSamples?: number;
  /** After an alert the stream is quiet this long (one alert per spike, not per batch of it). Default 10,000 ms. */
  quietMs?: number;
}

interface Tape {
  prevMid: number;
  /** Ring of |mid move| in bps. */
  moves: Float64Array;
  n: number;
  quietUntilMs: number;
}

/**
 * Price spikes: a stream's mid, or a trade it printed, jumps from the previous mid by more than
 * `k` robust standard deviations of its recent mid moves (1.4826 × median absolute move, which
 * the spike itself barely shifts) and at least `minBps`; or by more than `maxBps` at any time.
 * Judged once per published batch, so a move is measured flush to flush.
 */
export class PriceSpikeDetector {
  private readonly o: Required<PriceSpikeOptions>;
  private readonly tapes = new Map<string, Tape>();
  private readonly scratch: Float64Array;

  constructor(options: PriceSpikeOptions = {}) {
    this.o = { k: 10, minBps: 20, maxBps: 200, history: 256, minSamples: 30, quietMs: 10_000, ...options };
    this.scratch = new Float64Array(this.o.history);
  }

  /**
   * One batch of the stream `venue`/`symbol`: its mid after the batch (NaN if a side is empty)
   * and the prices of the trades it printed, in quote units.
   */
  observe(venue: string, symbol: string, mid: number, trades: ArrayLike<number>, nowMs: number): MdAnomaly[] {
    const key = `${venue}\u0000${symbol}`;
    let t = this.tapes.get(key);
    if (t === undefined) this.tapes.set(key, (t = { prevMid: Number.NaN, moves: new Float64Array(this.o.history), n: 0, quietUntilMs: -Infinity }));
    const prev = t.prevMid;
    if (!(prev > 0)) {
      if (mid > 0) t.prevMid = mid;
      return [];
    }
    // The largest jump of this batch: the new mid or any trade, each against the mid before it.
    let worst = 0;
    let what = 'mid';
    let price = Number.NaN;
    if (mid > 0) [worst, price] = [bpsFrom(mid, prev), mid];
    for (let i = 0; i < trades.length; i++) {
      const bps = bpsFrom(trades[i]!, prev);
      if (Math.abs(bps) > Math.abs(worst)) [worst, what, price] = [bps, 'trade', trades[i]!];
    }
    const jump = Math.abs(worst);
    // Sorting the history is only worth it for a jump that could be a spike (almost never).
    const sigma = jump >= this.o.minBps ? this.sigma(t) : 0;
    const bySigma = t.n >= this.o.minSamples && jump >= this.o.minBps && jump >= this.o.k * sigma;
    if (mid > 0) {
      t.moves[t.n % this.o.history] = Math.abs(bpsFrom(mid, prev));
      t.n++;
      t.prevMid = mid;
    }
    if (!(bySigma || jump >= this.o.maxBps) || nowMs < t.quietUntilMs) return [];
    t.quietUntilMs = nowMs + this.o.quietMs;
    return [{
      code: ErrorCode.MD_ANOMALY_PRICE_SPIKE,
      venue,
      symbol,
      timeUs: nowMs * 1000,
      score: Math.min(1, Math.max(0.5, jump / this.o.maxBps)),
      message: `${venue} ${symbol} ${what} ${round(price, 8)} jumped ${round(jump, 1)} bps ${worst > 0 ? 'up' : 'down'} from mid ${round(prev, 8)}${sigma > 0 ? ` (${round(jump / sigma, 1)}× its recent volatility of ${round(sigma, 2)} bps)` : ''}`,
      evidence: { what, price: round(price, 8), previousMid: round(prev, 8), jumpBps: round(worst), sigmaBps: round(sigma, 4), k: this.o.k, minBps: this.o.minBps, maxBps: this.o.maxBps },
    }];
  }

  /** 1.4826 × the median absolute mid move: the standard deviation if moves were normal, robust to outliers. */
  private sigma(t: Tape): number {
    const len = Math.min(t.n, this.o.history);
    if (len === 0) return 0;
    const s = this.scratch.subarray(0, len);
    s.set(t.moves.subarray(0, len));
    s.sort();
    return 1.4826 * s[len >> 1]!;
  }
}
