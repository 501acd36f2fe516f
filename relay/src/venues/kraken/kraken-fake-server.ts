import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { Prng } from '../sim/prng';
import { fromUnits, unitStep, type UnitStep } from '../live/exact-units';
import { FakeKrakenOrders, FAKE_KRAKEN_MAKER_BPS, FAKE_KRAKEN_TAKER_BPS } from './kraken-fake-orders';
import { canonicalAsset } from './kraken-symbols';
import { CHECKSUM_LEVELS, checksumToken, crc32 } from './kraken-wire';

/** One pair the fake lists, as AssetPairs describes it. */
export interface FakeKrakenPair {
  /** AssetPairs key, e.g. "XXBTZUSD". */
  key: string;
  /** e.g. "XBTUSD". */
  altname: string;
  /** Legacy WebSocket name in AssetPairs, e.g. "XBT/USD". */
  wsname: string;
  /** v2 WebSocket name, e.g. "BTC/USD". */
  v2name: string;
  base: string;
  quote: string;
  pairDecimals: number;
  lotDecimals: number;
  tickSize: string;
  ordermin?: string;
  fees?: [number, number][];
  feesMaker?: [number, number][];
  /** Mid price in ticks the random book is built around (bids below, asks above). */
  midTicks: number;
}

export interface FakeKrakenOptions {
  pairs: FakeKrakenPair[];
  seed?: number;
  /** Levels per side of the true book (more than the subscribed depth, to exercise truncation). Default 40. */
  levels?: number;
  /** Heartbeat period on a subscribed connection (Kraken: about 1 s). Default 100 ms. */
  heartbeatMs?: number;
  /** The API key pair private calls must be signed with (secret base64); none = every private call is EAPI:Invalid key. */
  auth?: { key: string; secret: string };
}

/** The fake's true book of one pair, in ticks and lots. */
export interface TrueBook {
  bids: Map<number, number>;
  asks: Map<number, number>;
}

interface FakeMarket {
  spec: FakeKrakenPair;
  price: UnitStep;
  size: UnitStep;
  book: TrueBook;
  tradeId: number;
}

interface BookSub {
  depth: number;
  /** What this client was last sent (its book, if it follows the protocol). */
  bids: Map<number, number>;
  asks: Map<number, number>;
}

interface Client {
  books: Map<string, BookSub>;
  trades: Set<string>;
  /** Half-open: the socket stays up but nothing more is ever sent on it. */
  stalled: boolean;
  /** Per pair, an update held back to be sent after the next one of that pair (out-of-order fault). */
  held: Map<string, string>;
}

interface Faults {
  badChecksum: number;
  badPrice: number;
  duplicate: number;
  swap: number;
  rest: { status: number; retryAfterSec: number; count: number } | undefined;
  restBodyRateLimit: number;
  ignoreSubscribes: number;
}

/**
 * A local Kraken Spot, speaking its documented wire: REST `/0/public/AssetPairs?pair=…` and the
 * public WebSocket v2 (`status` on connect, `subscribe`/`unsubscribe` acks, `book` snapshot +
 * updates with the CRC32 checksum of the top 10 levels, `trade`, `heartbeat`, `pong`). Prices and
 * quantities go out as JSON numbers written with the pair's precisions, as Kraken does.
 *
 * It holds the true book of each pair, changes it at random (seeded) on pump(), and sends each
 * subscriber the changes inside its subscribed depth, without qty-0 deletes for levels pushed out
 * of scope by an insert (Kraken's rule: the client truncates). Faults: a wrong checksum, a price
 * off the tick grid, a duplicate and an out-of-order update, a silent stall (no heartbeats, no
 * data), dropped sockets, and 429 / in-body rate-limit answers on REST. The private side
 * (signed REST under /0/private/, the `executions` channel, orders matched against the true
 * book) is `orders`, in kraken-fake-orders.ts.
 */
