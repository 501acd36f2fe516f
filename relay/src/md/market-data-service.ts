import { wallClockUs, type Instrument, type StreamState } from '@tickmesh/shared';
import type { Logger } from 'pino';
import type { RelayMetrics } from '../metrics/relay-metrics';
import { registerVenueMetrics } from '../metrics/venue-metrics';
import type { VenueAdapter } from '../venues/venue-adapter';
import { isBadPrint } from './bad-print';
import { CandleStore, type CandleStoreOptions } from './candles/index';
import { EncodedFrame } from './encoded-frame';
import type { MarketDataSource } from './market-data-source';
import { MdStream } from './md-stream';

/** Who receives a stream's frames: a session of either protocol. */
export interface MdSubscriber {
  /** A batch of a stream the subscriber holds. */
  deliverBatch(frame: EncodedFrame): void;
  /** A snapshot (on subscribe, resync, conflation recovery or a new epoch). */
  deliverSnapshot(frame: EncodedFrame): void;
  /**
   * Every frame of the current flush that this subscriber holds has been delivered: a session
   * hands its bytes to the kernel now instead of at the end of the tick. Optional.
   */
  endOfFlush?(): void;
}

/** One stream's frame of a flush: the batch (or the new epoch's snapshot) and who gets it. */
interface FlushItem {
  streamId: number;
  frame: EncodedFrame;
  snapshot: boolean;
  subs: Set<MdSubscriber>;
}

/** A subscriber of any stream, with the streams it holds (indexed by stream id: no hash lookup per frame). */
interface SubscriberEntry {
  readonly sub: MdSubscriber;
  held: Uint8Array;
  count: number;
}

export interface MarketDataOptions {
  /** Flush interval in ms. */
  flushMs: number;
  /** Recent trades kept per stream for snapshots. */
  recentTrades: number;
  /** Candles kept per stream and timeframe. Default: see DEFAULT_CANDLE_CAPACITY. */
  candles?: CandleStoreOptions;
}

/**
 * Told of every trade as it is published (circuit breakers, VWAP volume, conditional-order
 * triggers: the venue). `badPrint`: far outside its venue's touch after the batch
 * (bad-print.ts); the print is still the venue's and still published, but a listener that
 * acts on prices (circuit breakers, stop triggers) should not act on it.
 */
export type TradeListener = (symbol: string, price: number, size: number, timeUs: number, venue: string, badPrint: boolean) => void;

/** Told of every batch once it went to the direct subscribers (the mesh's signer). */
export type BatchListener = (frame: EncodedFrame) => void;

/** Wall clock in microseconds since the Unix epoch (shared/src/model/wall-clock.ts). */
export const nowUs = wallClockUs;

/**
 * The market-data service: one MdStream per (venue, symbol), a flush every `flushMs` that
 * turns each stream's pending changes into one batch, encodes it once and hands the same
 * bytes to every subscriber.
 */
export class MarketDataService implements MarketDataSource {
  private readonly streams: MdStream[] = [];
  private symbolIndex: { streams: number; index: Map<string, { instrument: Instrument; ids: number[] }> } | undefined;
  private readonly byId = new Map<number, MdStream>();
  private readonly subscribers = new Map<number, Set<MdSubscriber>>();
  /** Every subscriber of any stream, with the streams it holds: the flush visits each once. */
  private readonly anyStream = new Map<MdSubscriber, SubscriberEntry>();
  /** The frames of the flush being distributed (reused: the flush allocates no array). */
  private readonly flushItems: FlushItem[] = [];
  private readonly venues: VenueAdapter[] = [];
  private readonly snapshotCache = new Map<number, EncodedFrame>();
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private readonly tradeListeners: TradeListener[] = [];
  private readonly batchListeners: BatchListener[] = [];
  private readonly subscribeListeners: Array<(streamId: number) => void> = [];
  /** OHLCV candles of every stream, from its published trades and its venue's history (GET /api/candles). */
  readonly candles: CandleStore;

  constructor(
    private readonly options: MarketDataOptions,
    private readonly metrics: RelayMetrics,
    private readonly log: Logger,
  ) {
    this.candles = new CandleStore(options.candles);
    registerVenueMetrics(metrics.registry, () => ({
      streams: () => this.streams.map((s) => ({ venue: s.instrument.venue, symbol: s.instrument.symbol, state: s.currentState, health: s.health })),
      venues: () => this.venues,
    }));
  }

  /** Registers a venue's instruments as streams; ids are assigned in registration order from 1. */
  addVenue(venue: VenueAdapter): void {
    // The epoch is the relay's start time: a restarted relay never reuses (epoch, seq) pairs.
    const epoch = Date.now();
    for (const inst of venue.instruments()) {
      const id = this.streams.length + 1;
      const stream = new MdStream(id, { ...inst, streamId: id }, epoch, this.options.recentTrades);
      this.streams.push(stream);
      this.byId.set(id, stream);
      this.subscribers.set(id, new Set());
    }
    this.venues.push(venue);
  }

