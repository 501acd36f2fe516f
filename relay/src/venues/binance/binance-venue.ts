import { ErrorCode, Side, wallClockUs, type Instrument } from '@tickmesh/shared';
import type { FeedLookup, VenueAdapter, VenueHealth } from '../venue-adapter';
import { Backoff } from '../live/backoff';
import { FeedBook } from '../live/feed-book';
import { OrderEntryVenue, venueHealth } from '../live/order-entry-venue';
import { silentLog, VenueStartError, type LiveVenueConfig, type LiveVenueLog } from '../live/live-venue-config';
import { VenueHttp, VenueHttpError } from '../live/venue-http';
import { VenueSocket } from '../live/venue-socket';
import type { Candle } from '../../md/candles/candle';
import { BinanceBookSync, type BookSyncHost } from './binance-book-sync';
import { fetchBinanceHistory } from './binance-klines';
import { BinanceOrders } from './binance-orders';
import { binanceMarket, type BinanceMarket } from './binance-symbols';
import { isDepthSnapshot, isExchangeInfo, parseStreamFrame, streamNames, type DepthSnapshot } from './binance-wire';

/** Production endpoints (Binance Spot). */
export const BINANCE_REST_URL = 'https://api.binance.com';
export const BINANCE_WS_URL = 'wss://stream.binance.com:9443';
export const BINANCE_WS_API_URL = 'wss://ws-api.binance.com:443/ws-api/v3';
/** Spot testnet (orders for real, without money). */
export const BINANCE_TESTNET_REST_URL = 'https://testnet.binance.vision';
export const BINANCE_TESTNET_WS_URL = 'wss://stream.testnet.binance.vision';
export const BINANCE_TESTNET_WS_API_URL = 'wss://ws-api.testnet.binance.vision/ws-api/v3';

/** Binance pings every 20 s on market streams: silence past 30 s is a dead feed. */
const DEFAULT_SILENCE_MS = 30_000;
/** Depth snapshot size: limit 1000 weighs 50 of the 6000 per minute (5000 would weigh 250). */
const SNAPSHOT_LIMIT = 1000;

/** Binance-only options on top of the common ones. */
export interface BinanceVenueConfig extends LiveVenueConfig {
  /** WebSocket API endpoint for orders and the user data stream. Default production. */
  wsApiUrl?: string;
  /** start() resolves by then even if some book is not synced yet (it stays STALE). Default 5000 ms. */
  startTimeoutMs?: number;
}

/**
 * Opens the Binance adapter: reads exchangeInfo for the configured symbols (tick, step, min
 * quantity and notional, order types) and refuses at once, with a code, a symbol Binance does
 * not list or whose filters do not fit integer ticks and lots.
 */
export async function openBinanceVenue(config: BinanceVenueConfig): Promise<BinanceVenue> {
  const http = new VenueHttp({ baseUrl: config.restUrl });
  const symbols = config.symbols.map((s) => s.replace('-', ''));
  let info: unknown;
  try {
    info = await http.request('GET', '/api/v3/exchangeInfo', { query: `symbols=${encodeURIComponent(JSON.stringify(symbols))}` });
  } catch (err) {
    // Binance answers 400 -1121 "Invalid symbol." when one of the list is unknown.
    if (err instanceof VenueHttpError && err.status === 400 && err.venueBody.includes('-1121')) {
      throw new VenueStartError(ErrorCode.VENUE_UNLISTED_SYMBOL, `binance does not list one of ${config.symbols.join(',')}`);
    }
    throw new VenueStartError(err instanceof VenueHttpError ? err.code : ErrorCode.VENUE_UNREACHABLE, `binance exchangeInfo: ${err instanceof VenueHttpError ? err.detail : (err as Error).message}`);
  }
  if (!isExchangeInfo(info)) throw new VenueStartError(ErrorCode.VENUE_BAD_RESPONSE, 'binance exchangeInfo has no symbols list');
  const markets = config.symbols.map((s) => binanceMarket(s, info.symbols));
  return new BinanceVenue(config, http, markets);
}

/**
 * Binance Spot behind VenueAdapter. Market data: one combined stream (`/stream?streams=…`)
 * of `<symbol>@depth@100ms` and `<symbol>@trade` for every symbol, each book synced by
 * BinanceBookSync against REST snapshots. Orders: BinanceOrders over the WebSocket API.
 */
export class BinanceVenue extends OrderEntryVenue implements VenueAdapter, BookSyncHost {
  readonly id = 'binance';
  private readonly socket: VenueSocket;
  private readonly syncs = new Map<string, BinanceBookSync>();
  private readonly lastTradeId = new Map<string, number>();
  /** Per book: resyncs and failed snapshots back off, a synced book resets it. */
  private readonly snapshotBackoffs = new Map<BinanceBookSync, Backoff>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly log: LiveVenueLog;
  private readonly nowUs: () => number;
  protected readonly orders: BinanceOrders;
  private stopped = false;
  /** Frames that were not a depth or trade event we could read (counted, logged once per kind). */
  unreadableFrames = 0;

