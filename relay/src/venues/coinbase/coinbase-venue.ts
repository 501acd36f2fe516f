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
import { CoinbaseBookSync } from './coinbase-book-sync';
import { fetchCoinbaseHistory } from './coinbase-candles';
import { CoinbaseOrders } from './coinbase-orders';
import { coinbaseMarket, toProductId, type CoinbaseMarket } from './coinbase-symbols';
import { isProduct, marketDataSubscriptions, parseMessage, rfc3339ToUs, type MarketTrade } from './coinbase-wire';

/** Production endpoints (Coinbase Advanced Trade). */
export const COINBASE_REST_URL = 'https://api.coinbase.com';
export const COINBASE_WS_URL = 'wss://advanced-trade-ws.coinbase.com';
/** The authenticated `user` channel has its own host in production. */
export const COINBASE_USER_WS_URL = 'wss://advanced-trade-ws-user.coinbase.com';

/** Heartbeats come once a second: five silent seconds is a dead feed. */
const DEFAULT_SILENCE_MS = 5000;
/** A 429 at open is waited out (the venue's Retry-After) this many times before giving up. */
const OPEN_ATTEMPTS = 3;
/** A resync this soon after the previous one is a venue that keeps sending what we cannot use: back off. */
const RESYNC_STORM_MS = 10_000;

/** Coinbase-only options on top of the common ones. */
export interface CoinbaseVenueConfig extends LiveVenueConfig {
  /** start() resolves by then even if some book is not synced yet (it stays STALE). Default 5000 ms. */
  startTimeoutMs?: number;
  /** The `user` channel's WebSocket. Default: COINBASE_USER_WS_URL with the production wsUrl, else wsUrl itself (a fake serves both). */
  userWsUrl?: string;
}

/**
 * Opens the Coinbase adapter: reads each product's public metadata
 * (GET /api/v3/brokerage/market/products/{product_id}) and refuses at once, with a code, a
 * product Coinbase does not list for trading or whose increments do not fit integer ticks and
 * lots. A 429 is waited out as the venue says (VenueHttp holds every request meanwhile).
 */
export async function openCoinbaseVenue(config: CoinbaseVenueConfig): Promise<CoinbaseVenue> {
  const http = new VenueHttp({ baseUrl: config.restUrl });
  const markets: CoinbaseMarket[] = [];
  for (const symbol of config.symbols) {
    const productId = toProductId(symbol);
    let product: unknown;
    for (let attempt = 1; ; attempt++) {
      try {
        product = await http.request('GET', `/api/v3/brokerage/market/products/${encodeURIComponent(productId)}`);
        break;
      } catch (err) {
        if (err instanceof VenueHttpError && (err.status === 404 || (err.status === 400 && /NOT_FOUND|INVALID_ARGUMENT/.test(err.venueBody)))) {
          throw new VenueStartError(ErrorCode.VENUE_UNLISTED_SYMBOL, `coinbase does not list ${symbol}`);
        }
        if (err instanceof VenueHttpError && err.code === ErrorCode.VENUE_RATE_LIMITED && attempt < OPEN_ATTEMPTS) {
          await new Promise((r) => setTimeout(r, Math.ceil(http.retryInMs) + 1));
          continue;
        }
        throw new VenueStartError(err instanceof VenueHttpError ? err.code : ErrorCode.VENUE_UNREACHABLE, `coinbase product ${symbol}: ${(err as Error).message}`);
      }
    }
    if (!isProduct(product)) throw new VenueStartError(ErrorCode.VENUE_BAD_RESPONSE, `coinbase product ${symbol}: not a product`);
    markets.push(coinbaseMarket(symbol, product));
  }
  return new CoinbaseVenue(config, http, markets);
}

/**
 * Coinbase Advanced Trade behind VenueAdapter. Market data: one connection subscribed to
 * `heartbeats`, `level2` and `market_trades` for every product; CoinbaseBookSync checks the
 * connection's sequence numbers and keeps the books; a gap, a value off the tick grid,
 * silence past `silenceMs` or a closed socket makes every book STALE and the connection is
 * replaced (capped, jittered backoff), LIVE again after the new snapshots.
 *
 * `market_trades`' `side` is read as the taker's side (the aggressor), as NautilusTrader's
 * and cryptofeed's Coinbase Advanced Trade adapters read it; Advanced Trade's own page for
 * the channel does not say (Coinbase Exchange's `match` channel, a different API, documents
 * the maker's side).
 */
export class CoinbaseVenue extends OrderEntryVenue implements VenueAdapter {
  readonly id = 'coinbase';
  private readonly socket: VenueSocket;
  private sync: CoinbaseBookSync | undefined;
  private readonly lastTradeId = new Map<string, number>();
  private readonly log: LiveVenueLog;
  private readonly nowUs: () => number;
  protected readonly orders: CoinbaseOrders;
  private stopped = false;
  private readonly resyncBackoff: Backoff;
  private lastResyncMs = -Infinity;
  private quickResyncs = 0;
  private resyncTimer: NodeJS.Timeout | undefined;
  /** Messages without a sequence number (e.g. error answers): counted, logged once, not market data. */
  unreadableMessages = 0;

