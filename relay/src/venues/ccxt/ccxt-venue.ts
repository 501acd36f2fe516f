import { Agent as HttpAgent } from 'node:http';
import { inspect } from 'node:util';
import { ErrorCode, wallClockUs, type Instrument } from '@tickmesh/shared';
import type { Candle } from '../../md/candles/candle';
import type { FeedLookup, VenueAdapter, VenueHealth } from '../venue-adapter';
import type { BackoffOptions } from '../live/backoff';
import { FeedBook } from '../live/feed-book';
import { completedMinutes, klineCandle } from '../live/kline-candle';
import { silentLog, VenueStartError, type LiveVenueLog } from '../live/live-venue-config';
import { OrderEntryVenue } from '../live/order-entry-venue';
import { Redacted } from '../live/redacted';
import type { VenueCredentials } from '../live/venue-credentials';
import { CcxtBookSync, CcxtTradeSync, type CcxtSyncHost } from './ccxt-book-sync';
import { CcxtOrders } from './ccxt-orders';
import { ccxtMarket, decimalOf, type CcxtMarket } from './ccxt-symbols';
import { CcxtWatchdog } from './ccxt-watchdog';
import { VENUE_CCXT_CONFIG_INVALID } from './ccxt-options';
import { describeError, loadCcxt, type CcxtExchange } from './ccxt-wire';

/** Silence on a ccxt socket past this is a dead feed (most exchanges ping or send within 20 s). */
const DEFAULT_SILENCE_MS = 30_000;
const OPEN = 1;