  constructor(
    private readonly config: BinanceVenueConfig,
    readonly http: VenueHttp,
    readonly markets: readonly BinanceMarket[],
  ) {
    super();
    this.log = config.log ?? silentLog;
    this.nowUs = config.nowUs ?? wallClockUs;
    const streams = markets.flatMap((m) => Object.values(streamNames(m.exchangeSymbol)));
    this.socket = new VenueSocket({
      url: () => `${config.wsUrl}/stream?streams=${streams.join('/')}`,
      silenceMs: config.silenceMs ?? DEFAULT_SILENCE_MS,
      backoff: config.backoff,
      onOpen: () => {
        for (const s of this.syncs.values()) s.streamOpen();
      },
      onMessage: (text) => this.onFrame(text),
      onDown: (why) => {
        this.log.warn({ venue: this.id, why }, 'binance market stream down; books stale until resynced');
        for (const s of this.syncs.values()) s.streamDown();
      },
    });
    this.orders = new BinanceOrders({
      wsApiUrl: config.wsApiUrl ?? BINANCE_WS_API_URL,
      credentials: config.credentials,
      markets,
      clientIdPrefix: config.clientIdPrefix,
      backoff: config.backoff,
      silenceMs: config.silenceMs,
      nowUs: this.nowUs,
      log: this.log,
    });
  }

  instruments(): readonly Instrument[] {
    return this.markets.map((m) => m.instrument);
  }

  /** The last 1000 completed 1-minute klines (one REST call of weight 2), for the relay's candles. */
  async history(symbol: string, endMs: number): Promise<Candle[]> {
    const market = this.markets.find((m) => m.instrument.symbol === symbol);
    return market ? fetchBinanceHistory(this.http, market, endMs) : [];
  }

  /** The synced book of a symbol (tests compare it with the fake's true book). */
  bookSync(symbol: string): BinanceBookSync | undefined {
    return this.syncs.get(symbol.replace('-', ''));
  }

  get marketSocket(): VenueSocket {
    return this.socket;
  }

  /** Read at scrape time from the counters kept where things happen (sockets, REST gate, WebSocket API, reconciler). */
  health(): VenueHealth {
    const session = this.orders.session;
    return venueHealth(this.socket, session, this.http.rateLimited + (session?.rateLimited ?? 0), this.orders.reconciliations);
  }

  async start(feeds: FeedLookup): Promise<void> {
    for (const m of this.markets) {
      const book = new FeedBook(feeds(m.instrument.symbol), m.price, m.size);
      this.syncs.set(m.exchangeSymbol, new BinanceBookSync(m.exchangeSymbol, book, this));
    }
    this.socket.start();
    this.orders.start();
    // Primed when every book is synced; a venue that is slow or down does not hold the relay up.
    const deadline = performance.now() + (this.config.startTimeoutMs ?? 5000);
    while (!this.stopped && performance.now() < deadline && [...this.syncs.values()].some((s) => !s.synced)) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.all([this.socket.stop(), this.orders.stop()]);
  }

  /** BookSyncHost: fetch a snapshot (after a backoff when resyncing); failures retry after the backoff while the sync still wants it. */
  requestSnapshot(sync: BinanceBookSync, resync: boolean): void {
    const generation = sync.requestGeneration;
    const backoff = this.backoffOf(sync);
    if (resync) return this.after(backoff.next(), () => sync.awaiting(generation) && this.fetchSnapshot(sync, generation, backoff));
    this.fetchSnapshot(sync, generation, backoff);
  }

  private fetchSnapshot(sync: BinanceBookSync, generation: number, backoff: Backoff): void {
    void this.http
      .request<DepthSnapshot>('GET', '/api/v3/depth', { query: `symbol=${sync.exchangeSymbol}&limit=${SNAPSHOT_LIMIT}` })
      .then((snap) => {
        if (!isDepthSnapshot(snap)) throw new VenueHttpError(ErrorCode.VENUE_BAD_RESPONSE, 'depth snapshot without lastUpdateId/bids/asks');
        sync.snapshot(snap, generation);
        if (sync.requestGeneration === generation) backoff.reset(); // accepted (not restarted as too old)
      })
      .catch((err: Error) => {
        if (this.stopped || !sync.awaiting(generation)) return;
        const wait = backoff.next(err instanceof VenueHttpError ? err.retryAfterMs : 0);
        this.log.warn({ venue: this.id, symbol: sync.exchangeSymbol, code: (err as VenueHttpError).code, retryInMs: wait }, 'binance depth snapshot failed');
        this.after(wait, () => sync.awaiting(generation) && this.fetchSnapshot(sync, generation, backoff));
      });
  }

  private backoffOf(sync: BinanceBookSync): Backoff {
    let b = this.snapshotBackoffs.get(sync);
    if (!b) this.snapshotBackoffs.set(sync, (b = new Backoff({ baseMs: 500, maxMs: 30_000, ...this.config.backoff })));
    return b;
  }

  private after(ms: number, fn: () => unknown): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) fn();
    }, ms);
    this.timers.add(t);
  }

  private onFrame(text: string): void {
    const ev = parseStreamFrame(text);
    if (!ev) {
      if (this.unreadableFrames++ === 0) this.log.warn({ venue: this.id, frame: text.slice(0, 120) }, 'binance sent a frame we cannot read (counted, not applied)');
      return;
    }
    const sync = this.syncs.get(ev.s);
    if (!sync) return;
    if (ev.e === 'depthUpdate') return sync.diff(ev);
    // Trades are prints, valid whatever the book's state; a reconnect may repeat the last few.
    const last = this.lastTradeId.get(ev.s) ?? -1;
    if (ev.t <= last) return;
    this.lastTradeId.set(ev.s, ev.t);
    sync.book.trade(ev.t, ev.p, ev.q, ev.m ? Side.Sell : Side.Buy, ev.T * 1000);
  }
}
