import { StreamState, toLots, toTicks, wallClockUs, type Instrument, type Side } from '@tickmesh/shared';
import type { Candle } from '../../md/candles/candle';
import type { FeedLookup, VenueAdapter, VenueExecution, VenueOrderRequest } from '../venue-adapter';
import { EngineResult } from './engine-result';
import { seedFrom } from './prng';
import { simHistory, type SimHistoryOptions } from './sim-history';
import { DEFAULT_SIM_SYMBOLS, simInstrumentSpec } from './sim-instruments';
import { RELAY_ACCOUNT_BASE, SimMarket, type ExecutionSink } from './sim-market';

/** Codes the sim venue adds to the engine's (stable; add, never rename). */
export const SimVenueCode = {
  UNKNOWN_SYMBOL: 'VENUE_UNKNOWN_SYMBOL',
  DUPLICATE_ORDER_ID: 'VENUE_DUPLICATE_ORDER_ID',
} as const;

/** Options of {@link SimVenue}. */
export interface SimVenueOptions {
  /** Venue id. Default "sim-a". */
  id?: string;
  /** Seed of the order flow; mixed with the venue id and symbol per market. Default 1. */
  seed?: number;
  /** Symbols listed. Default BTC-USD, ETH-USD, SOL-USD (others get a generic spec). */
  symbols?: readonly string[];
  /** Opening prices are shifted by this many basis points (a persistent venue premium). Default 0. */
  priceOffsetBps?: number;
  /** Maker fee in hundredths of a bp; negative = rebate. Default -100 (-1 bp). */
  makerFeeBpsX100?: number;
  /** Taker fee in hundredths of a bp. Default 500 (5 bp). */
  takerFeeBpsX100?: number;
  /** Generator actions per second per instrument once started. Default 200. */
  updatesPerSecond?: number;
  /** Clock for timeUs fields, µs since the Unix epoch. Default: wall clock (sub-ms). */
  nowUs?: () => number;
  /** Minutes of deterministic 1-minute candle history before the start (see simHistory). Default 1440 (24 h); 0 = none. */
  historyMinutes?: number;
}


/**
 * The embedded simulated exchange: per instrument a MatchingEngine fed by an
 * OrderFlowGenerator, publishing L2 levels and trades into the relay's feeds and matching
 * relay orders in the same book as the synthetic flow.
 *
 * - Books are primed in the constructor, so `step()`/`stateHash()` work before start();
 *   start() publishes each book (clear + levels), marks the feed Live and starts the timers.
 * - Relay orders get accounts from RELAY_ACCOUNT_BASE up (one per distinct account string),
 *   so they never collide with generator accounts; STP applies between orders of one account.
 * - Execution reports are delivered in a microtask after the call that caused them, in
 *   order: the OMS never sees a report re-entrantly from inside submit/cancel/replace.
 * - A refused cancel OR replace is reported as `cancel-rejected` with the VENUE_* code (as
 *   FIX's OrderCancelReject serves both); the order is unchanged.
 * - Fees: see FeeCalculator (quote × 1e-8, maker/taker rate by the fill's liquidity flag).
 */
export class SimVenue implements VenueAdapter {
  readonly id: string;
  private readonly markets = new Map<string, SimMarket>();
  private readonly list: Instrument[] = [];
  private readonly live = new Map<string, { market: SimMarket; engineId: number }>();
  private readonly accounts = new Map<string, number>();
  private readonly listeners: ((report: VenueExecution) => void)[] = [];
  private readonly queue: VenueExecution[] = [];
  private flushScheduled = false;
  private readonly rate: number;
  private readonly nowUs: () => number;
  private running = false;
  private readonly historyMinutes: number;
  /** What each market's history is generated from (all but the end time, which is the caller's now). */
  private readonly historyOf = new Map<string, Omit<SimHistoryOptions, 'endTimeSec'>>();

