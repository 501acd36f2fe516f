import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { BinanceFakeServer, FakeBinanceSymbol } from '../binance/binance-fake-server';

/**
 * The Binance fake (binance/binance-fake-server.ts) as ccxt's binance class talks to Binance.
 * The fake speaks two of Binance's dialects — combined streams named in the URL
 * (`/stream?streams=…`) and the WebSocket API for orders — and ccxt uses two others for the
 * same things: raw streams with SUBSCRIBE messages (`/ws` + `{"method":"SUBSCRIBE"}`, acked by
 * `{"result":null,"id":…}`) and the signed REST order endpoints (`/api/v3/order`,
 * `/openOrders`, `/allOrders`, `/myTrades`). This front translates, and nothing more: every
 * book, trade, order, fill and fault (gap, stall, dropped socket, 429, rejection) is the
 * fake's own, reached over its real sockets.
 *
 *  - `ws://…/stream/ws/<n>`: a SUBSCRIBE opens one upstream socket to the fake's
 *    `/stream?streams=<params>` and is acked once that socket is open (as Binance acks a live
 *    subscription); upstream frames go down unwrapped (`data` of `{stream, data}`), upstream
 *    pings go down as pings, and either side closing closes the other. The path keeps
 *    "/stream" in it: ccxt tells spot sockets by that.
 *  - REST market paths are passed through; `exchangeInfo` without `symbols` (ccxt's
 *    loadMarkets) asks the fake for all of them.
 *  - Signed REST: the HMAC-SHA256 signature over the query (and body) is checked as Binance
 *    does, then the call is made on the fake's WebSocket API, signed with the same keys.
 */
export class CcxtBinanceFront {
  private readonly http: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private api: WebSocket | undefined;
  private readonly pending = new Map<string, (r: { status: number; result?: unknown; error?: { code: number; msg: string } }) => void>();
  private nextId = 1;
  /** Downstream (ccxt) market sockets open now, and ever accepted. */
  readonly downstream = new Set<WebSocket>();
  accepted = 0;
  /** Signed REST calls by path (tests check what reconciliation asked). */
  readonly signedCalls = new Map<string, number>();

