import { ErrorCode, Side, wallClockUs, type Instrument } from '@tickmesh/shared';
import type { FeedLookup, VenueAdapter, VenueHealth } from '../venue-adapter';
import { Backoff } from '../live/backoff';
import { FeedBook } from '../live/feed-book';
import { liveOrdersOptions } from '../live/live-orders-options';
import { OrderEntryVenue, venueHealth } from '../live/order-entry-venue';
import { silentLog, VenueStartError, type LiveVenueConfig, type LiveVenueLog } from '../live/live-venue-config';
import { VenueHttp, VenueHttpError } from '../live/venue-http';
import { VenueSocket } from '../live/venue-socket';
import type { Candle } from '../../md/candles/candle';
import { KrakenBookSync, type KrakenBookSyncHost } from './kraken-book-sync';
import { fetchKrakenHistory, KRAKEN_PUBLIC_SPACING_MS } from './kraken-ohlc';
import { KrakenOrders } from './kraken-orders';
import { krakenMarket, toKrakenRestPair, type KrakenMarket } from './kraken-symbols';
import { isAssetPairsResponse, KRAKEN_BOOK_DEPTHS, parseKrakenFrame, rfc3339Us, type KrakenRequest } from './kraken-wire';

/** Production endpoints (Kraken Spot; public WebSocket v2). */
export const KRAKEN_REST_URL = 'https://api.kraken.com';
export const KRAKEN_WS_URL = 'wss://ws.kraken.com/v2';
/** The authenticated WebSocket v2 (the `executions` channel) has its own host in production. */
export const KRAKEN_AUTH_WS_URL = 'wss://ws-auth.kraken.com/v2';

/** Kraken sends a heartbeat about once a second when a subscribed channel is quiet: 5 s of silence is a dead feed. */
const DEFAULT_SILENCE_MS = 5000;
/** AssetPairs attempts at open when Kraken says "too many requests" (429 or EGeneral:Too many requests). */
const DEFAULT_METADATA_ATTEMPTS = 3;
/** A Retry-After longer than this is not waited for at open: the venue is refused with the rate-limit code. */
const MAX_OPEN_WAIT_MS = 15_000;

/** Kraken-only options on top of the common ones. */
export interface KrakenVenueConfig extends LiveVenueConfig {
  /** Book depth subscribed per symbol: 10, 25, 100, 500 or 1000. Default 10. */
  depth?: number;
  /** start() resolves by then even if some book has no snapshot yet (it stays STALE). Default 5000 ms. */
  startTimeoutMs?: number;
  /** AssetPairs attempts when rate limited at open. Default 3. */
  metadataAttempts?: number;
  /** A book resync without a checked snapshot by then restarts the socket (a lost ack or refused subscribe never leaves a book stale for good). Default 10 s. */
  resyncTimeoutMs?: number;
  /** The authenticated WebSocket v2 (executions). Default: KRAKEN_AUTH_WS_URL with the production wsUrl, else wsUrl itself (a fake serves both). */
  authWsUrl?: string;
}

/**
 * Opens the Kraken adapter: reads AssetPairs for the configured symbols (tick size, price and
 * quantity precision, ordermin, fees) and refuses at once, with a VenueStartError code, a
 * symbol Kraken does not list or whose numbers do not fit integer ticks and lots. A 429 (or
 * Kraken's in-body "EGeneral:Too many requests") is waited out per Retry-After, a few times,
 * never hammered.
 */
export async function openKrakenVenue(config: KrakenVenueConfig): Promise<KrakenVenue> {
  const depth = config.depth ?? 10;
  if (!(KRAKEN_BOOK_DEPTHS as readonly number[]).includes(depth)) throw new RangeError(`kraken book depth ${depth} is not one of ${KRAKEN_BOOK_DEPTHS.join(', ')}`);
  const http = new VenueHttp({ baseUrl: config.restUrl });
  const query = `pair=${config.symbols.map(toKrakenRestPair).join(',')}`;
  const attempts = config.metadataAttempts ?? DEFAULT_METADATA_ATTEMPTS;
  const backoff = new Backoff({ baseMs: 500, maxMs: 5000, ...config.backoff });
  for (let attempt = 1; ; attempt++) {
    let code: string;
    let message: string;
    let retryAfterMs = 0;
    try {
      const body = await http.request<unknown>('GET', '/0/public/AssetPairs', { query });
      if (!isAssetPairsResponse(body)) throw new VenueStartError(ErrorCode.VENUE_BAD_RESPONSE, 'kraken AssetPairs answered without error/result');
      if (body.error.length === 0 && body.result) {
        const markets = config.symbols.map((s) => krakenMarket(s, body.result!));
        return new KrakenVenue(config, http, markets, depth);
      }
      const errors = body.error.join('; ');
      // Kraken answers HTTP 200 with errors in the body; an unknown pair fails the whole request.
      if (/Unknown asset pair/i.test(errors)) throw new VenueStartError(ErrorCode.VENUE_UNLISTED_SYMBOL, `kraken does not list one of ${config.symbols.join(',')}`);
      if (!/Too many requests|Rate limit/i.test(errors)) throw new VenueStartError(ErrorCode.VENUE_BAD_RESPONSE, `kraken AssetPairs: ${errors.slice(0, 200)}`);
      http.noteRateLimited();
      code = ErrorCode.VENUE_RATE_LIMITED;
      message = errors;
    } catch (err) {
      if (err instanceof VenueStartError) throw err;
      if (!(err instanceof VenueHttpError)) throw new VenueStartError(ErrorCode.VENUE_UNREACHABLE, `kraken AssetPairs: ${(err as Error).message}`);
      if (err.code !== ErrorCode.VENUE_RATE_LIMITED) throw new VenueStartError(err.code, `kraken AssetPairs: ${err.message}`);
      code = err.code;
      message = err.message;
      retryAfterMs = err.retryAfterMs;
    }
    const wait = Math.max(http.retryInMs, backoff.next(retryAfterMs));
    if (attempt >= attempts || wait > MAX_OPEN_WAIT_MS) throw new VenueStartError(code, `kraken AssetPairs: ${message}`);
    (config.log ?? silentLog).warn({ venue: 'kraken', code, retryInMs: Math.ceil(wait) }, 'kraken AssetPairs rate limited; waiting');
    await new Promise((r) => setTimeout(r, wait));
  }
}

