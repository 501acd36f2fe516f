import { StreamState } from '@tickmesh/shared';
import { CrossedBookDetector, type CrossedBookOptions } from './crossed-book-detector';
import { DivergenceDetector, type DivergenceOptions } from './divergence-detector';
import { FrozenFeedDetector, type FrozenFeedOptions } from './frozen-feed-detector';
import type { MdAnomaly, MdSuspect } from './md-anomaly';
import { PriceSpikeDetector, type PriceSpikeOptions } from './price-spike-detector';

/** What the monitor reads of a market-data stream (an MdStream of the relay's MarketDataService). */
export interface WatchedStream {
  readonly instrument: { readonly venue: string; readonly symbol: string; readonly tickSize: string };
  readonly book: { bestBid(): number; bestAsk(): number };
  readonly currentState: StreamState;
  readonly health: { readonly updates: number; readonly resets: number };
}

/** Options of MdAnomalyMonitor; each detector's defaults are on its own options. */
export interface MdAnomalyOptions {
  divergence?: DivergenceOptions;
  spike?: PriceSpikeOptions;
  frozen?: FrozenFeedOptions;
  crossed?: CrossedBookOptions;
  /** How often books are compared and silences measured. Default 250 ms. */
  checkMs?: number;
  /** Clock in ms. Default Date.now. */
  nowMs?: () => number;
}

/**
 * Market-data anomaly detection over the relay's own streams, live: each published batch is
 * judged for price spikes (its mid and trades); every `checkMs` the books are compared across
 * venues (divergence), checked for crossed or locked tops, and each stream's silence is set
 * against its cadence (frozen feed). Prices are compared in quote units (ticks × tick size),
 * so venues with different tick sizes compare. Every anomaly goes to `raise`.
 */
export class MdAnomalyMonitor {
  private readonly divergence: DivergenceDetector;
  private readonly spike: PriceSpikeDetector;
  private readonly frozen: FrozenFeedDetector;
  private readonly crossed: CrossedBookDetector;
  private readonly checkMs: number;
  private readonly nowMs: () => number;
  private readonly tickSize = new WeakMap<WatchedStream, number>();
  private readonly seen = new WeakMap<WatchedStream, number>();
  private tradePx = new Float64Array(64);
  private lastTickMs = Number.NaN;
  /** Open episodes by `venue symbol`, as of the last check (the first one named when several are open). */
  private suspects = new Map<string, MdSuspect>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly streams: () => Iterable<WatchedStream>,
    private readonly raise: (a: MdAnomaly) => void,
    options: MdAnomalyOptions = {},
  ) {
    this.divergence = new DivergenceDetector(options.divergence);
    this.spike = new PriceSpikeDetector(options.spike);
    this.frozen = new FrozenFeedDetector(options.frozen);
    this.crossed = new CrossedBookDetector(options.crossed);
    this.checkMs = options.checkMs ?? 250;
    this.nowMs = options.nowMs ?? Date.now;
  }

  /** Checks every `checkMs` on an unref'd timer until stop(). */
  start(): void {
    this.timer ??= setInterval(() => this.tick(), this.checkMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** A batch of `stream` was published, with these trades (prices in ticks). */
  batch(stream: WatchedStream, trades: ReadonlyArray<{ price: number }>): void {
    if (stream.currentState !== StreamState.Live) return;
    const tick = this.tickOf(stream);
    if (this.tradePx.length < trades.length) this.tradePx = new Float64Array(trades.length * 2);
    for (let i = 0; i < trades.length; i++) this.tradePx[i] = trades[i]!.price * tick;
    const { venue, symbol } = stream.instrument;
    for (const a of this.spike.observe(venue, symbol, this.mid(stream) * tick, this.tradePx.subarray(0, trades.length), this.nowMs())) this.raise(a);
  }

  /** One check of every stream (the timer's; tests call it with their own clock). */
  tick(): void {
    const now = this.nowMs();
    // A late check means this process stalled (GC, a loaded machine), not that the venues went
    // quiet: their updates were waiting for us too. Silences restart from now.
    const stalled = now - this.lastTickMs > Math.max(4 * this.checkMs, 1000);
    this.lastTickMs = now;
    if (stalled) this.frozen.rebase(now);
    for (const s of this.streams()) {
      const { venue, symbol } = s.instrument;
      const live = s.currentState === StreamState.Live;
      const tick = this.tickOf(s);
      const changes = s.health.updates + s.health.resets;
      if (this.seen.get(s) !== changes) {
        this.seen.set(s, changes);
        this.frozen.activity(venue, symbol, now);
      }
      for (const a of this.frozen.check(venue, symbol, live, now)) this.raise(a);
      const bid = s.book.bestBid() * tick;
      const ask = s.book.bestAsk() * tick;
      for (const a of this.crossed.observe(venue, symbol, bid, ask, live, now)) this.raise(a);
      this.divergence.quote(symbol, venue, bid, ask, live, now);
    }
    for (const a of this.divergence.check(now)) this.raise(a);
    const open: MdSuspect[] = [];
    this.frozen.ongoing(open);
    this.crossed.ongoing(open);
    this.divergence.ongoing(open);
    const suspects = new Map<string, MdSuspect>();
    for (const s of open) if (!suspects.has(`${s.venue} ${s.symbol}`)) suspects.set(`${s.venue} ${s.symbol}`, s);
    this.suspects = suspects;
  }

  /**
   * The open anomaly that makes `venue`'s prices for `symbol` untrustworthy now (a divergence,
   * a crossed or locked book, a frozen feed still going on), or undefined. As of the last check
   * (every `checkMs`); called on the order path, so a map lookup.
   */
  suspectOf(venue: string, symbol: string): MdSuspect | undefined {
    return this.suspects.size === 0 ? undefined : this.suspects.get(`${venue} ${symbol}`);
  }

  /** Every open anomaly, for the operator's and the trader's views. */
  suspectList(): MdSuspect[] {
    return [...this.suspects.values()];
  }

  private mid(s: WatchedStream): number {
    const bid = s.book.bestBid();
    const ask = s.book.bestAsk();
    // A crossed book has no meaningful mid; it is reported by the crossed-book check.
    return Number.isFinite(bid) && Number.isFinite(ask) && bid < ask ? (bid + ask) / 2 : Number.NaN;
  }

  private tickOf(s: WatchedStream): number {
    let t = this.tickSize.get(s);
    if (t === undefined) this.tickSize.set(s, (t = Number(s.instrument.tickSize)));
    return t;
  }
}