  private constructor(
    private readonly fake: BinanceFakeServer,
    private readonly symbols: readonly FakeBinanceSymbol[],
    private readonly keys: { apiKey: string; apiSecret: string },
  ) {
    this.http = createServer((req, res) => void this.rest(req, res));
    this.http.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (!url.pathname.startsWith('/stream/ws')) return socket.destroy();
      this.wss.handleUpgrade(req, socket, head, (ws) => this.market(ws));
    });
  }

  static async start(fake: BinanceFakeServer, symbols: readonly FakeBinanceSymbol[], keys: { apiKey: string; apiSecret: string }): Promise<CcxtBinanceFront> {
    const front = new CcxtBinanceFront(fake, symbols, keys);
    await new Promise<void>((resolve) => front.http.listen(0, '127.0.0.1', () => resolve()));
    return front;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
  }

  /** ccxt binance's constructor overrides that point it here (spot only: no futures markets to load). */
  ccxtConfig(): Record<string, unknown> {
    const ws = this.url.replace('http', 'ws');
    return {
      urls: { api: { public: `${this.url}/api/v3`, private: `${this.url}/api/v3`, v1: `${this.url}/api/v1`, ws: { spot: `${ws}/stream/ws` } } },
      options: { fetchMarkets: { types: ['spot'] }, fetchCurrencies: false, fetchMargins: false },
      timeout: 5000,
    };
  }

  async stop(): Promise<void> {
    for (const ws of this.downstream) ws.terminate();
    this.api?.terminate();
    this.wss.close();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  // ------------------------------------------------------------------ market streams

  private market(down: WebSocket): void {
    this.accepted++;
    this.downstream.add(down);
    const ups = new Set<WebSocket>();
    const subscribed = new Set<string>();
    const closeAll = () => {
      for (const up of ups) up.terminate();
      down.terminate();
    };
    down.on('close', () => {
      this.downstream.delete(down);
      for (const up of ups) up.terminate();
    });
    down.on('error', () => {});
    down.on('message', (data: Buffer) => {
      let msg: { method?: string; params?: string[]; id?: number };
      try {
        msg = JSON.parse(data.toString()) as typeof msg;
      } catch {
        return;
      }
      const ack = () => down.readyState === WebSocket.OPEN && down.send(JSON.stringify({ result: null, id: msg.id }));
      if (msg.method !== 'SUBSCRIBE') return ack();
      const fresh = (msg.params ?? []).filter((p) => !subscribed.has(p));
      if (fresh.length === 0) return ack();
      for (const p of fresh) subscribed.add(p);
      const up = new WebSocket(`${this.fake.wsUrl}/stream?streams=${fresh.join('/')}`);
      ups.add(up);
      up.on('open', ack);
      up.on('message', (frame: Buffer) => {
        if (down.readyState !== WebSocket.OPEN) return;
        const { data } = JSON.parse(frame.toString()) as { data: unknown };
        down.send(JSON.stringify(data));
      });
      up.on('ping', () => down.readyState === WebSocket.OPEN && down.ping());
      up.on('error', () => {});
      up.on('close', closeAll);
    });
  }

  // ------------------------------------------------------------------ REST

  private async rest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const body = await new Promise<string>((resolve) => {
      let s = '';
      req.on('data', (c: Buffer) => (s += c.toString()));
      req.on('end', () => resolve(s));
    });
    const reply = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(payload));
    };
    const signedPaths = ['/api/v3/order', '/api/v3/openOrders', '/api/v3/allOrders', '/api/v3/myTrades'];
    if (!signedPaths.includes(url.pathname)) return this.passThrough(req.method ?? 'GET', url, res);
    this.signedCalls.set(`${req.method} ${url.pathname}`, (this.signedCalls.get(`${req.method} ${url.pathname}`) ?? 0) + 1);
    // Binance: the signature is HMAC-SHA256 of the query string followed by the body, the signature itself left out.
    const total = [url.search.slice(1), body].filter(Boolean).join('&');
    const sig = /(?:^|&)signature=([0-9a-f]+)/.exec(total)?.[1];
    const signedPart = total.replace(/&?signature=[0-9a-f]+/, '');
    const expected = createHmac('sha256', this.keys.apiSecret).update(signedPart).digest('hex');
    if (req.headers['x-mbx-apikey'] !== this.keys.apiKey || sig !== expected) return reply(401, { code: -1022, msg: 'Signature for this request is not valid.' });
    const p = Object.fromEntries(new URLSearchParams(signedPart));
    const symbol = p.symbol ?? '';
    const cidOf = (orderId: string | undefined) => [...this.fake.orders.values()].find((o) => String(o.info.orderId) === orderId)?.info.clientOrderId;
    const fail = (r: { status: number; error?: { code: number; msg: string } }) => reply(r.status === 429 ? 429 : 400, r.error ?? { code: -1000, msg: 'unknown' });
    const order = (cid: string) => {
      const o = this.fake.orders.get(cid);
      return o ? { ...o.info, time: Date.now(), updateTime: Date.now(), isWorking: true, cummulativeQuoteQty: '0.00000000' } : undefined;
    };
    const route = `${req.method} ${url.pathname}`;
    if (route === 'POST /api/v3/order') {
      const { newOrderRespType: _t, signature: _s, timestamp: _ts, recvWindow: _r, ...params } = p;
      const r = await this.call('order.place', params);
      if (r.status !== 200) return fail(r);
      const cid = params.newClientOrderId!;
      const info = order(cid)!;
      const fills = (this.fake.orders.get(cid)?.trades ?? []).map((t) => ({ price: t.price, qty: t.qty, commission: t.commission, commissionAsset: t.commissionAsset, tradeId: t.id }));
      return reply(200, { ...info, transactTime: Date.now(), fills });
    }
    if (route === 'DELETE /api/v3/order' || route === 'GET /api/v3/order') {
      const cid = p.origClientOrderId ?? cidOf(p.orderId);
      const r = await this.call(route.startsWith('DELETE') ? 'order.cancel' : 'order.status', { symbol, origClientOrderId: cid ?? '' });
      if (r.status !== 200) return fail(r);
      return reply(200, order(cid!) ?? r.result);
    }
    if (route === 'GET /api/v3/openOrders') {
      const wanted = symbol ? [symbol] : this.symbols.map((s) => s.symbol);
      const all: unknown[] = [];
      for (const s of wanted) {
        const r = await this.call('openOrders.status', { symbol: s });
        if (r.status !== 200) return fail(r);
        all.push(...(r.result as { clientOrderId: string }[]).map((o) => order(o.clientOrderId) ?? o));
      }
      return reply(200, all);
    }
    if (route === 'GET /api/v3/allOrders') {
      return reply(200, [...this.fake.orders.values()].filter((o) => o.info.symbol === symbol).map((o) => order(o.info.clientOrderId)));
    }
    if (route === 'GET /api/v3/myTrades') {
      const since = Number(p.startTime ?? 0);
      const trades = [...this.fake.orders.values()].filter((o) => o.info.symbol === symbol && (!p.orderId || String(o.info.orderId) === p.orderId)).flatMap((o) => o.trades);
      return reply(200, trades.filter((t) => t.time >= since).sort((a, b) => a.id - b.id));
    }
    reply(404, { code: -1000, msg: `unknown ${route}` });
  }

  private async passThrough(method: string, url: URL, res: ServerResponse): Promise<void> {
    const query = new URLSearchParams(url.search);
    if (url.pathname === '/api/v3/exchangeInfo' && !query.has('symbols') && !query.has('symbol')) query.set('symbols', JSON.stringify(this.symbols.map((s) => s.symbol)));
    const q = query.toString();
    const r = await fetch(`${this.fake.restUrl}${url.pathname}${q ? `?${q}` : ''}`, { method });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const retryAfter = r.headers.get('retry-after');
    if (retryAfter) headers['retry-after'] = retryAfter;
    res.writeHead(r.status, headers);
    res.end(await r.text());
  }

  /** One call on the fake's WebSocket API, signed as the fake checks it. */
  private async call(method: string, params: Record<string, string>): Promise<{ status: number; result?: unknown; error?: { code: number; msg: string } }> {
    const api = await this.apiSocket();
    const signed: Record<string, string | number> = { ...params, apiKey: this.keys.apiKey, timestamp: Date.now() };
    const payload = Object.keys(signed).sort().map((k) => `${k}=${signed[k]}`).join('&');
    const signature = createHmac('sha256', this.keys.apiSecret).update(payload).digest('hex');
    const id = `front-${this.nextId++}`;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      api.send(JSON.stringify({ id, method, params: { ...signed, signature } }));
    });
  }

  private apiSocket(): Promise<WebSocket> {
    const current = this.api;
    if (current?.readyState === WebSocket.OPEN) return Promise.resolve(current);
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${this.fake.wsUrl}/ws-api/v3`);
      this.api = ws;
      ws.on('open', () => resolve(ws));
      ws.on('error', reject);
      ws.on('message', (data: Buffer) => {
        const msg = JSON.parse(data.toString()) as { id?: string; status: number; result?: unknown; error?: { code: number; msg: string } };
        const done = msg.id !== undefined ? this.pending.get(msg.id) : undefined;
        if (!done) return;
        this.pending.delete(msg.id!);
        done(msg);
      });
    });
  }
}