/** A passphrase some exchanges add to key and secret (OKX, KuCoin, Bitget: ccxt's `password`). */
export class CcxtPassword extends Redacted {
  readonly #value: string;
  constructor(value: string) {
    super();
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
}

/** What `--venues ccxt:<exchange>` is opened with. */
export interface CcxtVenueConfig {
  /** ccxt's exchange id ("okx", "bybit", "binance"). The venue id is `ccxt:<exchange>`. */
  exchange: string;
  /** Canonical BASE-QUOTE spot symbols (ccxt's BASE/QUOTE). */
  symbols: readonly string[];
  /** API keys (env CCXT_<EXCHANGE>_API_KEY/_SECRET or `<data-dir>/ccxt_<exchange>-keys.json`); undefined = market data only. */
  credentials?: VenueCredentials;
  password?: CcxtPassword;
  /**
   * Merged into ccxt's constructor config (ccxt deep-merges it over the exchange's own):
   * `urls` to point it at a fake, a regional host or a proxy, `options`, `timeout`. Never keys
   * (refused: keys come only from the environment or the key file). Default {}.
   */
  ccxt?: Record<string, unknown>;
  /** ccxt's setSandboxMode(true): the exchange's testnet where ccxt knows one. Default false. */
  sandbox?: boolean;
  /** A ccxt socket silent this long is dropped and its books STALE. Default 30000 ms. */
  silenceMs?: number;
  /** Open orders are polled this often for fills and closes. Default 1000 ms. */
  pollMs?: number;
  backoff?: BackoffOptions;
  /** start() resolves by then even if some book is not live yet (it stays STALE). Default 5000 ms. */
  startTimeoutMs?: number;
  clientIdPrefix?: string;
  nowUs?: () => number;
  log?: LiveVenueLog;
}

/** Constructor keys that carry secrets: never taken from `ccxt` overrides (a config file), only from credentials. */
const SECRET_KEYS = ['apiKey', 'secret', 'password', 'uid', 'privateKey', 'walletAddress', 'token', 'login', 'twofa'];

/**
 * Opens `ccxt:<exchange>`: ccxt.pro's exchange class with our keys and overrides, its markets
 * loaded (loadMarkets), each symbol refused at once with a code when the exchange does not
 * list it as spot (VENUE_UNLISTED_SYMBOL) or its tick and lot do not give exact integer ticks
 * and lots through ccxt's floats (VENUE_INSTRUMENT_UNREPRESENTABLE). An exchange ccxt does not
 * have, or has without a WebSocket order book, is VENUE_UNKNOWN.
 */
export async function openCcxtVenue(config: CcxtVenueConfig): Promise<CcxtVenue> {
  const venue = `ccxt:${config.exchange}`;
  let ccxt: Awaited<ReturnType<typeof loadCcxt>>;
  try {
    ccxt = await loadCcxt();
  } catch (err) {
    // ccxt is a devDependency today: an install with --omit=dev (the container image) lacks it.
    throw new VenueStartError(ErrorCode.VENUE_UNKNOWN, `${venue}: the ccxt package cannot be loaded (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); install it next to the relay`);
  }
  const Exchange = Object.hasOwn(ccxt.pro, config.exchange) ? ccxt.pro[config.exchange] : undefined;
  if (!Exchange) throw new VenueStartError(ErrorCode.VENUE_UNKNOWN, `ccxt has no WebSocket (ccxt.pro) exchange ${JSON.stringify(config.exchange)}`);
  const overrides = { ...(config.ccxt ?? {}) };
  const named = SECRET_KEYS.filter((k) => k in overrides);
  if (named.length > 0) throw new VenueStartError(VENUE_CCXT_CONFIG_INVALID, `${venue}: ccxt overrides may not carry ${named.join(', ')}; keys come from CCXT_${config.exchange.toUpperCase()}_API_KEY/_SECRET or the key file`);
  const keys = config.credentials?.reveal();
  const exchange = new Exchange({
    enableRateLimit: true,
    ...overrides,
    ...(keys ? { apiKey: keys.key, secret: keys.secret } : {}),
    ...(config.password ? { password: config.password.reveal() } : {}),
  });
  // The exchange object holds the keys in plain fields: whatever prints it (a log line, util.inspect, JSON) sees only this.
  const redacted = () => `[ccxt ${config.exchange}: redacted]`;
  Object.defineProperty(exchange, inspect.custom, { value: redacted });
  Object.defineProperty(exchange, 'toJSON', { value: redacted });
  if (config.sandbox) exchange.setSandboxMode(true);
  // ccxt retries a failed snapshot at once, up to 3 times, whatever the venue answered (a 429
  // included): one try, and the failure comes to CcxtBookSync, whose backoff honours Retry-After.
  const wob = ((exchange as unknown as { options: Record<string, Record<string, unknown> | undefined> }).options.watchOrderBook ??= {});
  if (!(isObject(overrides.options) && isObject(overrides.options.watchOrderBook) && 'maxRetries' in overrides.options.watchOrderBook)) wob.maxRetries = 1;
  // Kept so a refusal's reason can carry the venue's own code (venueReason). Never verbose: ccxt's
  // verbose mode prints every request with its headers (the API key) to the console.
  (exchange as unknown as { enableLastJsonResponse: boolean; verbose: boolean }).enableLastJsonResponse = true;
  (exchange as unknown as { verbose: boolean }).verbose = false;
  plainHttpAgents(exchange, overrides.urls);
  const scrubber = new Scrubber([keys?.key, keys?.secret, config.password?.reveal()]);
  if (!exchange.has.watchOrderBook) throw new VenueStartError(ErrorCode.VENUE_UNKNOWN, `${venue}: ccxt has no watchOrderBook for ${config.exchange}`);
  try {
    await exchange.loadMarkets();
  } catch (err) {
    await exchange.close().catch(() => {});
    const kind = describeError(err);
    throw new VenueStartError(kind.rateLimited ? ErrorCode.VENUE_RATE_LIMITED : kind.network ? ErrorCode.VENUE_UNREACHABLE : ErrorCode.VENUE_BAD_RESPONSE, `${venue} loadMarkets: ${scrubber.scrub(err)}`);
  }
  let markets: CcxtMarket[];
  try {
    markets = config.symbols.map((s) => ccxtMarket(venue, s, exchange.markets, exchange.precisionMode));
  } catch (err) {
    await exchange.close().catch(() => {});
    throw err;
  }
  return new CcxtVenue(config, exchange, markets, scrubber);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * ccxt in Node sends REST through an https agent and refuses ws:// without an http one; urls
 * overridden to plain http:// or ws:// (a local fake, a proxy on loopback) get an http agent.
 */
function plainHttpAgents(exchange: CcxtExchange, urls: unknown): void {
  const all: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') all.push(v);
    else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x);
  };
  walk(urls);
  if (!all.some((u) => u.startsWith('http://') || u.startsWith('ws://'))) return;
  const agent = new HttpAgent({ keepAlive: true });
  const target = exchange as unknown as { agent?: unknown; httpAgent?: unknown };
  target.httpAgent = agent;
  if (all.some((u) => u.startsWith('http://'))) target.agent = agent;
}

