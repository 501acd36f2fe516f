import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { WebSocket } from 'ws';
import { fromUnits, toUnits, type UnitStep } from '../live/exact-units';
import type { KrakenOrderInfo, KrakenOrderStatus, KrakenTradeInfo } from './kraken-order-wire';

/** Fee rates the fake charges when the pair's spec gives none (Kraken's first tier: 0.25% maker, 0.40% taker). */
export const FAKE_KRAKEN_MAKER_BPS = 25;
export const FAKE_KRAKEN_TAKER_BPS = 40;

/** What the order side needs of the fake's market side. */
export interface FakeKrakenOrderHost {
  /** A pair by any of its names (AssetPairs key, altname, wsname, v2 name). */
  market(pair: string): { v2name: string; key: string; altname: string; quote: string; price: UnitStep; size: UnitStep; makerBps: number; takerBps: number; book: { bids: Map<number, number>; asks: Map<number, number> } } | undefined;
  /** Levels of the true book changed (a taker took liquidity): published on `book`. */
  bookChanged(v2name: string): void;
  /** The pair's next trade id (the public `trade` channel's sequence). */
  nextTradeId(v2name: string): number;
}

/** The account's view of one order. */
export interface FakeKrakenOrder {
  txid: string;
  clOrdId: string;
  pair: string;
  side: 'buy' | 'sell';
  ordertype: 'limit' | 'market';
  /** Ticks (limit orders); lots. */
  price: number;
  lots: number;
  postOnly: boolean;
  status: KrakenOrderStatus;
  reason: string | null;
  filledLots: number;
  opentm: number;
  closetm: number;
  trades: (KrakenTradeInfo & { txid: string })[];
  /** Sums of the trades' cost and fee, exact (units of 10^-(price+size places), and 10^-4 of that). */
  costUnits: bigint;
  feeUnits: bigint;
}

type Reply = { status: number; body: unknown } | 'drop';
type Params = Record<string, unknown>;

/**
 * The private side of the Kraken fake: REST under /0/private/ with API-Key / API-Sign verified
 * as Kraken does it (EAPI:Invalid key, EAPI:Invalid signature, and EAPI:Invalid nonce for a
 * nonce not above the last accepted one), the account's orders matched against the true book
 * (taker fills level by level; a test fills resting orders as maker), and the v2 `executions`
 * channel (token from GetWebSocketsToken; snapshot, then numbered updates). Faults: reject the
 * next order with a Kraken error, process a call but drop its answer, mute the channel, close
 * its sockets now or after the next n messages.
 */
export class FakeKrakenOrders {
  readonly orders = new Map<string, FakeKrakenOrder>();
  private readonly subs = new Map<WebSocket, { seq: number }>();
  private readonly tokens = new Set<string>();
  private lastNonce = 0n;
  private rejectNextWith: string | undefined;
  private readonly dropNext = new Set<string>();
  private muted = false;
  private closeAfter = -1;
  /** AddOrder calls that passed authentication. */
  received = 0;
  /** Calls refused for the key or the signature, and for the nonce. */
  unauthorized = 0;
  badNonces = 0;
  /** Tokens issued, and the token of every accepted executions subscription, in order. */
  tokensIssued = 0;
  readonly subscribedWith: string[] = [];
  /** Calls seen per method (AddOrder, OpenOrders, …). */
  readonly calls = new Map<string, number>();

  constructor(
    private readonly host: FakeKrakenOrderHost,
    private readonly auth: { key: string; secret: string } | undefined,
  ) {}

  // ---- faults and scripted venue actions ----

  /** The next AddOrder is refused with this Kraken error. */
  rejectNext(error = 'EOrder:Insufficient funds'): void {
    this.rejectNextWith = error;
  }

  /** The next call of `method` is carried out, but its HTTP connection is cut before the answer. */
  dropNextAnswer(method: string): void {
    this.dropNext.add(method);
  }

  /** While muted, the executions channel sends nothing (heartbeats go on): only reconciliation can learn. */
  muteExecutions(muted: boolean): void {
    this.muted = muted;
  }

