import { ErrorCode } from '@tickmesh/shared';
import { bpsFrom, round, suspectOf, type MdAnomaly, type MdSuspect } from './md-anomaly';

/** Options of CrossedBookDetector. */
export interface CrossedBookOptions {
  /** A crossed or locked book must stay so this long (an update half applied does not count). Default 1,000 ms. */
  minDurationMs?: number;
}

/**
 * A crossed (best bid above best ask) or locked (equal) book at one venue: its matching engine
 * would have traded them, so the book we hold is wrong (a lost delete, a missed resync). One
 * alert per episode, after it lasted `minDurationMs`; a locked book that then crosses is still
 * the same episode. Score 1 when crossed, 0.8 when locked (some venues let a locked book show).
 */
export class CrossedBookDetector {
  private readonly minDurationMs: number;
  private readonly episodes = new Map<string, { sinceMs: number; raised: MdAnomaly | undefined }>();

  constructor(options: CrossedBookOptions = {}) {
    this.minDurationMs = options.minDurationMs ?? 1000;
  }

  /** The stream's best bid and ask now (NaN = side empty); `live`: its state is Live. */
  observe(venue: string, symbol: string, bid: number, ask: number, live: boolean, nowMs: number): MdAnomaly[] {
    const key = `${venue}\u0000${symbol}`;
    if (!live || !(bid > 0) || !(ask > 0) || bid < ask) {
      this.episodes.delete(key);
      return [];
    }
    const e = this.episodes.get(key);
    if (e === undefined) {
      this.episodes.set(key, { sinceMs: nowMs, raised: undefined });
      return [];
    }
    const forMs = nowMs - e.sinceMs;
    if (e.raised !== undefined || forMs < this.minDurationMs) return [];
    const crossed = bid > ask;
    e.raised = {
      code: crossed ? ErrorCode.MD_ANOMALY_CROSSED_BOOK : ErrorCode.MD_ANOMALY_LOCKED_BOOK,
      venue,
      symbol,
      timeUs: nowMs * 1000,
      score: crossed ? 1 : 0.8,
      message: `${venue} ${symbol} book ${crossed ? 'crossed' : 'locked'} for ${forMs} ms: best bid ${round(bid, 8)} ${crossed ? '>' : '='} best ask ${round(ask, 8)}`,
      evidence: { bid: round(bid, 8), ask: round(ask, 8), crossBps: round(bpsFrom(bid, ask)), forMs },
    };
    return [e.raised];
  }

  /** The crossed or locked books reported that are still so. */
  ongoing(out: MdSuspect[]): void {
    for (const e of this.episodes.values()) if (e.raised !== undefined) out.push(suspectOf(e.raised));
  }
}