  constructor(options: SimVenueOptions = {}) {
    this.id = options.id ?? 'sim-a';
    this.rate = options.updatesPerSecond ?? 200;
    this.nowUs = options.nowUs ?? wallClockUs;
    this.historyMinutes = options.historyMinutes ?? 1_440;
    const seed = options.seed ?? 1;
    const offset = 1 + (options.priceOffsetBps ?? 0) / 10_000;
    const sink: ExecutionSink = { report: (exec, terminal) => this.report(exec, terminal) };
    for (const symbol of options.symbols ?? DEFAULT_SIM_SYMBOLS) {
      if (this.markets.has(symbol)) continue;
      const spec = simInstrumentSpec(symbol);
      const inst: Instrument = {
        streamId: 0,
        symbol,
        venue: this.id,
        base: spec.base,
        quote: spec.quote,
        tickSize: spec.tickSize,
        lotSize: spec.lotSize,
        minQty: 1,
        maxQty: spec.maxQty,
        makerFeeBpsX100: options.makerFeeBpsX100 ?? -100,
        takerFeeBpsX100: options.takerFeeBpsX100 ?? 500,
      };
      const startPrice = toTicks(inst, spec.startPrice * offset);
      const market = new SimMarket(
        inst,
        {
          seed: seedFrom(seed, `${this.id}:${symbol}`),
          startPrice,
          baseQty: Math.max(1, toLots(inst, spec.typicalQty)),
        },
        sink,
        this.nowUs,
      );
      market.generator.prime();
      this.historyOf.set(symbol, {
        // Its own streams of numbers (the history never shifts the live order flow of a seed). The
        // price path is per symbol, not per venue: venues of a symbol agree about the past (a
        // consolidated chart merges them), each with its own premium and volumes.
        seed: seedFrom(seed, `${symbol}:history`),
        volumeSeed: seedFrom(seed, `${this.id}:${symbol}:history-volume`),
        endPrice: startPrice,
        minutes: this.historyMinutes,
        gridTicks: Math.max(1, Math.round(startPrice * 2e-6)), // OrderFlowGenerator's default grid
        baseQty: Math.max(1, toLots(inst, spec.typicalQty)),
        updatesPerSecond: this.rate,
      });
      this.markets.set(symbol, market);
      this.list.push(inst);
    }
  }

  instruments(): readonly Instrument[] {
    return this.list;
  }

  /**
   * `historyMinutes` of 1-minute candles ending just before `endMs`'s minute, closing at the
   * market's opening price: the same seed gives the same candles (shifted to the start time).
   */
  history(symbol: string, endMs: number): Candle[] {
    const h = this.historyOf.get(symbol);
    if (h === undefined) return [];
    return simHistory({ ...h, endTimeSec: Math.floor(endMs / 60_000) * 60 });
  }

  async start(feeds: FeedLookup): Promise<void> {
    if (this.running) await this.stop();
    for (const market of this.markets.values()) {
      const feed = feeds(market.instrument.symbol);
      market.publishBook(feed);
      market.feed = feed;
      feed.state(StreamState.Live);
    }
    for (const market of this.markets.values()) market.generator.start(this.rate);
    this.running = true;
  }

  /** Stops the timers and marks every feed Stale (the book stops moving; it is no longer live). */
  async stop(): Promise<void> {
    for (const market of this.markets.values()) {
      market.generator.stop();
      market.feed?.state(StreamState.Stale);
      market.feed = null;
    }
    this.running = false;
  }

  submit(order: VenueOrderRequest): void {
    const market = this.markets.get(order.symbol);
    if (market === undefined) return this.refuse(order.orderId, 'rejected', SimVenueCode.UNKNOWN_SYMBOL);
    if (this.live.has(order.orderId)) return this.refuse(order.orderId, 'rejected', SimVenueCode.DUPLICATE_ORDER_ID);
    if (order.qty > market.instrument.maxQty) return this.refuse(order.orderId, 'rejected', EngineResult.INVALID_QTY);
    const engineId = market.track(order.orderId, order.side);
    this.live.set(order.orderId, { market, engineId });
    // Engine rejections come back through onOrder('rejected'), which also forgets the id.
    market.engine.submit(this.account(order.account), order.side, order.type, order.timeInForce, order.price, order.qty, order.postOnly);
  }

  cancel(orderId: string): void {
    const ref = this.live.get(orderId);
    if (ref === undefined) return this.refuse(orderId, 'cancel-rejected', EngineResult.UNKNOWN_ORDER);
    const code = ref.market.engine.cancel(ref.engineId);
    if (code !== EngineResult.OK) this.refuse(orderId, 'cancel-rejected', code);
  }