  /** Cuts every executions socket (no close handshake); nothing more is sent on them. */
  closeExecutions(): void {
    for (const ws of this.subs.keys()) ws.terminate();
    this.subs.clear();
  }

  /** After the next `n` executions messages, the sockets are cut (a disconnect in the middle of a sweep). */
  closeExecutionsAfter(n: number): void {
    this.closeAfter = n;
  }

  byClientId(clOrdId: string): FakeKrakenOrder | undefined {
    for (const o of this.orders.values()) if (o.clOrdId === clOrdId) return o;
    return undefined;
  }

  /** Fills `lots` of a resting order as maker at its limit (default: all it has left). */
  fillResting(clOrdId: string, lots?: number): KrakenTradeInfo & { txid: string } {
    const o = this.byClientId(clOrdId);
    if (!o || o.status !== 'open') throw new Error(`no open order ${clOrdId}`);
    const tr = this.fill(o, o.price, lots ?? o.lots - o.filledLots, true);
    if (o.filledLots >= o.lots) this.close(o, 'closed', null);
    return tr;
  }

  /** The executions sockets are cut, then the resting order fills (nobody hears it). */
  fillWhileDisconnected(clOrdId: string, lots?: number): KrakenTradeInfo & { txid: string } {
    this.closeExecutions();
    return this.fillResting(clOrdId, lots);
  }

  /** The venue loses an order (as if it had never been placed). */
  forget(clOrdId: string): void {
    const o = this.byClientId(clOrdId);
    if (o) this.orders.delete(o.txid);
  }

  /** An open order someone else placed on the account. */
  addForeign(clOrdId: string, pair: string, price: number, lots: number): FakeKrakenOrder {
    const o = this.newOrder(clOrdId, this.host.market(pair)!.v2name, 'buy', 'limit', price, lots, false);
    this.orders.set(o.txid, o);
    return o;
  }

  // ---- executions channel ----

  isSubscribed(ws: WebSocket): boolean {
    return this.subs.has(ws);
  }

  socketClosed(ws: WebSocket): void {
    this.subs.delete(ws);
  }

  /** A `subscribe` to `executions`: the token must be one GetWebSocketsToken issued. */
  subscribe(ws: WebSocket, params: Params, times: Record<string, unknown>): void {
    const token = typeof params.token === 'string' ? params.token : '';
    if (!this.tokens.has(token)) {
      ws.send(JSON.stringify({ method: 'subscribe', error: 'EGeneral:Invalid arguments:token', success: false, ...times }));
      return;
    }
    this.subscribedWith.push(token);
    ws.send(JSON.stringify({ method: 'subscribe', result: { channel: 'executions', maxratecount: 180, snap_orders: true, snap_trades: false }, success: true, ...times }));
    const sub = { seq: 0 };
    this.subs.set(ws, sub);
    const open = [...this.orders.values()].filter((o) => o.status === 'open').map((o) => this.report(o, 'new', {}));
    if (params.snap_orders !== false) this.send(ws, sub, 'snapshot', open);
  }

  private publish(o: FakeKrakenOrder, execType: string, extra: Params): void {
    if (this.muted) return;
    const r = this.report(o, execType, extra);
    for (const [ws, sub] of this.subs) this.send(ws, sub, 'update', [r]);
    if (this.closeAfter > 0 && --this.closeAfter === 0) {
      this.closeAfter = -1;
      this.closeExecutions();
    }
  }

  private send(ws: WebSocket, sub: { seq: number }, type: 'snapshot' | 'update', data: Params[]): void {
    const text = JSON.stringify({ channel: 'executions', type, data, sequence: ++sub.seq });
    // Kraken v2 writes quantities and prices as JSON numbers.
    ws.send(text.replace(/"(order_qty|limit_price|cum_qty|last_qty|last_price|cost|qty|fee_usd_equiv)":"([0-9.]+)"/g, '"$1":$2'));
  }

