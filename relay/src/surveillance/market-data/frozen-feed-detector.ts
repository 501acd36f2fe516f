import { ErrorCode } from '@tickmesh/shared';
import { suspectOf, type MdAnomaly, type MdSuspect } from './md-anomaly';

/** Options of FrozenFeedDetector. */
export interface FrozenFeedOptions {
  /** Silence of this many times the stream's usual longest gap (90th percentile) is frozen ... Default 10. */
  multiple?: number;
  /** ... and never less than this. Default 5,000 ms. */
  minSilenceMs?: number;
  /** Gaps between updates remembered for the cadence. Default 200. */
  history?: number;
  /** Gaps it takes to know a stream's cadence; a newer stream is never judged. Default 20. */
  minSamples?: number;
}

interface Tape {
  lastMs: number;
  gaps: Float64Array;
  n: number;
  /** The silence reported, while it lasts; the next update re-arms. */
  raised: MdAnomaly | undefined;
}

/**
 * A frozen feed: a stream that says it is live, whose venue has gone silent for far longer
 * than its own cadence (a socket still open but no longer delivering, a venue stuck). Measured
 * against the stream's own 90th-percentile gap, so an illiquid pair that ticks once a minute
 * is not flagged for it; a stream that is stale or halted is already known not to be live.
 * One alert per silence.
 */
export class FrozenFeedDetector {
  private readonly o: Required<FrozenFeedOptions>;
  private readonly tapes = new Map<string, Tape>();

  constructor(options: FrozenFeedOptions = {}) {
    this.o = { multiple: 10, minSilenceMs: 5000, history: 200, minSamples: 20, ...options };
  }

  /** The stream changed (a level, a trade, a reset) at `nowMs`. */
  activity(venue: string, symbol: string, nowMs: number): void {
    const key = `${venue}\u0000${symbol}`;
    const t = this.tapes.get(key);
    if (t === undefined) {
      this.tapes.set(key, { lastMs: nowMs, gaps: new Float64Array(this.o.history), n: 0, raised: undefined });
      return;
    }
    // A silence already reported is no cadence: it would teach the detector to expect silences.
    if (t.raised === undefined) {
      t.gaps[t.n % this.o.history] = nowMs - t.lastMs;
      t.n++;
    }
    t.lastMs = nowMs;
    t.raised = undefined;
  }

  /** The silences reported that have not ended (no update since). */
  ongoing(out: MdSuspect[]): void {
    for (const t of this.tapes.values()) if (t.raised !== undefined) out.push(suspectOf(t.raised));
  }

  /** Forgets the silence so far of every stream (the relay itself stalled, not the venues). */
  rebase(nowMs: number): void {
    for (const t of this.tapes.values()) t.lastMs = Math.max(t.lastMs, nowMs);
  }

  /** Judges one stream now; `live`: the stream's state is Live. */
  check(venue: string, symbol: string, live: boolean, nowMs: number): MdAnomaly[] {
    const t = this.tapes.get(`${venue}\u0000${symbol}`);
    if (t === undefined || t.raised !== undefined || t.n < this.o.minSamples) return [];
    if (!live) {
      // A stale or halted stream is known not to be live; its silence starts counting when it is again.
      t.lastMs = nowMs;
      return [];
    }
    const silentMs = nowMs - t.lastMs;
    const p90 = this.p90(t);
    const limitMs = Math.max(this.o.minSilenceMs, this.o.multiple * p90);
    if (silentMs <= limitMs) return [];
    t.raised = {
      code: ErrorCode.MD_ANOMALY_FROZEN_FEED,
      venue,
      symbol,
      timeUs: nowMs * 1000,
      score: 0.8,
      message: `${venue} ${symbol} is live but has not updated for ${Math.round(silentMs)} ms (it usually updates within ${Math.round(p90)} ms; limit ${Math.round(limitMs)} ms)`,
      evidence: { silentMs: Math.round(silentMs), usualGapMs: Math.round(p90), limitMs: Math.round(limitMs), lastUpdateMs: t.lastMs },
    };
    return [t.raised];
  }

  private p90(t: Tape): number {
    const len = Math.min(t.n, this.o.history);
    const s = t.gaps.slice(0, len).sort();
    return s[Math.min(len - 1, Math.floor(len * 0.9))]!;
  }
}