  replace(orderId: string, price: number, qty: number): void {
    const ref = this.live.get(orderId);
    if (ref === undefined) return this.refuse(orderId, 'cancel-rejected', EngineResult.UNKNOWN_ORDER);
    if (qty > ref.market.instrument.maxQty) return this.refuse(orderId, 'cancel-rejected', EngineResult.INVALID_QTY);
    const code = ref.market.engine.replace(ref.engineId, price, qty);
    if (code !== EngineResult.OK) this.refuse(orderId, 'cancel-rejected', code);
  }

  onExecution(listener: (report: VenueExecution) => void): void {
    this.listeners.push(listener);
  }

  /** Runs `n` generator actions on every market synchronously (tests, replays). */
  step(n: number): void {
    for (const market of this.markets.values()) market.generator.step(n);
  }

  /** The matching engine of `symbol` (tests and inspection), or undefined. */
  market(symbol: string): SimMarket | undefined {
    return this.markets.get(symbol);
  }

  /**
   * Feed faults of sim scenarios (relay/src/venues/sim/scenarios/feed-faults.ts), on what is
   * published for `symbol` only; the engine keeps matching as before. `freeze`: nothing is
   * published while on (the stream stays Live); turning it off republishes the whole book.
   * Returns false when the symbol is not listed (or the venue not started).
   */
  freezeFeed(symbol: string, frozen: boolean): boolean {
    const m = this.markets.get(symbol);
    if (m === undefined || m.feed === null) return false;
    m.feedPaused = frozen;
    if (!frozen) m.publishBook(m.feed);
    return true;
  }

  /** Shifts every price published for `symbol` by `ticks` from now on (0 = back to the engine's), republishing the book. */
  offsetFeed(symbol: string, ticks: number): boolean {
    const m = this.markets.get(symbol);
    if (m === undefined || m.feed === null) return false;
    m.feedOffsetTicks = ticks;
    if (!m.feedPaused) m.publishBook(m.feed);
    return true;
  }

  /** Publishes a trade for `symbol` that never happened (a bad print); `tradeId` should not be one the engine uses. */
  badPrint(symbol: string, tradeId: number, price: number, qty: number, aggressor: Side): boolean {
    const m = this.markets.get(symbol);
    if (m === undefined || m.feed === null) return false;
    m.feed.trade(tradeId, price, qty, aggressor, this.nowUs());
    return true;
  }

  /** Publishes a level of `symbol` the engine does not have (size 0 removes it); republishBook() restores the engine's. */
  phantomLevel(symbol: string, side: Side, price: number, size: number): boolean {
    const m = this.markets.get(symbol);
    if (m === undefined || m.feed === null) return false;
    m.feed.level(side, price, size);
    return true;
  }

  /** Sends the engine's whole book of `symbol` to the feed again (clear + levels): undoes phantom levels. */
  republishBook(symbol: string): boolean {
    const m = this.markets.get(symbol);
    if (m === undefined || m.feed === null) return false;
    m.publishBook(m.feed);
    return true;
  }

  /** Price impact of relay taker fills on every market: fair moves `bps` per generator-typical size traded (0 = none, the default). */
  setTakerImpactBps(bps: number): void {
    for (const m of this.markets.values()) m.takerImpactBps = bps;
  }

  /** stateHash of the engine of `symbol`; "" if the symbol is not listed. */
  stateHash(symbol: string): string {
    return this.markets.get(symbol)?.engine.stateHash() ?? '';
  }

  private account(name: string): number {
    let n = this.accounts.get(name);
    if (n === undefined) {
      n = RELAY_ACCOUNT_BASE + this.accounts.size;
      this.accounts.set(name, n);
    }
    return n;
  }

  private refuse(orderId: string, kind: 'rejected' | 'cancel-rejected', reasonCode: string): void {
    this.enqueue({ orderId, kind, price: 0, qty: 0, leavesQty: 0, tradeId: 0, liquidityMaker: false, fee: 0, reasonCode, timeUs: this.nowUs() });
  }

  private report(exec: VenueExecution, terminal: boolean): void {
    if (terminal) this.live.delete(exec.orderId);
    this.enqueue(exec);
  }

  private enqueue(exec: VenueExecution): void {
    this.queue.push(exec);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    // Reports enqueued while delivering (a listener that submits) go out in this same loop.
    for (let i = 0; i < this.queue.length; i++) {
      const r = this.queue[i]!;
      for (const l of this.listeners) l(r);
    }
    this.queue.length = 0;
  }
}