  private report(o: FakeKrakenOrder, execType: string, extra: Params): Params {
    const m = this.host.market(o.pair)!;
    const orderStatus = o.status === 'open' ? (o.filledLots > 0 ? 'partially_filled' : 'new') : o.status === 'closed' ? 'filled' : o.status;
    return {
      exec_type: execType, order_id: o.txid, cl_ord_id: o.clOrdId, symbol: m.v2name, side: o.side, order_type: o.ordertype,
      order_qty: fromUnits(o.lots, m.size), ...(o.ordertype === 'limit' ? { limit_price: fromUnits(o.price, m.price) } : {}),
      order_status: orderStatus, cum_qty: fromUnits(o.filledLots, m.size), post_only: o.postOnly, timestamp: new Date().toISOString(), ...extra,
    };
  }

  // ---- private REST ----

  /** Answers POST /0/private/<method>; 'drop' = carried out, answer lost. */
  handle(path: string, headers: Record<string, string | string[] | undefined>, body: string): Reply {
    const method = path.slice('/0/private/'.length);
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
    const fail = (error: string): Reply => ({ status: 200, body: { error: [error] } });
    let params: Params;
    try {
      params = String(headers['content-type'] ?? '').includes('json') ? (JSON.parse(body) as Params) : Object.fromEntries(new URLSearchParams(body));
    } catch {
      return fail('EGeneral:Invalid arguments');
    }
    if (!this.auth || headers['api-key'] !== this.auth.key) {
      this.unauthorized++;
      return fail('EAPI:Invalid key');
    }
    const nonce = String(params.nonce ?? '');
    const expected = createHmac('sha512', Buffer.from(this.auth.secret, 'base64')).update(path).update(createHash('sha256').update(nonce + body).digest()).digest();
    const given = Buffer.from(String(headers['api-sign'] ?? ''), 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      this.unauthorized++;
      return fail('EAPI:Invalid signature');
    }
    if (!/^\d{1,19}$/.test(nonce) || BigInt(nonce) <= this.lastNonce) {
      this.badNonces++;
      return fail('EAPI:Invalid nonce');
    }
    this.lastNonce = BigInt(nonce);
    const reply = this.dispatch(method, params);
    if (this.dropNext.delete(method)) return 'drop';
    return 'error' in reply ? fail(reply.error) : { status: 200, body: { error: [], result: reply.result } };
  }

  private dispatch(method: string, p: Params): { result: unknown } | { error: string } {
    const cid = typeof p.cl_ord_id === 'string' ? p.cl_ord_id : undefined;
    const list = (statuses: KrakenOrderStatus[]) =>
      Object.fromEntries([...this.orders.values()].filter((o) => statuses.includes(o.status) && (cid === undefined || o.clOrdId === cid)).map((o) => [o.txid, this.view(o)]));
    switch (method) {
      case 'AddOrder':
        return this.add(p);
      case 'CancelOrder':
      case 'AmendOrder': {
        const o = typeof p.txid === 'string' ? this.orders.get(p.txid) : cid !== undefined ? this.byClientId(cid) : undefined;
        if (!o || o.status !== 'open') return { error: 'EOrder:Unknown order' };
        if (method === 'AmendOrder') return this.amend(o, p);
        this.close(o, 'canceled', 'User requested');
        return { result: { count: 1 } };
      }
      case 'OpenOrders':
        return { result: { open: list(['pending', 'open']) } };
      case 'ClosedOrders': {
        const closed = list(['closed', 'canceled', 'expired']);
        return { result: { closed, count: Object.keys(closed).length } };
      }
      case 'QueryOrders': {
        const ids = String(p.txid ?? '').split(',').filter(Boolean);
        if (ids.length === 0 || ids.some((id) => !this.orders.has(id))) return { error: 'EOrder:Invalid order' };
        return { result: Object.fromEntries(ids.map((id) => [id, this.view(this.orders.get(id)!)])) };
      }
      case 'TradesHistory': {
        const start = Number(p.start ?? 0);
        const all = [...this.orders.values()].flatMap((o) => o.trades).filter((t) => t.time >= start).sort((a, b) => b.time - a.time || b.trade_id - a.trade_id);
        const ofs = Number(p.ofs ?? 0);
        const page = all.slice(ofs, ofs + 50).map(({ txid, ...t }) => [txid, t]);
        return { result: { trades: Object.fromEntries(page), count: all.length } };
      }
      case 'GetWebSocketsToken': {
        const token = randomBytes(24).toString('base64url');
        this.tokens.add(token);
        this.tokensIssued++;
        return { result: { token, expires: 900 } };
      }
      default:
        return { error: 'EGeneral:Unknown method' };
    }
  }