  constructor(
    private readonly config: CoinbaseVenueConfig,
    readonly http: VenueHttp,
    readonly markets: readonly CoinbaseMarket[],
  ) {
    super();
    this.log = config.log ?? silentLog;
    this.nowUs = config.nowUs ?? wallClockUs;
    this.socket = new VenueSocket({
      url: () => config.wsUrl,
      silenceMs: config.silenceMs ?? DEFAULT_SILENCE_MS,
      backoff: config.backoff,
      onOpen: (s) => {
        // A new connection is what a pending resync waits for.
        clearTimeout(this.resyncTimer);
        this.resyncTimer = undefined;
        this.sync?.streamOpen();
        // Coinbase drops a connection that has not subscribed within 5 s: subscribe at once.
        for (const req of marketDataSubscriptions(this.markets.map((m) => m.productId))) s.send(JSON.stringify(req));
      },
      onMessage: (text) => this.onMessage(text),
      onDown: (why) => {
        this.log.warn({ venue: this.id, why }, 'coinbase market data down; books stale until resynced');
        this.sync?.streamDown();
      },
    });
    this.orders = new CoinbaseOrders({
      ...liveOrdersOptions(config, markets, DEFAULT_SILENCE_MS),
      userWsUrl: config.userWsUrl ?? (config.wsUrl === COINBASE_WS_URL ? COINBASE_USER_WS_URL : config.wsUrl),
    });
    this.resyncBackoff = new Backoff({ baseMs: 250, maxMs: 30_000, random: config.backoff?.random });
  }

  instruments(): readonly Instrument[] {
    return this.markets.map((m) => m.instrument);
  }

  /** The last 350 completed 1-minute candles (public `products/{id}/candles`, one call), for the relay's charts. */
  async history(symbol: string, endMs: number): Promise<Candle[]> {
    const market = this.markets.find((m) => m.instrument.symbol === symbol);
    return market ? fetchCoinbaseHistory(this.http, market, endMs) : [];
  }

  /** The books of the connection (tests compare them with the fake's true book). */
  bookSync(): CoinbaseBookSync | undefined {
    return this.sync;
  }

  /** Order entry and reconciliation (tests read its orders, alerts and user socket). */
  get orderEntry(): CoinbaseOrders {
    return this.orders;
  }

  get marketSocket(): VenueSocket {
    return this.socket;
  }

  /** Read at scrape time from the counters kept where things happen (sockets, both REST gates, reconciler). */
  health(): VenueHealth {
    return venueHealth(this.socket, this.orders.userSocket, this.http.rateLimited + this.orders.http.rateLimited, this.orders.reconciliations);
  }

  async start(feeds: FeedLookup): Promise<void> {
    const books = new Map<string, FeedBook>();
    for (const m of this.markets) books.set(m.productId, new FeedBook(feeds(m.instrument.symbol), m.price, m.size));
    this.sync = new CoinbaseBookSync(books, { resync: (why) => this.resync(why) });
    this.socket.start();
    this.orders.start();
    // Primed when every book has its snapshot; a venue that is slow or down does not hold the relay up.
    const deadline = performance.now() + (this.config.startTimeoutMs ?? 5000);
    while (!this.stopped && performance.now() < deadline && !this.sync.allSynced) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.resyncTimer);
    await Promise.all([this.socket.stop(), this.orders.stop()]);
  }

  /**
   * The books are already STALE (the sync did that first); now a new connection. The first
   * resync in a while reconnects at once; resyncs in quick succession (a venue that keeps
   * sending gaps or values off the grid) wait a growing, jittered delay, so we never hammer
   * the venue with connections. Messages of the old connection meanwhile touch no book.
   */
  private resync(why: string): void {
    if (this.resyncTimer !== undefined) return; // a reconnect is already on its way
    const now = performance.now();
    if (now - this.lastResyncMs > RESYNC_STORM_MS) {
      this.quickResyncs = 0;
      this.resyncBackoff.reset();
    }
    this.lastResyncMs = now;
    const delay = this.quickResyncs++ === 0 ? 0 : this.resyncBackoff.next();
    this.log.warn({ venue: this.id, why, reconnectInMs: delay }, 'coinbase books out of sync; reconnecting');
    if (delay === 0) return this.socket.restart(why);
    this.resyncTimer = setTimeout(() => {
      this.resyncTimer = undefined;
      if (!this.stopped) this.socket.restart(why);
    }, delay);
  }

  private onMessage(text: string): void {
    const sync = this.sync;
    if (!sync) return;
    const msg = parseMessage(text);
    if (!msg) {
      // Not numbered (e.g. {"type":"error",…} answering a bad subscribe): not market data, nothing lost.
      if (this.unreadableMessages++ === 0) this.log.warn({ venue: this.id, frame: text.slice(0, 120) }, 'coinbase sent a message without a sequence number');
      return;
    }
    if (sync.message(msg) !== 'apply') return;
    if (msg.channel === 'market_trades') {
      for (const ev of msg.events) {
        // Oldest first whatever order the venue lists them in, so the dedupe by id below holds.
        const trades = ev.trades.length > 1 ? [...ev.trades].sort((a, b) => Number(a.trade_id) - Number(b.trade_id)) : ev.trades;
        // The first snapshot is the past from before we started: it only sets where we are.
        // After a reconnect, its trades newer than the last we printed were missed: printed now.
        for (const t of trades) this.trade(t, ev.type === 'update');
      }
    }
  }

  private trade(t: MarketTrade, print: boolean): void {
    const book = this.sync?.books.get(t.product_id);
    const id = Number(t.trade_id);
    if (!book || !Number.isSafeInteger(id)) return;
    // Trades are prints, valid whatever the book's state; a reconnect's snapshot repeats the last ones.
    const last = this.lastTradeId.get(t.product_id);
    if (last !== undefined && id <= last) return;
    this.lastTradeId.set(t.product_id, id);
    if (!print && last === undefined) return;
    const timeUs = rfc3339ToUs(t.time) ?? this.nowUs();
    book.trade(id, t.price, t.size, t.side === 'BUY' ? Side.Buy : Side.Sell, timeUs);
  }
}