/**
 * Any exchange ccxt.pro supports, behind VenueAdapter, for the long tail (the three venues that
 * matter most have their own adapters). Market data: watchOrderBook / watchTrades per symbol,
 * made safe to show (CcxtBookSync: STALE on every ccxt error, resync or silent socket, live
 * only once ccxt has continued its snapshot). Orders: ccxt's REST createOrder / cancelOrder,
 * reports by polling (CcxtOrders).
 */
export class CcxtVenue extends OrderEntryVenue implements VenueAdapter, CcxtSyncHost {
  readonly id: string;
  readonly venue: string;
  /** Private: the exchange object holds the keys and must never be printed (util.inspect does not show # fields). */
  readonly #exchange: CcxtExchange;
  readonly #scrubber: Scrubber;
  readonly log: LiveVenueLog;
  readonly backoff?: BackoffOptions;
  protected readonly orders: CcxtOrders;
  private readonly books = new Map<string, CcxtBookSync>();
  private readonly trades = new Map<string, CcxtTradeSync>();
  private readonly watchdog: CcxtWatchdog;
  private readonly seenSockets = new WeakSet<object>();
  private running: Promise<void>[] = [];
  private isStopped = false;
  /** Socket connects ccxt made (1 per socket it opened), and back-off answers. */
  private connectCount = 0;
  private rateLimitedCount = 0;

  constructor(
    private readonly config: CcxtVenueConfig,
    exchange: CcxtExchange,
    readonly markets: readonly CcxtMarket[],
    scrubber: Scrubber,
  ) {
    super();
    this.id = `ccxt:${config.exchange}`;
    this.venue = this.id;
    this.#exchange = exchange;
    this.#scrubber = scrubber;
    this.log = config.log ?? silentLog;
    this.backoff = config.backoff;
    this.watchdog = new CcxtWatchdog(exchange, config.silenceMs ?? DEFAULT_SILENCE_MS, (url) => {
      this.log.warn({ venue: this.id, socket: scrubber.scrubUrl(url), silenceMs: config.silenceMs ?? DEFAULT_SILENCE_MS }, `${this.id} socket silent; dropped, its books STALE until resynced`);
    });
    this.orders = new CcxtOrders({
      venue: this.id,
      exchange,
      hasKeys: config.credentials !== undefined,
      markets,
      clientIdPrefix: config.clientIdPrefix,
      pollMs: config.pollMs,
      nowUs: config.nowUs ?? wallClockUs,
      log: this.log,
      scrub: (err) => this.venueReason(err),
      noteRateLimited: () => this.noteRateLimited(),
    });
  }

  get exchange(): CcxtExchange {
    return this.#exchange;
  }

  get stopped(): boolean {
    return this.isStopped;
  }

  get orderEntry(): CcxtOrders {
    return this.orders;
  }

  get silences(): number {
    return this.watchdog.silences;
  }

  instruments(): readonly Instrument[] {
    return this.markets.map((m) => m.instrument);
  }

  /** The synced book of a symbol (tests compare it with the fake's true book). */
  bookSync(symbol: string): CcxtBookSync | undefined {
    return this.books.get(symbol);
  }