  private add(p: Params): { result: unknown } | { error: string } {
    this.received++;
    const m = this.host.market(String(p.pair ?? ''));
    if (!m) return { error: 'EQuery:Unknown asset pair' };
    if (this.rejectNextWith) {
      const error = this.rejectNextWith;
      this.rejectNextWith = undefined;
      return { error };
    }
    const ordertype = p.ordertype;
    if (ordertype !== 'limit' && ordertype !== 'market') return { error: 'EGeneral:Invalid arguments:ordertype' };
    const lots = toUnits(String(p.volume ?? ''), m.size);
    const price = ordertype === 'market' ? 0 : toUnits(String(p.price ?? ''), m.price);
    if (!lots || price === undefined) return { error: 'EGeneral:Invalid arguments:volume' };
    const tif = p.timeinforce ?? 'GTC';
    if (tif !== 'GTC' && tif !== 'IOC') return { error: 'EGeneral:Invalid arguments:timeinforce' };
    const cid = typeof p.cl_ord_id === 'string' ? p.cl_ord_id : '';
    if (cid && [...this.orders.values()].some((o) => o.clOrdId === cid && o.status === 'open')) return { error: 'EOrder:Duplicate cl_ord_id' };
    const side = p.type === 'sell' ? 'sell' : 'buy';
    const o = this.newOrder(cid, m.v2name, side, ordertype, price, lots, String(p.oflags ?? '').split(',').includes('post'));
    this.orders.set(o.txid, o);
    if (o.postOnly && this.crossing(o).length > 0) {
      this.close(o, 'canceled', 'Post only order');
    } else {
      this.publish(o, 'new', {});
      this.take(o);
      if (o.filledLots >= o.lots) this.close(o, 'closed', null);
      else if (ordertype === 'market' || tif === 'IOC') this.close(o, 'canceled', 'Immediate or cancel');
    }
    const text = `${side} ${fromUnits(lots, m.size)} ${m.altname} @ ${ordertype === 'limit' ? `limit ${fromUnits(price, m.price)}` : 'market'}`;
    return { result: { descr: { order: text }, txid: [o.txid] } };
  }

  private amend(o: FakeKrakenOrder, p: Params): { result: unknown } | { error: string } {
    const m = this.host.market(o.pair)!;
    const lots = p.order_qty === undefined ? o.lots : toUnits(String(p.order_qty), m.size);
    const price = p.limit_price === undefined ? o.price : toUnits(String(p.limit_price), m.price);
    if (!lots || !price) return { error: 'EGeneral:Invalid arguments' };
    const was = o.price;
    o.price = price;
    if ((p.post_only === true || o.postOnly) && this.crossing(o).length > 0) {
      o.price = was;
      return { error: 'EOrder:Post only order' };
    }
    o.lots = lots;
    this.publish(o, 'amended', { amended: true, reason: 'User requested' });
    this.take(o);
    // Amended to no more than was filled: done (the rest, if any, canceled as Kraken does).
    if (o.filledLots >= o.lots) this.close(o, o.filledLots === o.lots ? 'closed' : 'canceled', null);
    return { result: { amend_id: kid('T') } };
  }

  /** Levels of the true book this order crosses, best first. */
  private crossing(o: FakeKrakenOrder): number[] {
    const m = this.host.market(o.pair)!;
    const book = o.side === 'buy' ? m.book.asks : m.book.bids;
    const crosses = (px: number) => o.ordertype === 'market' || (o.side === 'buy' ? px <= o.price : px >= o.price);
    return [...book.keys()].filter(crosses).sort((a, b) => (o.side === 'buy' ? a - b : b - a));
  }

  /** Takes crossing liquidity level by level as taker. */
  private take(o: FakeKrakenOrder): void {
    const m = this.host.market(o.pair)!;
    const book = o.side === 'buy' ? m.book.asks : m.book.bids;
    let changed = false;
    for (const px of this.crossing(o)) {
      if (o.filledLots >= o.lots) break;
      const take = Math.min(book.get(px)!, o.lots - o.filledLots);
      const left = book.get(px)! - take;
      if (left === 0) book.delete(px);
      else book.set(px, left);
      changed = true;
      this.fill(o, px, take, false);
    }
    if (changed) this.host.bookChanged(m.v2name);
  }

