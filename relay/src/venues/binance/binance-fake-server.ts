import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { Prng } from '../sim/prng';
import { fromUnits, toUnits, unitStep, type UnitStep } from '../live/exact-units';
import type { DepthUpdate, ExchangeSymbol, ExecutionReportEvent, MyTrade, OrderInfo, TradeEvent } from './binance-wire';

/** One symbol the fake lists. */
export interface FakeBinanceSymbol {
  symbol: string;
  baseAsset: string;
  quoteAsset: string;
  tickSize: string;
  stepSize: string;
  minQty?: string;
  maxQty?: string;
  minNotional?: string;
  /** Mid price in ticks the random book is built around. */
  midTicks: number;
  status?: string;
}

export interface FakeBinanceOptions {
  symbols: FakeBinanceSymbol[];
  seed?: number;
  /** Levels per side of the opening book. Default 20. */
  depth?: number;
  /** Server pings on market streams this often (Binance: 20 s). Default 200 ms. */
  pingMs?: number;
  /** The one account's HMAC key pair; requests signed otherwise are refused (-1022). */
  apiKey?: string;
  apiSecret?: string;
}

/** An order the fake's account holds. */
export interface FakeOrder {
  info: OrderInfo;
  trades: MyTrade[];
}

/** The fake's true book of one symbol, in ticks and lots. */
export interface TrueBook {
  bids: Map<number, number>;
  asks: Map<number, number>;
}

interface FakeMarket {
  spec: FakeBinanceSymbol;
  price: UnitStep;
  size: UnitStep;
  book: TrueBook;
  lastUpdateId: number;
  tradeId: number;
  /** Last events sent, for the duplicate and out-of-order faults. */
  sent: DepthUpdate[];
}

/** Faults the next events or requests carry (each consumed once, unless noted). */
interface Faults {
  gap: number;
  duplicate: number;
  swapNext: number;
  badPrice: number;
  stalled: boolean;
  /** REST answers: status and Retry-After seconds, for the next `count` requests. */
  rest: { status: number; retryAfterSec: number; count: number } | undefined;
  /** Snapshots lag this many update ids behind the stream (an old cache). */
  snapshotLag: number;
}

/**
 * A local Binance Spot, speaking its documented wire: REST `/api/v3/exchangeInfo` and
 * `/api/v3/depth`, combined market streams at `/stream?streams=<symbol>@depth@100ms/…` with
 * `depthUpdate` (U..u update ids, absolute quantities as 8-decimal strings) and `trade`
 * events, and ping frames. It keeps the true book of each symbol, changes it at random
 * (seeded) on `pump()`, and injects the faults a real venue shows: sequence gaps, duplicate and
 * out-of-order events, a value off the tick grid, a silent stall, a dropped socket, 429/418
 * answers and a snapshot older than the stream.
 */
export class BinanceFakeServer {
  private readonly http: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly markets = new Map<string, FakeMarket>();
  private readonly streams = new Map<WebSocket, Set<string>>();
  private readonly rng: Prng;
  private readonly pinger: NodeJS.Timeout;
  private readonly faults: Faults = { gap: 0, duplicate: 0, swapNext: 0, badPrice: 0, stalled: false, rest: undefined, snapshotLag: 0 };
  private held: { ws: WebSocket; stream: string; text: string } | undefined;
  /** Requests seen per path (tests check the adapter backs off, never hammers). */
  readonly requests = new Map<string, number>();
  /** Market-stream connections accepted so far. */
  connections = 0;
  /** The account's orders by client order id (open and closed). */
  readonly orders = new Map<string, FakeOrder>();
  /** Client order id of every order placed, in order, repeats included (tests check none is sent twice). */
  readonly placed: string[] = [];
  /** WebSocket API sessions, and which of them subscribed to the user data stream. */
  private readonly sessions = new Map<WebSocket, { userData: boolean }>();
  private nextOrderId = 1;
  private nextTradeId = 900_000;
  private rejectNextOrder: { code: number; msg: string } | undefined;
  /** WebSocket API requests by method (tests check reconciliation asked). */
  readonly apiCalls = new Map<string, number>();
  /** 1-minute klines by symbol, as Binance's rows (oldest first), served by `/api/v3/klines`; tests set them. */
  readonly klines = new Map<string, unknown[][]>();