  /** Seeds each venue's candle history (where it has one), starts every venue's feed, then the flush timer. */
  async start(): Promise<void> {
    for (const venue of this.venues) {
      const mine = this.streams.filter((s) => s.instrument.venue === venue.id);
      this.seedHistory(venue, mine);
      await venue.start((symbol) => {
        const stream = mine.find((s) => s.instrument.symbol === symbol);
        if (!stream) throw new Error(`venue ${venue.id} has no instrument ${symbol}`);
        return stream;
      });
    }
    this.timer = setInterval(() => this.flush(), this.options.flushMs);
    this.started = true;
    this.log.info({ streams: this.streams.length, venues: this.venues.map((v) => v.id) }, 'market data started');
  }

  /**
   * Puts a venue's 1-minute history into the candle store. A history at hand (the simulator's)
   * goes in before the feed starts, so the first chart opened is full. One that must be fetched
   * (a real exchange's REST) never holds the start up: it goes in when it arrives, in front of
   * the live candles built meanwhile (CandleRing.prepend). A failure only leaves that chart
   * starting empty.
   */
  private seedHistory(venue: VenueAdapter, mine: readonly MdStream[]): void {
    if (!venue.history) return;
    const endMs = Date.now();
    const failed = (s: MdStream, e: unknown) =>
      this.log.warn({ venue: venue.id, symbol: s.instrument.symbol, err: e instanceof Error ? e.message : String(e) }, 'candle history unavailable');
    for (const s of mine) {
      try {
        const h = venue.history(s.instrument.symbol, endMs);
        if (Array.isArray(h)) this.candles.seed(s.id, h);
        else void Promise.resolve(h).then((list) => this.candles.seed(s.id, list), (e: unknown) => failed(s, e));
      } catch (e) {
        failed(s, e);
      }
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.started = false;
    await Promise.all(this.venues.map((v) => v.stop()));
  }

  get ready(): boolean {
    return this.started;
  }

  instruments(): Instrument[] {
    return this.streams.map((s) => s.instrument);
  }

  venueList(): readonly VenueAdapter[] {
    return this.venues;
  }

  stream(id: number): MdStream | undefined {
    return this.byId.get(id);
  }

  /** Stream ids of every venue's stream for a symbol (empty when unknown). */
  streamIdsForSymbol(symbol: string): number[] {
    return this.bySymbol().get(symbol)?.ids.slice() ?? [];
  }

  /** The instrument of `symbol` as the first venue listing it has it (tick and lot), or undefined. */
  instrumentOf(symbol: string): Instrument | undefined {
    return this.bySymbol().get(symbol)?.instrument;
  }

  /**
   * Streams by symbol, built once per stream list: the order path asks for a symbol's instrument
   * and streams several times per order, and a scan with fresh arrays each time showed in profiles.
   */
  private bySymbol(): Map<string, { instrument: Instrument; ids: number[] }> {
    if (this.symbolIndex?.streams !== this.streams.length) {
      const index = new Map<string, { instrument: Instrument; ids: number[] }>();
      for (const s of this.streams) {
        const e = index.get(s.instrument.symbol);
        if (e) e.ids.push(s.id);
        else index.set(s.instrument.symbol, { instrument: s.instrument, ids: [s.id] });
      }
      this.symbolIndex = { streams: this.streams.length, index };
    }
    return this.symbolIndex.index;
  }

  onTrade(listener: TradeListener): void {
    this.tradeListeners.push(listener);
  }

  /** Adds a listener for every batch (not snapshots), called after the direct fan-out. */
  onBatch(listener: BatchListener): void {
    this.batchListeners.push(listener);
  }

  /** Sets the state (Live, Halted) of every venue's stream of a symbol; subscribers see it in the next batch. */
  setSymbolState(symbol: string, state: StreamState): void {
    for (const s of this.streams) if (s.instrument.symbol === symbol) s.state(state);
  }

  /**
   * Adds a listener called at each subscription, before its snapshot is taken (so a listener
   * may still change the book the subscriber starts from: a replay starts playing there).
   */
  onSubscribe(listener: (streamId: number) => void): void {
    this.subscribeListeners.push(listener);
  }

  /** Adds the subscriber (if new) and sends it a snapshot exactly as of the stream's seq. */
  subscribe(sub: MdSubscriber, streamId: number): void {
    const stream = this.byId.get(streamId);
    if (!stream) throw new Error(`unknown stream ${streamId}`); // callers validate ids first
    for (const l of this.subscribeListeners) l(streamId);
    const subs = this.subscribers.get(streamId)!;
    if (!subs.has(sub)) {
      subs.add(sub);
      let entry = this.anyStream.get(sub);
      if (!entry) this.anyStream.set(sub, (entry = { sub, held: new Uint8Array(this.streams.length + 1), count: 0 }));
      if (entry.held.length <= streamId) {
        const grown = new Uint8Array(this.streams.length + 1);
        grown.set(entry.held);
        entry.held = grown;
      }
      entry.held[streamId] = 1;
      entry.count++;
    }
    sub.deliverSnapshot(this.snapshotFrame(stream));
  }

  /** Sends a subscriber a snapshot exactly as of the stream's seq (conflation recovery, back from the mesh). */
  resync(sub: MdSubscriber, streamId: number): void {
    const stream = this.byId.get(streamId);
    if (stream) sub.deliverSnapshot(this.snapshotFrame(stream));
  }

  /** Sends a stream's pending changes now, as one batch to the subscribers it has now. */
  flushPending(streamId: number): void {
    const stream = this.byId.get(streamId);
    if (stream?.dirty) this.flushStream(stream, nowUs());
  }

  unsubscribe(sub: MdSubscriber, streamId: number): void {
    if (!this.subscribers.get(streamId)?.delete(sub)) return;
    const entry = this.anyStream.get(sub);
    if (!entry) return;
    entry.held[streamId] = 0;
    if (--entry.count === 0) this.anyStream.delete(sub);
  }

  /**
   * The current snapshot of a stream, encoded once per seq and shared by everyone who asks
   * at that seq (a subscribe storm or many conflated clients recovering at once). Pending
   * changes are flushed first so the snapshot is exactly the book at its seq.
   */
  snapshotFrame(stream: MdStream): EncodedFrame {
    if (stream.dirty) this.flushStream(stream, nowUs());
    const cached = this.snapshotCache.get(stream.id);
    if (cached && cached.seq === stream.seq && cached.data.epoch === stream.epoch) return cached;
    const frame = new EncodedFrame(stream, 'snapshot', stream.snapshot(nowUs()));
    this.snapshotCache.set(stream.id, frame);
    return frame;
  }

  /**
   * Flushes every stream with pending changes. Runs on the timer; tests call it directly.
   *
   * Subscriber by subscriber rather than stream by stream: each subscriber gets its frames of
   * this flush (in stream order, as before) and is then told `endOfFlush`, so a session's bytes
   * leave in one write as soon as its frames are in, while the next session is served. Stream
   * by stream, every session's bytes waited until all streams had gone to all sessions (the
   * writes were released at the end of the tick): with 1,000 clients, the first client's data
   * waited for the whole fan-out loop. Each frame is still encoded once for everybody.
   */
  flush(): void {
    const start = performance.now();
    const timeUs = nowUs();
    const items = this.flushItems;
    for (const stream of this.streams) {
      if (!stream.dirty) continue;
      this.metrics.mdBatchAge.observe((start - stream.dirtySince) / 1000);
      items.push(this.takeFrame(stream, timeUs));
    }
    if (items.length === 0) return;
    try {
      this.distribute(items);
    } finally {
      items.length = 0;
    }
    this.metrics.mdFlushDuration.observe((performance.now() - start) / 1000);
  }

  /** One stream now (flushPending, a snapshot's pending changes): its subscribers, then the listeners. */
  private flushStream(stream: MdStream, timeUs: number): void {
    const item = this.takeFrame(stream, timeUs);
    if (item.snapshot) for (const sub of item.subs) sub.deliverSnapshot(item.frame);
    else for (const sub of item.subs) sub.deliverBatch(item.frame);
    if (!item.snapshot) for (const l of this.batchListeners) l(item.frame);
  }

  /** Takes a dirty stream's frame: its batch (candles and trade listeners told), or the snapshot of a new epoch. */
  private takeFrame(stream: MdStream, timeUs: number): FlushItem {
    const subs = this.subscribers.get(stream.id)!;
    stream.health.lastFlushAt = Date.now();
    if (stream.takeReset()) {
      this.log.debug({ stream: stream.id, epoch: stream.epoch, subscribers: subs.size }, 'stream reset: new epoch');
      return { streamId: stream.id, frame: this.snapshotFrame(stream), snapshot: true, subs };
    }
    const batch = stream.takeBatch(timeUs);
    const frame = new EncodedFrame(stream, 'batch', batch);
    this.metrics.mdBatches.inc();
    for (const t of batch.trades) this.candles.trade(stream.id, t.price, t.size, t.timeUs);
    if (this.tradeListeners.length > 0) {
      const { symbol, venue } = stream.instrument;
      for (const t of batch.trades) {
        const bad = isBadPrint(stream.book, t.price);
        for (const l of this.tradeListeners) l(symbol, t.price, t.size, t.timeUs, venue, bad);
      }
    }
    return { streamId: stream.id, frame, snapshot: false, subs };
  }

  private distribute(items: readonly FlushItem[]): void {
    const n = items.length;
    for (const entry of this.anyStream.values()) {
      const sub = entry.sub;
      let any = false;
      for (let i = 0; i < n; i++) {
        const item = items[i]!;
        if (entry.held[item.streamId] !== 1) continue;
        any = true;
        if (item.snapshot) sub.deliverSnapshot(item.frame);
        else sub.deliverBatch(item.frame);
      }
      if (any) sub.endOfFlush?.();
    }
    // After the fan-out: direct subscribers never wait for the mesh's signature.
    for (let i = 0; i < n; i++) {
      const item = items[i]!;
      if (!item.snapshot) for (const l of this.batchListeners) l(item.frame);
    }
  }
}