export class KrakenFakeServer {
  private readonly http: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  /** By v2 name. */
  private readonly markets = new Map<string, FakeMarket>();
  private readonly clients = new Map<WebSocket, Client>();
  private readonly rng: Prng;
  private readonly heartbeat: NodeJS.Timeout;
  private flow: NodeJS.Timeout | undefined;
  private readonly faults: Faults = { badChecksum: 0, badPrice: 0, duplicate: 0, swap: 0, rest: undefined, restBodyRateLimit: 0, ignoreSubscribes: 0 };
  /** WebSocket connections accepted. */
  connections = 0;
  /** REST requests seen per path (tests check the adapter backs off, never hammers). */
  readonly requests = new Map<string, number>();
  /** 1-minute OHLC rows by AssetPairs key (Kraken's shape, oldest first), served by `/0/public/OHLC`; tests set them. */
  readonly ohlc = new Map<string, unknown[][]>();
  /** Subscribe requests for `book` seen (a resync resubscribes). */
  bookSubscribes = 0;
  /** Upgrade attempts refused while refuseConnections(true). */
  refusedConnects = 0;
  private refusing = false;
  /** The account's orders and the executions channel (see kraken-fake-orders.ts). */
  readonly orders: FakeKrakenOrders;

  private constructor(options: FakeKrakenOptions) {
    this.rng = new Prng(options.seed ?? 1);
    const levels = options.levels ?? 40;
    for (const spec of options.pairs) {
      const price = unitStep(spec.tickSize);
      const size = unitStep(spec.lotDecimals === 0 ? '1' : `0.${'0'.repeat(spec.lotDecimals - 1)}1`);
      if (!price || !size) throw new RangeError(`fake kraken: bad tick/lot for ${spec.v2name}`);
      const book: TrueBook = { bids: new Map(), asks: new Map() };
      for (let i = 1; i <= levels; i++) {
        book.bids.set(spec.midTicks - i, this.randomQty());
        book.asks.set(spec.midTicks + i, this.randomQty());
      }
      this.markets.set(spec.v2name, { spec, price, size, book, tradeId: 0 });
    }
    const pct = (s: [number, number][] | undefined, dflt: number) => (s?.[0] ? Math.round(s[0][1] * 100) : dflt);
    this.orders = new FakeKrakenOrders(
      {
        market: (pair) => {
          const m = [...this.markets.values()].find(({ spec: s }) => [s.key, s.altname, s.wsname, s.v2name].includes(pair));
          if (!m) return undefined;
          const s = m.spec;
          return { v2name: s.v2name, key: s.key, altname: s.altname, quote: canonicalAsset(s.quote), price: m.price, size: m.size, makerBps: pct(s.feesMaker, FAKE_KRAKEN_MAKER_BPS), takerBps: pct(s.fees, FAKE_KRAKEN_TAKER_BPS), book: m.book };
        },
        bookChanged: (v2name) => this.publish(this.market(v2name)),
        nextTradeId: (v2name) => ++this.market(v2name).tradeId,
      },
      options.auth,
    );
    this.http = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.rest(req, res, Buffer.concat(chunks).toString()));
    });
    this.http.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname !== '/v2' || this.refusing) {
        if (this.refusing) this.refusedConnects++;
        return socket.destroy();
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
    });
    this.heartbeat = setInterval(() => {
      for (const [ws, c] of this.clients) if (!c.stalled && (c.books.size > 0 || c.trades.size > 0 || this.orders.isSubscribed(ws))) ws.send('{"channel":"heartbeat"}');
    }, options.heartbeatMs ?? 100);
  }

  static async start(options: FakeKrakenOptions): Promise<KrakenFakeServer> {
    const fake = new KrakenFakeServer(options);
    await new Promise<void>((resolve) => fake.http.listen(0, '127.0.0.1', () => resolve()));
    return fake;
  }

  get restUrl(): string {
    return `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${(this.http.address() as AddressInfo).port}/v2`;
  }

  /** The true book of a pair (v2 name), in ticks and lots. */
  trueBook(v2name: string): TrueBook {
    return this.market(v2name).book;
  }

  /** The best `depth` levels per side of the true book, best first, as [ticks, lots]. */
  view(v2name: string, depth: number): { bids: [number, number][]; asks: [number, number][] } {
    const b = this.market(v2name).book;
    return { bids: top(b.bids, true, depth).map((p) => [p, b.bids.get(p)!]), asks: top(b.asks, false, depth).map((p) => [p, b.asks.get(p)!]) };
  }

  /** Updates held back by swapNext() and not sent yet. */
  get heldUpdates(): number {
    let n = 0;
    for (const c of this.clients.values()) n += c.held.size;
    return n;
  }

  /** Open connections that still get data (not stalled). */
  get liveConnections(): number {
    let n = 0;
    for (const c of this.clients.values()) if (!c.stalled) n++;
    return n;
  }

  /** `steps` random changes to random pairs, each published at once; a trade now and then. */
  pump(steps = 1): void {
    const names = [...this.markets.keys()];
    for (let i = 0; i < steps; i++) this.mutate(this.markets.get(names[this.rng.int(names.length)]!)!);
  }

  /** pump(steps) every `everyMs` until stopFlow(). */
  startFlow(everyMs = 10, steps = 3): void {
    this.stopFlow();
    this.flow = setInterval(() => this.pump(steps), everyMs);
  }

  stopFlow(): void {
    clearInterval(this.flow);
    this.flow = undefined;
  }

  // ---- faults (each consumed by the next update message sent, unless noted) ----

  /** The next update carries a wrong checksum. */
  badChecksumNext(): void {
    this.faults.badChecksum++;
  }

  /** The next update carries one extra level whose price is half a tick off the grid (the true book is unchanged). */
  badPriceNext(): void {
    this.faults.badPrice++;
  }

  /** The next update is sent twice. */
  duplicateNext(): void {
    this.faults.duplicate++;
  }

  /** The next update is held back and sent after the one following it. */
  swapNext(): void {
    this.faults.swap++;
  }

  /** The next `count` book subscribes get no answer at all (no ack, no snapshot; heartbeats go on). */
  ignoreSubscribesNext(count = 1): void {
    this.faults.ignoreSubscribes += count;
  }

  /** Every open connection goes silent (no heartbeats, data or answers) but stays open; new connections are served. */
  stall(): void {
    for (const c of this.clients.values()) c.stalled = true;
  }

  /** While true, new WebSocket connections are cut during the handshake (an outage). */
  refuseConnections(refuse: boolean): void {
    this.refusing = refuse;
  }

  /** Every WebSocket is cut (no close handshake). */
  dropSockets(): void {
    for (const ws of this.clients.keys()) ws.terminate();
  }

  /** The next `count` REST requests answer `status` (429) with Retry-After seconds. */
  restFault(status: number, retryAfterSec: number, count = 1): void {
    this.faults.rest = { status, retryAfterSec, count };
  }

  /** The next `count` REST requests answer HTTP 200 {"error":["EGeneral:Too many requests"]}, as Kraken does. */
  restBodyRateLimit(count = 1): void {
    this.faults.restBodyRateLimit = count;
  }

  /** The same as close() (the other fakes' name). */
  stop(): Promise<void> {
    return this.close();
  }

  async close(): Promise<void> {
    this.stopFlow();
    clearInterval(this.heartbeat);
    for (const ws of this.clients.keys()) ws.terminate();
    this.wss.close();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  // ---- REST ----

  private rest(req: IncomingMessage, res: ServerResponse, body: string): void {
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.set(url.pathname, (this.requests.get(url.pathname) ?? 0) + 1);
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const f = this.faults.rest;
    if (f && f.count > 0) {
      if (--f.count === 0) this.faults.rest = undefined;
      return json(f.status, { error: ['EGeneral:Too many requests'] }, { 'retry-after': String(f.retryAfterSec) });
    }
    if (this.faults.restBodyRateLimit > 0) {
      this.faults.restBodyRateLimit--;
      return json(200, { error: ['EGeneral:Too many requests'] });
    }
    if (req.method === 'POST' && url.pathname.startsWith('/0/private/')) {
      const reply = this.orders.handle(url.pathname, req.headers, body);
      // Carried out, answer lost: the connection is cut before anything is written.
      if (reply === 'drop') return void req.socket.destroy();
      return json(reply.status, reply.body);
    }
    if (url.pathname === '/0/public/OHLC') {
      const pair = url.searchParams.get('pair') ?? '';
      const m = [...this.markets.values()].find(({ spec: s }) => [s.key, s.altname].includes(pair));
      if (!m) return json(200, { error: ['EQuery:Unknown asset pair'] });
      if (url.searchParams.get('interval') !== '1') return json(200, { error: ['EGeneral:Invalid arguments'] });
      const rows = (this.ohlc.get(m.spec.key) ?? []).slice(-720);
      return json(200, { error: [], result: { [m.spec.key]: rows, last: rows.length ? rows[rows.length - 1]![0] : 0 } });
    }
    if (url.pathname !== '/0/public/AssetPairs') return json(404, { error: ['EGeneral:Unknown method'] });
    const wanted = (url.searchParams.get('pair') ?? '').split(',').filter(Boolean);
    const all = [...this.markets.values()].map((m) => m.spec);
    const picked = wanted.length === 0 ? all : wanted.map((w) => all.find((s) => [s.key, s.altname, s.wsname, s.v2name].includes(w)));
    // Kraken fails the whole request when one pair is unknown.
    if (picked.some((s) => s === undefined)) return json(200, { error: ['EQuery:Unknown asset pair'] });
    const result: Record<string, unknown> = {};
    for (const s of picked as FakeKrakenPair[]) {
      result[s.key] = {
        altname: s.altname,
        wsname: s.wsname,
        aclass_base: 'currency',
        base: s.base,
        aclass_quote: 'currency',
        quote: s.quote,
        lot: 'unit',
        cost_decimals: 5,
        pair_decimals: s.pairDecimals,
        lot_decimals: s.lotDecimals,
        lot_multiplier: 1,
        fees: s.fees ?? [[0, 0.4], [10000, 0.35]],
        fees_maker: s.feesMaker ?? [[0, 0.25], [10000, 0.2]],
        fee_volume_currency: 'ZUSD',
        ordermin: s.ordermin ?? '0.0001',
        costmin: '0.5',
        tick_size: s.tickSize,
        status: 'online',
      };
    }
    json(200, { error: [], result });
  }

  // ---- WebSocket ----

  private accept(ws: WebSocket): void {
    this.connections++;
    const client: Client = { books: new Map(), trades: new Set(), stalled: false, held: new Map() };
    this.clients.set(ws, client);
    ws.on('close', () => {
      this.clients.delete(ws);
      this.orders.socketClosed(ws);
    });
    ws.on('error', () => {});
    ws.on('message', (data: Buffer) => this.onRequest(ws, client, data.toString()));
    ws.send(JSON.stringify({ channel: 'status', type: 'update', data: [{ version: '2.0.0', system: 'online', api_version: 'v2', connection_id: this.connections }] }));
  }

  private onRequest(ws: WebSocket, c: Client, text: string): void {
    if (c.stalled) return;
    let req: { method?: string; params?: { channel?: string; symbol?: string[]; depth?: number; snapshot?: boolean }; req_id?: number };
    try {
      req = JSON.parse(text);
    } catch {
      return ws.send(JSON.stringify({ error: 'Malformed request', method: 'unknown', success: false }));
    }
    const now = new Date().toISOString();
    const times = { time_in: now, time_out: now, ...(req.req_id === undefined ? {} : { req_id: req.req_id }) };
    if (req.method === 'ping') return ws.send(JSON.stringify({ method: 'pong', ...times }));
    if (req.method !== 'subscribe' && req.method !== 'unsubscribe') return ws.send(JSON.stringify({ error: `Method not found`, method: req.method, success: false, ...times }));
    const channel = req.params?.channel;
    if (channel === 'executions' && req.method === 'subscribe') return this.orders.subscribe(ws, req.params as Record<string, unknown>, times);
    for (const symbol of req.params?.symbol ?? []) {
      const m = this.markets.get(symbol);
      if (!m || (channel !== 'book' && channel !== 'trade')) {
        ws.send(JSON.stringify({ error: `Currency pair not supported ${symbol}`, method: req.method, success: false, symbol, ...times }));
        continue;
      }
      if (channel === 'trade') {
        if (req.method === 'subscribe') c.trades.add(symbol);
        else c.trades.delete(symbol);
        ws.send(JSON.stringify({ method: req.method, result: { channel, symbol, snapshot: false }, success: true, ...times }));
        continue;
      }
      const depth = req.params?.depth ?? 10;
      if (req.method === 'unsubscribe') {
        c.books.delete(symbol);
        ws.send(JSON.stringify({ method: req.method, result: { channel, depth, symbol }, success: true, ...times }));
        continue;
      }
      this.bookSubscribes++;
      if (this.faults.ignoreSubscribes > 0) {
        this.faults.ignoreSubscribes--;
        continue;
      }
      if (c.books.has(symbol)) {
        ws.send(JSON.stringify({ error: 'Already subscribed', method: 'subscribe', success: false, symbol, ...times }));
        continue;
      }
      ws.send(JSON.stringify({ method: 'subscribe', result: { channel, depth, snapshot: true, symbol }, success: true, ...times }));
      const sub: BookSub = { depth, bids: new Map(), asks: new Map() };
      c.books.set(symbol, sub);
      for (const p of top(m.book.bids, true, depth)) sub.bids.set(p, m.book.bids.get(p)!);
      for (const p of top(m.book.asks, false, depth)) sub.asks.set(p, m.book.asks.get(p)!);
      const bids = [...sub.bids].map(([p, q]) => this.levelJson(m, p, q));
      const asks = [...sub.asks].map(([p, q]) => this.levelJson(m, p, q));
      ws.send(this.bookJson('snapshot', m, bids, asks, this.checksum(m)));
    }
  }

  private mutate(m: FakeMarket): void {
    const buy = this.rng.chance(0.5);
    const side = buy ? m.book.bids : m.book.asks;
    const mid = m.spec.midTicks;
    // Mostly near the top, where the subscribed depth sees it; sometimes deeper.
    const k = 1 + (this.rng.chance(0.8) ? this.rng.int(15) : this.rng.int(60));
    const price = buy ? mid - k : mid + k;
    if (side.has(price) && this.rng.chance(0.35)) side.delete(price);
    else side.set(price, this.randomQty());
    if (this.rng.chance(0.1)) this.trade(m);
    this.publish(m);
  }

  private trade(m: FakeMarket): void {
    const buy = this.rng.chance(0.5);
    const bestAsk = top(m.book.asks, false, 1)[0];
    const bestBid = top(m.book.bids, true, 1)[0];
    const price = buy ? bestAsk : bestBid;
    if (price === undefined) return;
    m.tradeId++;
    const t = `{"symbol":"${m.spec.v2name}","side":"${buy ? 'buy' : 'sell'}","price":${this.num(price, m.price, m.spec.pairDecimals)},"qty":${this.num(1 + this.rng.int(1000), m.size, m.spec.lotDecimals)},"ord_type":"market","trade_id":${m.tradeId},"timestamp":"${new Date().toISOString()}"}`;
    const text = `{"channel":"trade","type":"update","data":[${t}]}`;
    for (const [ws, c] of this.clients) if (!c.stalled && c.trades.has(m.spec.v2name)) ws.send(text);
  }

  /** Sends each book subscriber of `m` what changed inside its depth. */
  private publish(m: FakeMarket): void {
    const checksum = this.checksum(m);
    for (const [ws, c] of this.clients) {
      const sub = c.books.get(m.spec.v2name);
      if (!sub || c.stalled) continue;
      const bids = this.diff(m, m.book.bids, sub.bids, true, sub.depth);
      const asks = this.diff(m, m.book.asks, sub.asks, false, sub.depth);
      if (bids.length === 0 && asks.length === 0) continue;
      let sum = checksum;
      if (this.faults.badChecksum > 0) {
        this.faults.badChecksum--;
        sum = (checksum ^ 0x5a5a) >>> 0;
      }
      if (this.faults.badPrice > 0) {
        this.faults.badPrice--;
        // A 5 appended to the best bid's last decimal: half a tick when the tick is 10^-pairDecimals; never on the grid.
        const best = top(m.book.bids, true, 1)[0] ?? m.spec.midTicks - 1;
        const on = this.num(best, m.price, m.spec.pairDecimals);
        bids.push(`{"price":${on.includes('.') ? on : `${on}.`}5,"qty":${this.num(7, m.size, m.spec.lotDecimals)}}`);
      }
      const text = this.bookJson('update', m, bids, asks, sum);
      const held = c.held.get(m.spec.v2name);
      if (this.faults.swap > 0 && held === undefined) {
        this.faults.swap--;
        c.held.set(m.spec.v2name, text);
        continue;
      }
      ws.send(text);
      if (held !== undefined) {
        ws.send(held);
        c.held.delete(m.spec.v2name);
      }
      if (this.faults.duplicate > 0) {
        this.faults.duplicate--;
        ws.send(text);
      }
    }
  }

  /** Levels of `truth` inside `depth` that differ from what the client has; updates `sent` to match. */
  private diff(m: FakeMarket, truth: Map<number, number>, sent: Map<number, number>, bids: boolean, depth: number): string[] {
    const out: string[] = [];
    const view = new Set(top(truth, bids, depth));
    for (const p of view) {
      const q = truth.get(p)!;
      if (sent.get(p) !== q) {
        out.push(this.levelJson(m, p, q));
        sent.set(p, q);
      }
    }
    for (const p of [...sent.keys()]) {
      if (view.has(p)) continue;
      sent.delete(p);
      // Deleted levels are sent as qty 0; levels pushed out of scope by an insert are not (the client truncates).
      if (!truth.has(p)) out.push(this.levelJson(m, p, 0));
    }
    return out;
  }

  private checksum(m: FakeMarket): number {
    let s = '';
    for (const [book, bids] of [[m.book.asks, false], [m.book.bids, true]] as const) {
      for (const p of top(book, bids, CHECKSUM_LEVELS)) {
        s += checksumToken(p, m.price.scaled, m.price.places, m.spec.pairDecimals);
        s += checksumToken(book.get(p)!, m.size.scaled, m.size.places, m.spec.lotDecimals);
      }
    }
    return crc32(s);
  }

  private bookJson(type: 'snapshot' | 'update', m: FakeMarket, bids: string[], asks: string[], checksum: number): string {
    return `{"channel":"book","type":"${type}","data":[{"symbol":"${m.spec.v2name}","bids":[${bids.join(',')}],"asks":[${asks.join(',')}],"checksum":${checksum},"timestamp":"${new Date().toISOString()}"}]}`;
  }

  private levelJson(m: FakeMarket, price: number, qty: number): string {
    return `{"price":${this.num(price, m.price, m.spec.pairDecimals)},"qty":${this.num(qty, m.size, m.spec.lotDecimals)}}`;
  }

  /** Units as a JSON number with exactly `decimals` decimals ("0.00100000"), as Kraken writes them. */
  private num(units: number, step: UnitStep, decimals: number): string {
    const s = fromUnits(units, step);
    const dot = s.indexOf('.');
    const have = dot < 0 ? 0 : s.length - dot - 1;
    if (decimals <= have) return s;
    return (dot < 0 ? `${s}.` : s) + '0'.repeat(decimals - have);
  }

  private randomQty(): number {
    return 1 + this.rng.int(5_000_000);
  }

  private market(v2name: string): FakeMarket {
    const m = this.markets.get(v2name);
    if (!m) throw new RangeError(`fake kraken does not list ${v2name}`);
    return m;
  }
}

/** Prices of one side best first, at most `depth`. */
function top(m: Map<number, number>, bids: boolean, depth: number): number[] {
  const prices = [...m.keys()].sort(bids ? (a, b) => b - a : (a, b) => a - b);
  return prices.length > depth ? prices.slice(0, depth) : prices;
}