  async start(feeds: FeedLookup): Promise<void> {
    for (const m of this.markets) {
      const book = new FeedBook(feeds(m.instrument.symbol), m.price, m.size);
      const sync = new CcxtBookSync(m, book, this);
      this.books.set(m.instrument.symbol, sync);
      this.running.push(sync.run());
      if (this.#exchange.has.watchTrades) {
        const trades = new CcxtTradeSync(m, book, this);
        this.trades.set(m.instrument.symbol, trades);
        this.running.push(trades.run());
      }
    }
    this.watchdog.start();
    this.orders.start();
    const deadline = performance.now() + (this.config.startTimeoutMs ?? 5000);
    while (!this.isStopped && performance.now() < deadline && [...this.books.values()].some((s) => !s.synced)) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<void> {
    this.isStopped = true;
    this.watchdog.stop();
    await this.orders.stop();
    // ccxt rejects every pending watch with ExchangeClosedByUser; a loop in its backoff sleep
    // sees `stopped` when it wakes and ends without watching again (not awaited: that sleep can be 30 s).
    await this.#exchange.close().catch(() => {});
    void Promise.allSettled(this.running);
  }

  /** The last 1-minute candles before `endMs` through ccxt's fetchOHLCV (floats back to exact ticks; off-grid rows left out). */
  async history(symbol: string, endMs: number): Promise<Candle[]> {
    const m = this.markets.find((x) => x.instrument.symbol === symbol);
    if (!m || !this.#exchange.has.fetchOHLCV) return [];
    const rows = await this.#exchange.fetchOHLCV(m.ccxtSymbol, '1m', Math.floor(endMs / 60_000) * 60_000 - 1000 * 60_000, 1000);
    const d = (v: unknown) => (typeof v === 'number' ? decimalOf(v) : undefined);
    return completedMinutes(rows.map((r) => (typeof r[0] === 'number' && r[0] % 1000 === 0 ? klineCandle(r[0] / 1000, d(r[1]), d(r[2]), d(r[3]), d(r[4]), d(r[5]), m.price, m.size) : undefined)), endMs);
  }

  health(): VenueHealth {
    const clients = Object.values(this.#exchange.clients);
    const hasKeys = this.config.credentials !== undefined;
    return {
      connected: clients.some((c) => c.connection?.readyState === OPEN),
      connects: this.connectCount,
      rateLimited: this.rateLimitedCount,
      // Orders go over REST: "connected" = the last reconciliation pass reached the venue.
      ordersConnected: hasKeys ? this.orders.reachable : undefined,
      reconciliations: hasKeys ? this.orders.reconciliations : undefined,
    };
  }

  // --------------------------------------------------------------- CcxtSyncHost

  watched(): void {
    for (const c of Object.values(this.#exchange.clients)) {
      if (c.connection && !this.seenSockets.has(c.connection)) {
        this.seenSockets.add(c.connection);
        this.connectCount++;
      }
    }
    this.watchdog.watchNew();
  }

  dropBookSocket(ccxtSymbol: string): void {
    const clients = Object.values(this.#exchange.clients);
    const carrying = clients.filter((c) => Object.keys(c.subscriptions ?? {}).some((k) => k.includes(ccxtSymbol) && /book|depth/i.test(k)));
    for (const c of carrying.length > 0 ? carrying : clients) c.connection?.terminate();
  }

  noteRateLimited(): void {
    this.rateLimitedCount++;
  }

  retryAfterMs(): number {
    const headers = (this.#exchange as unknown as { last_response_headers?: Record<string, string> }).last_response_headers;
    const v = headers ? Number(headers['retry-after'] ?? headers['Retry-After']) : NaN;
    return Number.isFinite(v) && v > 0 ? Math.min(v, 600) * 1000 : 0;
  }

  scrub(err: unknown): string {
    return this.#scrubber.scrub(err);
  }

  /**
   * A venue refusal for the trader: ccxt's class and text, with the venue's own code where its
   * last JSON answer was this error (ccxt maps Binance's -2010 to InsufficientFunds and drops the
   * number). Keys scrubbed.
   */
  venueReason(err: unknown): string {
    const last = (this.#exchange as unknown as { last_json_response?: unknown }).last_json_response as { code?: unknown; msg?: unknown } | undefined;
    const message = err instanceof Error ? err.message : String(err);
    if (last && typeof last === 'object' && (typeof last.code === 'number' || typeof last.code === 'string') && typeof last.msg === 'string' && last.msg !== '' && message.includes(last.msg)) {
      return this.#scrubber.scrub(`${this.id} ${String(last.code)} ${last.msg} (${describeError(err).kind})`);
    }
    return this.#scrubber.scrub(err);
  }
}

/**
 * Error texts without the keys: ccxt's messages can carry a request URL (a signed query), the
 * venue's echo of a header, or a key in an exchange's own error body. Every configured secret
 * is replaced, and query strings are cut from URLs.
 */
class Scrubber extends Redacted {
  readonly #secrets: string[];
  constructor(secrets: (string | undefined)[]) {
    super();
    this.#secrets = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 4);
  }

  scrub(err: unknown): string {
    const text = err instanceof Error ? `${describeError(err).kind}: ${err.message}` : String(err);
    return this.scrubText(text).slice(0, 300);
  }

  scrubUrl(url: string): string {
    return this.scrubText(url.replace(/\?.*$/, ''));
  }

  private scrubText(text: string): string {
    let out = text.replace(/(signature|apiKey|api_key|key|token|passphrase)=[^&\s"']*/gi, '$1=[redacted]');
    for (const s of this.#secrets) out = out.split(s).join('[redacted]');
    return out;
  }
}