  private constructor(private readonly options: FakeBinanceOptions) {
    this.rng = new Prng(options.seed ?? 7);
    for (const spec of options.symbols) {
      const market: FakeMarket = {
        spec,
        price: unitStep(spec.tickSize)!,
        size: unitStep(spec.stepSize)!,
        book: { bids: new Map(), asks: new Map() },
        lastUpdateId: 1000,
        tradeId: 5000,
        sent: [],
      };
      const depth = options.depth ?? 20;
      for (let i = 1; i <= depth; i++) {
        market.book.bids.set(spec.midTicks - i, 1 + this.rng.int(50));
        market.book.asks.set(spec.midTicks + i, 1 + this.rng.int(50));
      }
      this.markets.set(spec.symbol, market);
    }
    this.http = createServer((req, res) => this.rest(req, res));
    this.http.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/ws-api/v3') {
        return this.wss.handleUpgrade(req, socket, head, (ws) => {
          this.sessions.set(ws, { userData: false });
          ws.on('message', (data: Buffer) => this.apiRequest(ws, data.toString()));
          ws.on('close', () => this.sessions.delete(ws));
          ws.on('error', () => {});
        });
      }
      if (url.pathname !== '/stream' || this.faults.stalled) return socket.destroy();
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        this.connections++;
        this.streams.set(ws, new Set((url.searchParams.get('streams') ?? '').split('/').filter(Boolean)));
        ws.on('close', () => this.streams.delete(ws));
        ws.on('error', () => {});
      });
    });
    this.pinger = setInterval(() => {
      if (this.faults.stalled) return;
      for (const ws of this.streams.keys()) ws.ping();
      for (const ws of this.sessions.keys()) ws.ping();
    }, options.pingMs ?? 200);
  }

  static async start(options: FakeBinanceOptions): Promise<BinanceFakeServer> {
    const fake = new BinanceFakeServer(options);
    await new Promise<void>((resolve) => fake.http.listen(0, '127.0.0.1', () => resolve()));
    return fake;
  }

  get restUrl(): string {
    return `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
  }

  get wsUrl(): string {
    return this.restUrl.replace('http', 'ws');
  }

  /** Open market-stream sockets. */
  get openStreams(): number {
    return this.streams.size;
  }

  trueBook(symbol: string): TrueBook {
    return this.markets.get(symbol)!.book;
  }

  lastUpdateId(symbol: string): number {
    return this.markets.get(symbol)!.lastUpdateId;
  }

  /** `events` random book changes per symbol (each 1–3 levels, as one depthUpdate), plus a trade now and then. */
  pump(events = 1): void {
    for (let n = 0; n < events; n++) for (const m of this.markets.values()) this.publishChange(m);
  }

  // ------------------------------------------------------------------ faults

  /** The next event skips update ids (events lost in between). */
  gapNext(): void {
    this.faults.gap++;
  }

  /** The next event is sent twice. */
  duplicateNext(): void {
    this.faults.duplicate++;
  }

  /** The next two events arrive swapped. */
  swapNextTwo(): void {
    this.faults.swapNext++;
  }

  /** The next event carries a price off the tick grid. */
  badPriceNext(): void {
    this.faults.badPrice++;
  }

  /** Goes silent: no events, no pings, no new connections, while sockets stay open. */
  stall(): void {
    this.faults.stalled = true;
  }

  resume(): void {
    this.faults.stalled = false;
  }

  /** Closes every market-stream socket (as Binance does at the 24 h mark). */
  dropSockets(): void {
    for (const ws of this.streams.keys()) ws.terminate();
  }

  /** The next `count` REST requests answer `status` (429, 418) with Retry-After. */
  answerRest(status: number, retryAfterSec: number, count = 1): void {
    this.faults.rest = { status, retryAfterSec, count };
  }

  /** Depth snapshots lag `updates` update ids behind the stream until set back to 0. */
  lagSnapshots(updates: number): void {
    this.faults.snapshotLag = updates;
  }

  /** Closes every WebSocket API session (orders and user data), as a network blip would. */
  dropSessions(): void {
    for (const ws of this.sessions.keys()) ws.terminate();
  }

  /** The next order.place is refused with Binance's code and text. */
  rejectNext(code: number, msg: string): void {
    this.rejectNextOrder = { code, msg };
  }

  /**
   * Fills `qty` (a decimal string) of a resting order as a maker at its price, and tells the
   * subscribed sessions (none when the relay is away: reconciliation must find it).
   */
  fillResting(clientOrderId: string, qty: string): void {
    const o = this.orders.get(clientOrderId);
    if (!o) throw new Error(`fake binance: no order ${clientOrderId}`);
    this.trade(o, o.info.price, qty, true);
  }

  /** Opens an order at the venue that Tickmesh never sent (placed from another app). */
  addForeignOrder(symbol: string, clientOrderId: string): void {
    this.orders.set(clientOrderId, { info: { symbol, orderId: this.nextOrderId++, clientOrderId, price: '1.00000000', origQty: '1.00000000', executedQty: '0.00000000', status: 'NEW', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC' }, trades: [] });
  }

  /** Open user-data subscriptions. */
  get userDataSessions(): number {
    return [...this.sessions.values()].filter((s) => s.userData).length;
  }

  async stop(): Promise<void> {
    clearInterval(this.pinger);
    for (const ws of this.sessions.keys()) ws.terminate();
    for (const ws of this.streams.keys()) ws.terminate();
    this.wss.close();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  // ------------------------------------------------------------------ wire

  private publishChange(m: FakeMarket): void {
    const changes = 1 + this.rng.int(3);
    const b: [string, string][] = [];
    const a: [string, string][] = [];
    for (let i = 0; i < changes; i++) {
      const buy = this.rng.chance(0.5);
      const side = buy ? m.book.bids : m.book.asks;
      // Within 30 ticks of the mid, on the right side: books stay uncrossed.
      const price = buy ? m.spec.midTicks - 1 - this.rng.int(30) : m.spec.midTicks + 1 + this.rng.int(30);
      const size = this.rng.chance(0.3) ? 0 : 1 + this.rng.int(80);
      if (size === 0) side.delete(price);
      else side.set(price, size);
      (buy ? b : a).push([this.px(m, price), this.qty(m, size)]);
    }
    if (this.faults.badPrice > 0) {
      this.faults.badPrice--;
      // Half a tick: no exact number of ticks, so never a level.
      b.push([`${fromUnits(m.spec.midTicks - 40, m.price)}5`, '1.00000000']);
    }
    const U = m.lastUpdateId + 1 + (this.faults.gap > 0 ? (this.faults.gap--, 5) : 0);
    const u = U + changes - 1;
    m.lastUpdateId = u;
    const ev: DepthUpdate = { e: 'depthUpdate', E: Date.now(), s: m.spec.symbol, U, u, b, a };
    this.send(m, 'depth@100ms', ev);
    if (this.rng.chance(0.3)) {
      const buyerMaker = this.rng.chance(0.5);
      const t: TradeEvent = { e: 'trade', E: Date.now(), s: m.spec.symbol, t: ++m.tradeId, p: this.px(m, m.spec.midTicks + (buyerMaker ? -1 : 1)), q: this.qty(m, 1 + this.rng.int(5)), T: Date.now(), m: buyerMaker };
      this.send(m, 'trade', t);
    }
  }

  private send(m: FakeMarket, kind: string, data: DepthUpdate | TradeEvent): void {
    if (this.faults.stalled) return;
    const stream = `${m.spec.symbol.toLowerCase()}@${kind}`;
    const text = JSON.stringify({ stream, data });
    for (const [ws, names] of this.streams) {
      if (!names.has(stream)) continue;
      if (kind !== 'trade' && this.faults.swapNext > 0 && !this.held) {
        this.held = { ws, stream, text };
        continue;
      }
      ws.send(text);
      if (this.held?.ws === ws && this.held.stream === stream) {
        ws.send(this.held.text);
        this.held = undefined;
        this.faults.swapNext--;
      }
      if (kind !== 'trade' && this.faults.duplicate > 0) {
        ws.send(text);
        this.faults.duplicate--;
      }
    }
  }


  // ------------------------------------------------------------------ WebSocket API (orders)

  private apiRequest(ws: WebSocket, text: string): void {
    let req: { id?: string; method?: string; params?: Record<string, string | number> };
    try {
      req = JSON.parse(text) as typeof req;
    } catch {
      return;
    }
    const { id, method = '', params = {} } = req;
    this.apiCalls.set(method, (this.apiCalls.get(method) ?? 0) + 1);
    const ok = (result: unknown) => ws.send(JSON.stringify({ id, status: 200, result, rateLimits: [] }));
    const fail = (status: number, code: number, msg: string, data?: object) => ws.send(JSON.stringify({ id, status, error: { code, msg, ...(data ? { data } : {}) }, rateLimits: [] }));
    const fault = this.faults.rest;
    if (fault && fault.count > 0) {
      if (--fault.count === 0) this.faults.rest = undefined;
      return fail(fault.status, -1003, 'Too much request weight used.', { retryAfter: Date.now() + fault.retryAfterSec * 1000 });
    }
    // Signed: every parameter but the signature, sorted by name, HMAC-SHA256 hex of the account's secret.
    const { signature, ...rest } = params;
    const payload = Object.keys(rest).sort().map((k) => `${k}=${rest[k]}`).join('&');
    const expected = createHmac('sha256', this.options.apiSecret ?? '').update(payload).digest('hex');
    if (rest.apiKey !== this.options.apiKey || signature !== expected) return fail(400, -1022, 'Signature for this request is not valid.');
    if (Math.abs(Number(rest.timestamp) - Date.now()) > 5000) return fail(400, -1021, 'Timestamp for this request is outside of the recvWindow.');
    const symbol = String(rest.symbol ?? '');
    switch (method) {
      case 'userDataStream.subscribe.signature':
        this.sessions.get(ws)!.userData = true;
        return ok({ subscriptionId: 0 });
      case 'order.place': {
        const m = this.markets.get(symbol);
        if (!m) return fail(400, -1121, 'Invalid symbol.');
        const cid = String(rest.newClientOrderId ?? '');
        if (!/^[a-zA-Z0-9-_]{1,36}$/.test(cid)) return fail(400, -1100, "Illegal characters found in parameter 'newClientOrderId'.");
        if ([...this.orders.values()].some((o) => o.info.clientOrderId === cid && (o.info.status === 'NEW' || o.info.status === 'PARTIALLY_FILLED'))) return fail(400, -2010, 'Duplicate order sent.');
        if (this.rejectNextOrder) {
          const r = this.rejectNextOrder;
          this.rejectNextOrder = undefined;
          return fail(400, r.code, r.msg);
        }
        const type = String(rest.type);
        const order: FakeOrder = {
          info: { symbol, orderId: this.nextOrderId++, clientOrderId: cid, price: String(rest.price ?? '0.00000000'), origQty: String(rest.quantity), executedQty: '0.00000000', status: 'NEW', side: rest.side === 'SELL' ? 'SELL' : 'BUY', type, timeInForce: String(rest.timeInForce ?? 'GTC') },
          trades: [],
        };
        this.orders.set(cid, order);
        this.placed.push(cid);
        ok({ symbol, orderId: order.info.orderId, orderListId: -1, clientOrderId: cid, transactTime: Date.now() });
        this.report(order, 'NEW');
        this.matchTaker(order, m);
        return;
      }
      case 'order.cancel': {
        const o = this.orders.get(String(rest.origClientOrderId ?? ''));
        if (!o || o.info.symbol !== symbol) return fail(400, -2011, 'Unknown order sent.');
        if (o.info.status !== 'NEW' && o.info.status !== 'PARTIALLY_FILLED') return fail(400, -2011, 'Unknown order sent.');
        o.info.status = 'CANCELED';
        ok({ symbol, origClientOrderId: o.info.clientOrderId, orderId: o.info.orderId, status: 'CANCELED' });
        this.report(o, 'CANCELED');
        return;
      }
      case 'order.status': {
        const o = this.orders.get(String(rest.origClientOrderId ?? ''));
        if (!o || o.info.symbol !== symbol) return fail(400, -2013, 'Order does not exist.');
        return ok(o.info);
      }
      case 'openOrders.status':
        return ok([...this.orders.values()].map((o) => o.info).filter((i) => i.symbol === symbol && (i.status === 'NEW' || i.status === 'PARTIALLY_FILLED')));
      case 'myTrades': {
        const o = [...this.orders.values()].find((x) => x.info.orderId === Number(rest.orderId));
        return ok(o ? o.trades : []);
      }
      default:
        return fail(400, -1100, `unknown method ${method}`);
    }
  }

  /** A limit order that crosses the true book takes from it at the book's prices; a market order always does; IOC/FOK rests nothing. */
  private matchTaker(o: FakeOrder, m: FakeMarket): void {
    const buy = o.info.side === 'BUY';
    const opposite = buy ? m.book.asks : m.book.bids;
    const limit = o.info.type === 'MARKET' ? undefined : toUnitsStrict(o.info.price, m.price);
    let left = toUnitsStrict(o.info.origQty, m.size);
    const levels = [...opposite].sort((a, b) => (buy ? a[0] - b[0] : b[0] - a[0]));
    if (o.info.type === 'LIMIT_MAKER' && levels.length > 0 && limit !== undefined && (buy ? levels[0]![0] <= limit : levels[0]![0] >= limit)) {
      o.info.status = 'REJECTED';
      this.report(o, 'REJECTED', 'ORDER_WOULD_IMMEDIATELY_MATCH_AND_TAKE');
      return;
    }
    for (const [price, size] of levels) {
      if (left === 0 || (limit !== undefined && (buy ? price > limit : price < limit))) break;
      const q = Math.min(size, left);
      left -= q;
      this.trade(o, this.px(m, price), this.qty(m, q), false);
    }
    if (left > 0 && (o.info.type === 'MARKET' || o.info.timeInForce === 'IOC' || o.info.timeInForce === 'FOK')) {
      o.info.status = 'EXPIRED';
      this.report(o, 'EXPIRED');
    }
  }

  private trade(o: FakeOrder, price: string, qty: string, maker: boolean): void {
    const m = this.markets.get(o.info.symbol)!;
    const q = toUnitsStrict(qty, m.size);
    const executed = toUnitsStrict(o.info.executedQty, m.size) + q;
    o.info.executedQty = this.qty(m, executed);
    o.info.status = executed >= toUnitsStrict(o.info.origQty, m.size) ? 'FILLED' : 'PARTIALLY_FILLED';
    // 0.1% commission in the quote asset, 8 decimals, rounded down as Binance does.
    const commission = (Math.floor(Number(price) * Number(qty) * 0.001 * 1e8) / 1e8).toFixed(8);
    const t: MyTrade = { symbol: o.info.symbol, id: this.nextTradeId++, orderId: o.info.orderId, price, qty, commission, commissionAsset: m.spec.quoteAsset, time: Date.now(), isBuyer: o.info.side === 'BUY', isMaker: maker };
    o.trades.push(t);
    this.report(o, 'TRADE', 'NONE', t);
  }

  private report(o: FakeOrder, x: string, r = 'NONE', t?: MyTrade): void {
    const i = o.info;
    const ev: ExecutionReportEvent = {
      e: 'executionReport', E: Date.now(), s: i.symbol, c: i.clientOrderId, C: x === 'CANCELED' ? i.clientOrderId : '', S: i.side, o: i.type, f: i.timeInForce, q: i.origQty, p: i.price,
      x, X: i.status, r, i: i.orderId, l: t?.qty ?? '0.00000000', L: t?.price ?? '0.00000000', z: i.executedQty, n: t?.commission ?? '0', N: t?.commissionAsset ?? null, T: Date.now(), t: t?.id ?? -1, m: t?.isMaker ?? false,
    };
    const text = JSON.stringify({ subscriptionId: 0, event: ev });
    for (const [ws, s] of this.sessions) if (s.userData) ws.send(text);
  }

  private rest(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.set(url.pathname, (this.requests.get(url.pathname) ?? 0) + 1);
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const fault = this.faults.rest;
    if (fault && fault.count > 0) {
      if (--fault.count === 0) this.faults.rest = undefined;
      const msg = fault.status === 418 ? 'Way too many requests; IP banned.' : 'Too many requests; current limit is 6000 request weight per 1 MINUTE.';
      return reply(fault.status, { code: -1003, msg }, { 'retry-after': String(fault.retryAfterSec) });
    }
    if (url.pathname === '/api/v3/exchangeInfo') {
      const wanted = JSON.parse(url.searchParams.get('symbols') ?? '[]') as string[];
      const unknown = wanted.find((s) => !this.markets.has(s));
      if (unknown) return reply(400, { code: -1121, msg: 'Invalid symbol.' });
      return reply(200, { timezone: 'UTC', serverTime: Date.now(), rateLimits: [], symbols: wanted.map((s) => this.exchangeSymbol(this.markets.get(s)!.spec)) });
    }
    if (url.pathname === '/api/v3/depth') {
      const m = this.markets.get(url.searchParams.get('symbol') ?? '');
      if (!m) return reply(400, { code: -1121, msg: 'Invalid symbol.' });
      const side = (book: Map<number, number>, desc: boolean) =>
        [...book].sort((x, y) => (desc ? y[0] - x[0] : x[0] - y[0])).map(([p, q]) => [this.px(m, p), this.qty(m, q)]);
      return reply(200, { lastUpdateId: m.lastUpdateId - this.faults.snapshotLag, bids: side(m.book.bids, true), asks: side(m.book.asks, false) });
    }
    if (url.pathname === '/api/v3/klines') {
      const symbol = url.searchParams.get('symbol') ?? '';
      if (!this.markets.has(symbol)) return reply(400, { code: -1121, msg: 'Invalid symbol.' });
      if (url.searchParams.get('interval') !== '1m') return reply(400, { code: -1120, msg: 'Invalid interval.' });
      const endTime = Number(url.searchParams.get('endTime') ?? Infinity);
      const limit = Math.min(Number(url.searchParams.get('limit') ?? 500), 1000);
      const rows = (this.klines.get(symbol) ?? []).filter((r) => (r[0] as number) <= endTime);
      return reply(200, rows.slice(Math.max(0, rows.length - limit)));
    }
    reply(404, { code: -1000, msg: `unknown path ${url.pathname}` });
  }

  private exchangeSymbol(s: FakeBinanceSymbol): ExchangeSymbol {
    return {
      symbol: s.symbol,
      status: s.status ?? 'TRADING',
      baseAsset: s.baseAsset,
      quoteAsset: s.quoteAsset,
      orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT'],
      filters: [
        { filterType: 'PRICE_FILTER', minPrice: pad8(s.tickSize), maxPrice: '1000000.00000000', tickSize: pad8(s.tickSize) },
        { filterType: 'LOT_SIZE', minQty: pad8(s.minQty ?? s.stepSize), maxQty: pad8(s.maxQty ?? '9000'), stepSize: pad8(s.stepSize) },
        { filterType: 'NOTIONAL', minNotional: pad8(s.minNotional ?? '5') },
      ],
    };
  }

  /** Binance prints every decimal with 8 places: "27123.45000000". */
  private px(m: FakeMarket, ticks: number): string {
    return pad8(fromUnits(ticks, m.price));
  }

  private qty(m: FakeMarket, lots: number): string {
    return pad8(fromUnits(lots, m.size));
  }
}

function toUnitsStrict(value: string, step: UnitStep): number {
  const n = toUnits(value, step);
  if (n === undefined) throw new Error(`fake binance: ${value} is not a multiple of ${step.step}`);
  return n;
}

function pad8(decimal: string): string {
  const [whole, frac = ''] = decimal.split('.');
  return `${whole}.${frac.padEnd(8, '0')}`;
}
