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
  /** Symbols every venue of which is suspect, as of the last check, by a key of their venues and codes. */
  private untrusted = new Map<string, { key: string; suspects: MdSuspect[] }>();
  private readonly untrustedListeners = new Set<(symbol: string, suspects: MdSuspect[] | undefined) => void>();
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
    if (!this.isLive(stream)) return;
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
    const venues = new Map<string, string[]>();
    for (const s of this.streams()) {
      const { venue, symbol } = s.instrument;
      const listed = venues.get(symbol);
      if (listed === undefined) venues.set(symbol, [venue]);
      else listed.push(venue);
      const live = this.isLive(s);
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
    this.judgeSymbols(venues);
  }

  /**
   * Calls `listener(symbol, suspects)` when every venue quoting `symbol` has become suspect
   * (with each one's open anomaly), again whenever those anomalies change, and with undefined
   * once a venue is trusted again. As of each check. The relay halts the symbol meanwhile
   * (RiskEngine.setUntrusted). Returns the unsubscribe function.
   */
  onUntrusted(listener: (symbol: string, suspects: MdSuspect[] | undefined) => void): () => void {
    this.untrustedListeners.add(listener);
    return () => this.untrustedListeners.delete(listener);
  }

  /** Symbols every venue of which is suspect now. */
  untrustedSymbols(): string[] {
    return [...this.untrusted.keys()];
  }

  private judgeSymbols(venues: Map<string, string[]>): void {
    const next = new Map<string, { key: string; suspects: MdSuspect[] }>();
    if (this.suspects.size > 0) {
      for (const [symbol, list] of venues) {
        const all = list.map((v) => this.suspects.get(`${v} ${symbol}`));
        if (all.every((x) => x !== undefined)) next.set(symbol, { key: all.map((x) => `${x!.venue} ${x!.code}`).join(','), suspects: all as MdSuspect[] });
      }
    }
    const before = this.untrusted;
    this.untrusted = next;
    for (const [symbol, now] of next) if (before.get(symbol)?.key !== now.key) this.tellUntrusted(symbol, now.suspects);
    for (const symbol of before.keys()) if (!next.has(symbol)) this.tellUntrusted(symbol, undefined);
  }

  private tellUntrusted(symbol: string, suspects: MdSuspect[] | undefined): void {
    for (const l of this.untrustedListeners) l(symbol, suspects);
  }

  /**
   * Whether `s` is judged as live market data. A Halted stream is not (a halted market or a
   * finished replay may well go quiet), except in a symbol this monitor found untrusted: that
   * halt is the relay's answer to this monitor's own verdict, the venues still publish, and the
   * episodes must stay open (and can close) through it, or the halt would end itself.
   */
  private isLive(s: WatchedStream): boolean {
    return s.currentState === StreamState.Live || (s.currentState === StreamState.Halted && this.untrusted.size > 0 && this.untrusted.has(s.instrument.symbol));
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