  private fill(o: FakeKrakenOrder, price: number, lots: number, maker: boolean): KrakenTradeInfo & { txid: string } {
    const m = this.host.market(o.pair)!;
    const cost = BigInt(price * m.price.scaled) * BigInt(lots * m.size.scaled);
    const costPlaces = m.price.places + m.size.places;
    const fee = decimalText(cost * BigInt(maker ? m.makerBps : m.takerBps), costPlaces + 4);
    o.filledLots += lots;
    o.costUnits += cost;
    o.feeUnits += cost * BigInt(maker ? m.makerBps : m.takerBps);
    const tr = {
      txid: kid('T'), ordertxid: o.txid, pair: m.key, time: Date.now() / 1000, type: o.side, ordertype: o.ordertype,
      price: fromUnits(price, m.price), cost: decimalText(cost, costPlaces), fee, vol: fromUnits(lots, m.size), trade_id: this.host.nextTradeId(m.v2name), maker,
    };
    o.trades.push(tr);
    const feeAsset = [{ asset: m.quote, qty: fee }];
    this.publish(o, 'trade', {
      exec_id: tr.txid, trade_id: tr.trade_id, last_qty: tr.vol, last_price: tr.price, cost: tr.cost, liquidity_ind: maker ? 'm' : 't', fees: feeAsset,
      ...(m.quote === 'USD' ? { fee_usd_equiv: fee } : {}),
    });
    return tr;
  }

  private close(o: FakeKrakenOrder, status: 'closed' | 'canceled' | 'expired', reason: string | null): void {
    o.status = status;
    o.reason = reason;
    o.closetm = Date.now() / 1000;
    this.publish(o, status === 'closed' ? 'filled' : status, reason ? { reason } : {});
  }

  private newOrder(clOrdId: string, pair: string, side: 'buy' | 'sell', ordertype: 'limit' | 'market', price: number, lots: number, postOnly: boolean): FakeKrakenOrder {
    return { txid: kid('O'), clOrdId, pair, side, ordertype, price, lots, postOnly, status: 'open', reason: null, filledLots: 0, opentm: Date.now() / 1000, closetm: 0, trades: [], costUnits: 0n, feeUnits: 0n };
  }

  private view(o: FakeKrakenOrder): KrakenOrderInfo {
    const m = this.host.market(o.pair)!;
    const places = m.price.places + m.size.places;
    const px = o.ordertype === 'limit' ? fromUnits(o.price, m.price) : '0';
    return {
      ...(o.clOrdId ? { cl_ord_id: o.clOrdId } : {}), status: o.status, reason: o.reason, opentm: o.opentm, ...(o.closetm ? { closetm: o.closetm } : {}),
      descr: { pair: m.altname, type: o.side, ordertype: o.ordertype, price: px, order: `${o.side} ${fromUnits(o.lots, m.size)} ${m.altname} @ ${o.ordertype}` },
      vol: fromUnits(o.lots, m.size), vol_exec: fromUnits(o.filledLots, m.size), cost: decimalText(o.costUnits, places), fee: decimalText(o.feeUnits, places + 4), price: o.trades.at(-1)?.price ?? '0', oflags: o.postOnly ? 'post,fciq' : 'fciq',
    };
  }
}

/** digits × 10^-places as a plain decimal string. */
function decimalText(digits: bigint, places: number): string {
  if (places === 0) return digits.toString();
  const s = digits.toString().padStart(places + 1, '0');
  return `${s.slice(0, -places)}.${s.slice(-places)}`;
}

/** A Kraken-looking id: "OQCLML-BW3P3-BUCMWZ". */
function kid(first: string): string {
  const a = () => [...randomBytes(6)].map((b) => String.fromCharCode(65 + (b % 26))).join('');
  return `${first}${a().slice(0, 5)}-${a().slice(0, 5)}-${a()}`;
}