/**
 * Kraken Spot behind VenueAdapter. Market data: one WebSocket v2 connection with `book`
 * (depth `depth`, snapshot) and `trade` for every symbol; each book kept and checksummed by
 * KrakenBookSync. Orders: KrakenOrders (signed REST, the `executions` channel on the
 * authenticated endpoint, reconciliation); without keys every order is refused with
 * VENUE_NO_CREDENTIALS.
 */
export class KrakenVenue extends OrderEntryVenue implements VenueAdapter, KrakenBookSyncHost {
  readonly id = 'kraken';
  private readonly socket: VenueSocket;
  /** By v2 symbol ("BTC/USD"). */
  private readonly syncs = new Map<string, KrakenBookSync>();
  private readonly resyncBackoff = new Map<KrakenBookSync, Backoff>();
  private readonly lastTradeId = new Map<string, number>();
  /** Symbols whose book unsubscribe is in flight; the subscribe follows its ack. */
  private readonly unsubscribing = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly log: LiveVenueLog;
  private readonly nowUs: () => number;
  protected readonly orders: KrakenOrders;
  private reqId = 0;
  private stopped = false;
  /** Frames that were not JSON or not a message we could read (counted, logged once). */
  unreadableFrames = 0;
  /** Subscribe/unsubscribe requests answered with success: false. */
  refusedRequests = 0;
  /** History calls in turn, KRAKEN_PUBLIC_SPACING_MS apart (Kraken's public rate). */
  private historyTurn: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly config: KrakenVenueConfig,
    readonly http: VenueHttp,
    readonly markets: readonly KrakenMarket[],
    readonly depth: number,
  ) {
    super();
    this.log = config.log ?? silentLog;
    this.nowUs = config.nowUs ?? wallClockUs;
    this.orders = new KrakenOrders({
      ...liveOrdersOptions(config, markets, DEFAULT_SILENCE_MS),
      authWsUrl: config.authWsUrl ?? (config.wsUrl === KRAKEN_WS_URL ? KRAKEN_AUTH_WS_URL : config.wsUrl),
    });
    this.socket = new VenueSocket({
      url: () => config.wsUrl,
      silenceMs: config.silenceMs ?? DEFAULT_SILENCE_MS,
      backoff: config.backoff,
      onOpen: () => this.subscribeAll(),
      onMessage: (text) => this.onFrame(text),
      onDown: (why) => {
        this.log.warn({ venue: this.id, why }, 'kraken market stream down; books stale until resynced');
        for (const s of this.syncs.values()) s.streamDown();
      },
    });
  }

  instruments(): readonly Instrument[] {
    return this.markets.map((m) => m.instrument);
  }

  /** The last 720 completed 1-minute candles (`/0/public/OHLC`), for the relay's charts; one call per pair, spaced. */
  history(symbol: string, endMs: number): Promise<Candle[]> {
    const market = this.markets.find((m) => m.instrument.symbol === symbol);
    if (!market) return Promise.resolve([]);
    const call = this.historyTurn.then(() => fetchKrakenHistory(this.http, market, endMs));
    this.historyTurn = call.catch(() => undefined).then(() => new Promise((r) => setTimeout(r, KRAKEN_PUBLIC_SPACING_MS).unref()));
    return call;
  }

  /** The synced book of a canonical symbol (tests compare it with the fake's true book). */
  bookSync(symbol: string): KrakenBookSync | undefined {
    const m = this.markets.find((x) => x.instrument.symbol === symbol);
    return m ? this.syncs.get(m.wsSymbol) : undefined;
  }

  get marketSocket(): VenueSocket {
    return this.socket;
  }

  /** Read at scrape time from the counters kept where things happen (sockets, both REST gates, reconciler). */
  health(): VenueHealth {
    return venueHealth(this.socket, this.orders.executionsSocket, this.http.rateLimited + this.orders.http.rateLimited, this.orders.reconciliations);
  }

  /** Order entry and reconciliation (tests read its orders, alerts and executions socket). */
  get orderEntry(): KrakenOrders {
    return this.orders;
  }

  async start(feeds: FeedLookup): Promise<void> {
    for (const m of this.markets) {
      const book = new FeedBook(feeds(m.instrument.symbol), m.price, m.size);
      this.syncs.set(m.wsSymbol, new KrakenBookSync(m, book, this.depth, this));
    }
    this.socket.start();
    this.orders.start();
    // Primed when every book has its first snapshot; a slow or down venue does not hold the relay up.
    const deadline = performance.now() + (this.config.startTimeoutMs ?? 5000);
    while (!this.stopped && performance.now() < deadline && [...this.syncs.values()].some((s) => !s.isSynced)) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.all([this.socket.stop(), this.orders.stop()]);
  }

  /**
   * KrakenBookSyncHost: unsubscribe + subscribe the symbol's book (a fresh snapshot follows).
   * Repeated failures of one symbol back off (capped, jittered) so a venue sending bad data is
   * not flooded with subscriptions; a good snapshot resets it.
   */
  resubscribe(sync: KrakenBookSync, why: string): void {
    this.log.warn({ venue: this.id, symbol: sync.market.wsSymbol, why }, 'kraken book out of sync; resubscribing');
    let backoff = this.resyncBackoff.get(sync);
    if (!backoff) this.resyncBackoff.set(sync, (backoff = new Backoff({ baseMs: 100, maxMs: 10_000, ...this.config.backoff })));
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (this.stopped || sync.isSynced) return;
      const ws = sync.market.wsSymbol;
      // Not open: onOpen subscribes everything anyway. Subscribing again before the unsubscribe
      // is acknowledged could be answered "Already subscribed": the subscribe waits for the ack.
      if (this.send({ method: 'unsubscribe', params: { channel: 'book', symbol: [ws], depth: this.depth } })) this.unsubscribing.add(ws);
      this.watchResync(sync);
    }, backoff.next());
    this.timers.add(t);
  }

  /** A resync still without a good snapshot after resyncTimeoutMs restarts the socket. */
  private watchResync(sync: KrakenBookSync): void {
    const generation = this.socket.connects;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (this.stopped || sync.isSynced || this.socket.connects !== generation) return;
      this.socket.restart(`kraken ${sync.market.wsSymbol} resync got no snapshot in ${this.config.resyncTimeoutMs ?? 10_000} ms`);
    }, this.config.resyncTimeoutMs ?? 10_000);
    this.timers.add(t);
  }

  private subscribeAll(): void {
    this.unsubscribing.clear();
    const symbol = this.markets.map((m) => m.wsSymbol);
    this.send({ method: 'subscribe', params: { channel: 'book', symbol, depth: this.depth, snapshot: true } });
    // Trade snapshot off: the last 50 prints would be printed again on every reconnect.
    this.send({ method: 'subscribe', params: { channel: 'trade', symbol, snapshot: false } });
  }

  private send(req: KrakenRequest): boolean {
    return this.socket.send(JSON.stringify({ ...req, req_id: ++this.reqId }));
  }

  private onFrame(text: string): void {
    const f = parseKrakenFrame(text);
    if (!f) {
      if (this.unreadableFrames++ === 0) this.log.warn({ venue: this.id, frame: text.slice(0, 120) }, 'kraken sent a frame we cannot read (counted, not applied)');
      return;
    }
    switch (f.kind) {
      case 'book':
        for (const d of f.data) {
          const sync = this.syncs.get(d.symbol);
          if (!sync) continue;
          if (f.type === 'snapshot') {
            sync.snapshot(d);
            if (sync.isSynced) this.resyncBackoff.get(sync)?.reset();
          } else sync.update(d);
        }
        return;
      case 'trade':
        for (const t of f.data) {
          const sync = this.syncs.get(t.symbol);
          if (!sync) continue;
          // Prints are valid whatever the book's state; a resubscription may repeat the last ones.
          if (t.trade_id <= (this.lastTradeId.get(t.symbol) ?? -1)) continue;
          this.lastTradeId.set(t.symbol, t.trade_id);
          sync.book.trade(t.trade_id, t.price, t.qty, t.side === 'buy' ? Side.Buy : Side.Sell, rfc3339Us(t.timestamp) ?? this.nowUs());
        }
        return;
      case 'ack':
        // The book's unsubscribe is answered (done, or "not subscribed"): subscribe it again.
        if (f.method === 'unsubscribe' && f.symbol !== undefined && this.unsubscribing.delete(f.symbol)) {
          this.send({ method: 'subscribe', params: { channel: 'book', symbol: [f.symbol], depth: this.depth, snapshot: true } });
        }
        if (!f.success) {
          this.refusedRequests++;
          this.log.warn({ venue: this.id, method: f.method, error: f.error, symbol: f.symbol }, 'kraken refused a request');
        }
        return;
      case 'status':
        if (f.system !== 'online') this.log.warn({ venue: this.id, system: f.system }, 'kraken system status');
        return;
      default:
        return;
    }
  }
}
