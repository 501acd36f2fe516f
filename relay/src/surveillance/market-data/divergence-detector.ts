import { ErrorCode } from '@tickmesh/shared';
import { bpsFrom, round, suspectOf, type MdAnomaly, type MdSuspect } from './md-anomaly';

/** Options of DivergenceDetector. */
export interface DivergenceOptions {
  /** A venue's mid this far from the other venues' (median) mid diverges. Default 100 bps. */
  thresholdBps?: number;
  /** ... when it stays that far for this long (a print racing across venues does not). Default 2,000 ms. */
  minDurationMs?: number;
}

interface Quote {
  mid: number;
  /** When the mid last changed: with two venues and no calm mid yet, the one that moved last is the suspect. */
  changedMs: number;
  /**
   * The venue's mid when the symbol's venues last agreed (within half the threshold): with two
   * venues, the one farther from its own calm mid is the one that went away. Both venues of a
   * live market move all the time, so "which moved last" alone is a coin flip (the bench showed
   * it blaming the wrong venue half the time).
   */
  calmMid: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * Cross-venue divergence: the same symbol quoted at two or more venues, one venue's mid apart
 * from the others' by more than `thresholdBps` for longer than `minDurationMs`. One alert per
 * episode and symbol; it re-arms once every venue is back within half the threshold.
 * The suspect venue: with three or more, the one farthest from the median of the others (the
 * median is robust to that very outlier); with two, the one whose mid went farther from where
 * it was when the two last agreed (before they ever agreed: the one whose mid moved last). Only live, two-sided books take part.
 */
export class DivergenceDetector {
  private readonly thresholdBps: number;
  private readonly minDurationMs: number;
  private readonly quotes = new Map<string, Map<string, Quote>>();
  private readonly episodes = new Map<string, { sinceMs: number; raised: MdAnomaly | undefined }>();

  constructor(options: DivergenceOptions = {}) {
    this.thresholdBps = options.thresholdBps ?? 100;
    this.minDurationMs = options.minDurationMs ?? 2000;
  }

  /** The book of `venue` for `symbol` now: best bid and ask in quote units (NaN = side empty). */
  quote(symbol: string, venue: string, bid: number, ask: number, live: boolean, nowMs: number): void {
    let bySymbol = this.quotes.get(symbol);
    if (bySymbol === undefined) this.quotes.set(symbol, (bySymbol = new Map()));
    if (!live || !(bid > 0) || !(ask > 0) || bid >= ask) {
      // Not a price anyone can compare (a crossed book is its own anomaly).
      bySymbol.delete(venue);
      return;
    }
    const mid = (bid + ask) / 2;
    const q = bySymbol.get(venue);
    if (q === undefined) bySymbol.set(venue, { mid, changedMs: nowMs, calmMid: Number.NaN });
    else if (q.mid !== mid) {
      q.mid = mid;
      q.changedMs = nowMs;
    }
  }

  /** Judges every symbol on the quotes given so far. */
  check(nowMs: number): MdAnomaly[] {
    const out: MdAnomaly[] = [];
    for (const [symbol, bySymbol] of this.quotes) {
      const worst = this.suspect(bySymbol);
      const episode = this.episodes.get(symbol);
      if (worst !== undefined && Math.abs(worst.bps) <= this.thresholdBps / 2) for (const q of bySymbol.values()) q.calmMid = q.mid;
      if (worst === undefined || Math.abs(worst.bps) <= this.thresholdBps) {
        if (episode !== undefined && (worst === undefined || episode.raised === undefined || Math.abs(worst.bps) < this.thresholdBps / 2)) this.episodes.delete(symbol);
        continue;
      }
      if (episode === undefined) {
        this.episodes.set(symbol, { sinceMs: nowMs, raised: undefined });
        continue;
      }
      const forMs = nowMs - episode.sinceMs;
      if (episode.raised !== undefined || forMs < this.minDurationMs) continue;
      const evidence: Record<string, number | string> = { mid: round(worst.mid, 8), reference: round(worst.reference, 8), deviationBps: round(worst.bps), forMs, thresholdBps: this.thresholdBps };
      for (const [venue, q] of bySymbol) evidence[`mid.${venue}`] = round(q.mid, 8);
      episode.raised = {
        code: ErrorCode.MD_ANOMALY_DIVERGENCE,
        venue: worst.venue,
        symbol,
        timeUs: nowMs * 1000,
        score: Math.min(1, Math.abs(worst.bps) / (2 * this.thresholdBps)),
        message: `${worst.venue} ${symbol} mid ${round(worst.mid, 8)} is ${round(Math.abs(worst.bps), 1)} bps ${worst.bps > 0 ? 'above' : 'below'} the other venues' ${round(worst.reference, 8)} for ${forMs} ms`,
        evidence,
      };
      out.push(episode.raised);
    }
    return out;
  }

  /**
   * The divergences reported that are still open, each blaming the venue it named when raised
   * (the episode closes once every venue is back within half the threshold).
   */
  ongoing(out: MdSuspect[]): void {
    for (const e of this.episodes.values()) if (e.raised !== undefined) out.push(suspectOf(e.raised));
  }

  private suspect(bySymbol: Map<string, Quote>): { venue: string; mid: number; reference: number; bps: number } | undefined {
    if (bySymbol.size < 2) return undefined;
    const all = [...bySymbol];
    if (all.length === 2) {
      const [a, b] = all as [[string, Quote], [string, Quote]];
      const away = (q: Quote) => Math.abs(bpsFrom(q.mid, q.calmMid));
      const calm = a[1].calmMid > 0 && b[1].calmMid > 0;
      const aMoved = calm ? away(a[1]) > away(b[1]) : a[1].changedMs > b[1].changedMs;
      const [[venue, q], [, other]] = aMoved ? [a, b] : [b, a];
      return { venue, mid: q.mid, reference: other.mid, bps: bpsFrom(q.mid, other.mid) };
    }
    let worst: { venue: string; mid: number; reference: number; bps: number } | undefined;
    for (const [venue, q] of all) {
      const reference = median(all.filter(([v]) => v !== venue).map(([, o]) => o.mid));
      const bps = bpsFrom(q.mid, reference);
      if (worst === undefined || Math.abs(bps) > Math.abs(worst.bps)) worst = { venue, mid: q.mid, reference, bps };
    }
    return worst;
  }
}
