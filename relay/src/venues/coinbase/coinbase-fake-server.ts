import type { KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { Prng } from '../sim/prng';
import { fromUnits, unitStep, type UnitStep } from '../live/exact-units';
import type { L2Update, MarketTrade, Product } from './coinbase-wire';
import { FakeCoinbaseOrders } from './coinbase-fake-orders';

/** One product the fake lists. */
export interface FakeCoinbaseProduct {
  productId: string;
  base: string;
  quote: string;
  quoteIncrement: string;
  baseIncrement: string;
  baseMinSize?: string;
  baseMaxSize?: string;
  /** Mid price in ticks the random book is built around. */
  midTicks: number;
  status?: string;
  tradingDisabled?: boolean;
  /** Coinbase's alias (BTC-USDC's is BTC-USD: its public data comes under that id). */
  alias?: string;
}

export interface FakeCoinbaseOptions {
  products: FakeCoinbaseProduct[];
  seed?: number;
  /** Levels per side of the opening book. Default 20. */
  depth?: number;
  /** Heartbeats this often on subscribed connections (Coinbase: 1 s). Default 100 ms. */
  heartbeatMs?: number;
  /** The account's API key (name and public key, EC P-256 or Ed25519): order endpoints and the user channel verify JWTs against it (ES256 or EdDSA, by the key). */
  auth?: { keyName: string; publicKey: KeyObject };
}

/** The fake's true book of one product, in ticks and lots. */
export interface TrueBook {
  bids: Map<number, number>;
  asks: Map<number, number>;
}

interface FakeMarket {
  spec: FakeCoinbaseProduct;
  price: UnitStep;
  size: UnitStep;
  book: TrueBook;
  tradeId: number;
  trades: MarketTrade[];
}

/** One client connection: its own sequence numbers and subscriptions. */
interface Conn {
  ws: WebSocket;
  seq: number;
  heartbeats: boolean;
  heartbeatCounter: number;
  level2: Set<string>;
  trades: Set<string>;
  user: boolean;
}

interface Faults {
  gap: number;
  duplicate: number;
  swap: number;
  badPrice: number;
  stalled: boolean;
  rest: { status: number; retryAfterSec: number; count: number } | undefined;
}

/**
 * A local Coinbase Advanced Trade, speaking its documented wire: REST
 * `/api/v3/brokerage/market/products/{product_id}` (and the list), and the market data
 * WebSocket with one-channel subscribe messages, `subscriptions` answers, `heartbeats` (with
 * heartbeat_counter), `l2_data` snapshot/update events ({side: bid|offer, price_level,
 * new_quantity, event_time}) and `market_trades` (side = the taker's), every message
 * numbered by the connection's sequence_num. It keeps the true book of each product, changes
 * it at random (seeded) on `pump()`, and injects faults: a sequence gap, a duplicate message,
 * two messages swapped, a price off the tick grid, a silent stall, a dropped socket, 429s.
 */
export class CoinbaseFakeServer {
  private readonly http: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly markets = new Map<string, FakeMarket>();
  private readonly conns = new Set<Conn>();
  private readonly rng: Prng;
  private readonly beat: NodeJS.Timeout;
  private readonly faults: Faults = { gap: 0, duplicate: 0, swap: 0, badPrice: 0, stalled: false, rest: undefined };
  private held: { conn: Conn; text: string } | undefined;
  /** REST requests seen per path (tests check the adapter backs off, never hammers). */
  readonly requests = new Map<string, number>();
  /** 1-minute candles by product (Advanced Trade's shape, oldest first), served by `products/{id}/candles`; tests set them. */
  readonly candles = new Map<string, Array<{ start: string; low: string; high: string; open: string; close: string; volume: string }>>();
  /** WebSocket connections accepted so far. */
  connections = 0;
  /** Subscribe messages received, in order ("level2:BTC-USD,ETH-USD"). */
  readonly subscribes: string[] = [];
  /** The account's orders (see coinbase-fake-orders.ts). */
  readonly orders: FakeCoinbaseOrders;
  /** `user` subscriptions accepted so far. */
  userSubscriptions = 0;

  private constructor(private readonly options: FakeCoinbaseOptions) {
    this.rng = new Prng(options.seed ?? 11);
    for (const spec of options.products) {
      const m: FakeMarket = { spec, price: unitStep(spec.quoteIncrement)!, size: unitStep(spec.baseIncrement)!, book: { bids: new Map(), asks: new Map() }, tradeId: 9000, trades: [] };
      const depth = options.depth ?? 20;
      for (let i = 1; i <= depth; i++) {
        m.book.bids.set(spec.midTicks - i, 1 + this.rng.int(50));
        m.book.asks.set(spec.midTicks + i, 1 + this.rng.int(50));
      }
      this.markets.set(spec.productId, m);
    }
    this.orders = new FakeCoinbaseOrders(
      {
        market: (id) => this.markets.get(id),
        bookChanged: (id, changes) => {
          const m = this.markets.get(id)!;
          const time = new Date().toISOString();
          this.publishUpdate(id, changes.map((c) => this.level(m, c.side, c.price, c.lots, time)));
        },
        userEvent: (event) => {
          for (const c of this.conns) if (c.user) this.send(c, 'user', [event]);
        },
      },
      options.auth,
    );
    this.http = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => void this.rest(req, res, Buffer.concat(chunks).toString()));
    });
    this.http.on('upgrade', (req, socket, head) => {
      // A stalled venue also takes no new connections (the handshake never completes).
      if (this.faults.stalled) return socket.destroy();
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
    });
    this.beat = setInterval(() => this.heartbeat(), options.heartbeatMs ?? 100);
  }

  static async start(options: FakeCoinbaseOptions): Promise<CoinbaseFakeServer> {
    const fake = new CoinbaseFakeServer(options);
    await new Promise<void>((resolve) => fake.http.listen(0, '127.0.0.1', () => resolve()));
    return fake;
  }

  get restUrl(): string {
    return `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
  }

  get wsUrl(): string {
    return this.restUrl.replace('http', 'ws');
  }

  /** Open WebSocket connections. */
  get openConnections(): number {
    return this.conns.size;
  }

  trueBook(productId: string): TrueBook {
    return this.markets.get(productId)!.book;
  }

  /** Trades printed so far (oldest first). */
  trades(productId: string): readonly MarketTrade[] {
    return this.markets.get(productId)!.trades;
  }

  /** `events` random book changes per product (each 1–3 levels, one l2_data update), plus a trade now and then. */
  pump(events = 1): void {
    for (let n = 0; n < events; n++) for (const m of this.markets.values()) this.change(m);
  }

  // ------------------------------------------------------------------ faults

  /** The next l2_data update skips a sequence number (a message lost). */
  gapNext(): void {
    this.faults.gap++;
  }

  /** The next l2_data update is sent twice (same sequence number). */
  duplicateNext(): void {
    this.faults.duplicate++;
  }

  /** The next two l2_data updates arrive swapped. */
  swapNextTwo(): void {
    this.faults.swap++;
  }

  /** The next l2_data update carries a price off the tick grid. */
  badPriceNext(): void {
    this.faults.badPrice++;
  }

  /** Goes silent: no messages, no heartbeats, no new connections, while sockets stay open. */
  stall(): void {
    this.faults.stalled = true;
  }

  resume(): void {
    this.faults.stalled = false;
  }

  /** Closes every WebSocket connection at once. */
  dropSockets(): void {
    for (const c of this.conns) c.ws.terminate();
  }

  /** Closes every connection subscribed to the `user` channel. */
  dropUserSockets(): void {
    for (const c of this.conns) if (c.user) c.ws.terminate();
  }

  /** Fills a resting order as maker while no user connection is open (they are dropped first, in the same tick). */
  fillWhileDisconnected(clientOrderId: string, lots?: number): void {
    this.dropUserSockets();
    for (const c of this.conns) if (c.user) this.conns.delete(c);
    this.orders.fillResting(clientOrderId, lots);
  }

  /** The next `count` REST requests answer `status` (429) with Retry-After in seconds. */
  answerRest(status: number, retryAfterSec: number, count = 1): void {
    this.faults.rest = { status, retryAfterSec, count };
  }

  async stop(): Promise<void> {
    clearInterval(this.beat);
    for (const c of this.conns) c.ws.terminate();
    this.wss.close();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  // ------------------------------------------------------------------ wire

  private accept(ws: WebSocket): void {
    this.connections++;
    const conn: Conn = { ws, seq: 0, heartbeats: false, heartbeatCounter: 0, level2: new Set(), trades: new Set(), user: false };
    this.conns.add(conn);
    ws.on('close', () => this.conns.delete(conn));
    ws.on('error', () => {});
    ws.on('message', (data: Buffer) => this.onRequest(conn, data.toString()));
  }

  private onRequest(conn: Conn, text: string): void {
    let req: { type?: unknown; channel?: unknown; product_ids?: unknown; jwt?: unknown };
    try {
      req = JSON.parse(text) as typeof req;
    } catch {
      return void conn.ws.send(JSON.stringify({ type: 'error', message: 'Failed to parse request' }));
    }
    const products = Array.isArray(req.product_ids) ? req.product_ids.filter((p): p is string => typeof p === 'string') : [];
    if (req.type !== 'subscribe' || typeof req.channel !== 'string') return void conn.ws.send(JSON.stringify({ type: 'error', message: 'unsupported request' }));
    this.subscribes.push(`${req.channel}:${products.join(',')}`);
    const unknown = products.find((p) => !this.markets.has(p));
    if (unknown) return void conn.ws.send(JSON.stringify({ type: 'error', message: `Failed to subscribe: unknown product ${unknown}` }));
    if (req.channel === 'user') {
      void this.orders.verifyWs(req.jwt).then((ok) => {
        if (!ok) return void conn.ws.send(JSON.stringify({ type: 'error', message: 'authentication failure' }));
        conn.user = true;
        this.userSubscriptions++;
        this.send(conn, 'subscriptions', [{ subscriptions: this.subscriptionsOf(conn) }]);
      });
      return;
    }
    if (req.channel === 'heartbeats') conn.heartbeats = true;
    else if (req.channel === 'level2') for (const p of products) conn.level2.add(p);
    else if (req.channel === 'market_trades') for (const p of products) conn.trades.add(p);
    else return void conn.ws.send(JSON.stringify({ type: 'error', message: `channel ${req.channel} not in this fake` }));
    this.send(conn, 'subscriptions', [{ subscriptions: this.subscriptionsOf(conn) }]);
    if (req.channel === 'level2') {
      for (const p of products) {
        const m = this.markets.get(p)!;
        const time = new Date().toISOString();
        const updates: L2Update[] = [
          ...[...m.book.bids].sort((a, b) => b[0] - a[0]).map(([px, q]) => this.level(m, 'bid', px, q, time)),
          ...[...m.book.asks].sort((a, b) => a[0] - b[0]).map(([px, q]) => this.level(m, 'offer', px, q, time)),
        ];
        this.send(conn, 'l2_data', [{ type: 'snapshot', product_id: p, updates }]);
      }
    }
    if (req.channel === 'market_trades') {
      // The last few trades, newest first.
      const recent = products.flatMap((p) => this.markets.get(p)!.trades.slice(-5).reverse());
      this.send(conn, 'market_trades', [{ type: 'snapshot', trades: recent }]);
    }
  }

  private subscriptionsOf(conn: Conn): Record<string, string[]> {
    const s: Record<string, string[]> = {};
    if (conn.heartbeats) s.heartbeats = [];
    if (conn.level2.size) s.level2 = [...conn.level2];
    if (conn.trades.size) s.market_trades = [...conn.trades];
    if (conn.user) s.user = [];
    return s;
  }

  private heartbeat(): void {
    if (this.faults.stalled) return;
    for (const c of this.conns) {
      if (!c.heartbeats) continue;
      this.send(c, 'heartbeats', [{ current_time: new Date().toISOString(), heartbeat_counter: ++c.heartbeatCounter }]);
    }
  }

  private change(m: FakeMarket): void {
    const changes = 1 + this.rng.int(3);
    const time = new Date().toISOString();
    const updates: L2Update[] = [];
    for (let i = 0; i < changes; i++) {
      const buy = this.rng.chance(0.5);
      const side = buy ? m.book.bids : m.book.asks;
      // Within 30 ticks of the mid, on the right side: the book stays uncrossed.
      const price = buy ? m.spec.midTicks - 1 - this.rng.int(30) : m.spec.midTicks + 1 + this.rng.int(30);
      const size = this.rng.chance(0.3) ? 0 : 1 + this.rng.int(80);
      if (size === 0) side.delete(price);
      else side.set(price, size);
      updates.push(this.level(m, buy ? 'bid' : 'offer', price, size, time));
    }
    if (this.faults.badPrice > 0) {
      this.faults.badPrice--;
      // Half a tick below a real level: no whole number of ticks, so never a level.
      const px = this.px(m, m.spec.midTicks - 40);
      updates.push({ side: 'bid', event_time: time, price_level: `${px}${px.includes('.') ? '' : '.'}5`, new_quantity: this.qty(m, 1) });
    }
    this.publishUpdate(m.spec.productId, updates);
    if (this.rng.chance(0.3)) {
      const buy = this.rng.chance(0.5);
      const t: MarketTrade = {
        trade_id: String(++m.tradeId),
        product_id: m.spec.productId,
        price: this.px(m, m.spec.midTicks + (buy ? 1 : -1)),
        size: this.qty(m, 1 + this.rng.int(5)),
        side: buy ? 'BUY' : 'SELL',
        time,
      };
      m.trades.push(t);
      for (const c of this.conns) if (c.trades.has(m.spec.productId)) this.send(c, 'market_trades', [{ type: 'update', trades: [t] }]);
    }
  }

  private publishUpdate(productId: string, updates: L2Update[]): void {
    const gap = this.faults.gap > 0;
    const dup = this.faults.duplicate > 0;
    const swap = this.faults.swap > 0;
    let sent = false;
    for (const c of this.conns) {
      if (!c.level2.has(productId) || this.faults.stalled) continue;
      sent = true;
      if (gap) c.seq++; // one number never sent
      const text = this.envelope(c, 'l2_data', [{ type: 'update', product_id: productId, updates }]);
      if (swap && !this.held) {
        this.held = { conn: c, text };
        continue;
      }
      c.ws.send(text);
      if (this.held?.conn === c) {
        c.ws.send(this.held.text);
        this.held = undefined;
        this.faults.swap--;
      }
      if (dup) c.ws.send(text);
    }
    if (!sent) return;
    if (gap) this.faults.gap--;
    if (dup) this.faults.duplicate--;
  }

  private send(c: Conn, channel: string, events: unknown[]): void {
    if (this.faults.stalled) return;
    c.ws.send(this.envelope(c, channel, events));
  }

  /** Numbers the message: sequence_num counts every message of the connection, all channels. */
  private envelope(c: Conn, channel: string, events: unknown[]): string {
    return JSON.stringify({ channel, client_id: '', timestamp: new Date().toISOString(), sequence_num: c.seq++, events });
  }

  private async rest(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.set(url.pathname, (this.requests.get(url.pathname) ?? 0) + 1);
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const fault = this.faults.rest;
    if (fault && fault.count > 0) {
      if (--fault.count === 0) this.faults.rest = undefined;
      return reply(fault.status, { error: 'RATE_LIMIT_EXCEEDED', message: 'Too many requests', error_details: '' }, { 'retry-after': String(fault.retryAfterSec) });
    }
    const order = await this.orders.handle(req.method ?? 'GET', url, req.headers.host ?? '', req.headers.authorization, body);
    if (order) return reply(order.status, order.body);
    const prefix = '/api/v3/brokerage/market/products';
    if (url.pathname === prefix) {
      const products = [...this.markets.values()].map((m) => this.product(m.spec));
      return reply(200, { products, num_products: products.length });
    }
    const candles = new RegExp(`^${prefix}/([^/]+)/candles$`).exec(url.pathname);
    if (candles) {
      const m = this.markets.get(decodeURIComponent(candles[1]!));
      if (!m) return reply(404, { error: 'NOT_FOUND', error_details: 'ProductID is invalid', message: 'ProductID is invalid' });
      if (url.searchParams.get('granularity') !== 'ONE_MINUTE') return reply(400, { error: 'INVALID_ARGUMENT', message: 'granularity' });
      const [start, end] = [Number(url.searchParams.get('start')), Number(url.searchParams.get('end'))];
      const rows = (this.candles.get(m.spec.productId) ?? []).filter((c) => Number(c.start) >= start && Number(c.start) <= end);
      return reply(200, { candles: rows.slice(-350).reverse() }); // Coinbase answers newest first
    }
    if (url.pathname.startsWith(`${prefix}/`)) {
      const id = decodeURIComponent(url.pathname.slice(prefix.length + 1));
      const m = this.markets.get(id);
      if (!m) return reply(404, { error: 'NOT_FOUND', error_details: 'ProductID is invalid', message: 'ProductID is invalid' });
      return reply(200, this.product(m.spec));
    }
    reply(404, { error: 'NOT_FOUND', message: `unknown path ${url.pathname}` });
  }

  private product(s: FakeCoinbaseProduct): Product {
    return {
      product_id: s.productId,
      base_currency_id: s.base,
      quote_currency_id: s.quote,
      quote_increment: s.quoteIncrement,
      base_increment: s.baseIncrement,
      base_min_size: s.baseMinSize ?? s.baseIncrement,
      base_max_size: s.baseMaxSize ?? '3400',
      status: s.status ?? 'online',
      trading_disabled: s.tradingDisabled ?? false,
      is_disabled: false,
      cancel_only: false,
      product_type: 'SPOT',
      ...(s.alias ? { alias: s.alias } : {}),
    };
  }

  private level(m: FakeMarket, side: 'bid' | 'offer', ticks: number, lots: number, time: string): L2Update {
    return { side, event_time: time, price_level: this.px(m, ticks), new_quantity: this.qty(m, lots) };
  }

  private px(m: FakeMarket, ticks: number): string {
    return fromUnits(ticks, m.price);
  }

  private qty(m: FakeMarket, lots: number): string {
    return fromUnits(lots, m.size);
  }
}
