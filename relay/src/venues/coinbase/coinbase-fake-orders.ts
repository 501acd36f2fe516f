import { randomUUID, type KeyObject } from 'node:crypto';
import { jwtVerify } from 'jose';
import { fromUnits, toUnits, type UnitStep } from '../live/exact-units';
import type { CoinbaseFill, CoinbaseOrderStatus, HistoricalOrder } from './coinbase-order-wire';

/** Fee rates the fake charges, in basis points of the notional (Coinbase's lowest tier is 60 / 40). */
export const FAKE_TAKER_BPS = 60;
export const FAKE_MAKER_BPS = 40;

/** What the order side needs of the fake's market side. */
export interface FakeOrderHost {
  market(productId: string): { price: UnitStep; size: UnitStep; book: { bids: Map<number, number>; asks: Map<number, number> } } | undefined;
  /** Levels of the true book changed (taker fills took liquidity): published on level2. */
  bookChanged(productId: string, changes: { side: 'bid' | 'offer'; price: number; lots: number }[]): void;
  /** One `user` channel event to every connection subscribed to it. */
  userEvent(event: unknown): void;
}

/** The account's view of one order. */
export interface FakeOrder {
  orderId: string;
  clientOrderId: string;
  productId: string;
  side: 'BUY' | 'SELL';
  kind: 'limit_limit_gtc' | 'limit_limit_fok' | 'sor_limit_ioc' | 'market_market_ioc';
  /** Ticks (limit orders); lots. */
  price: number;
  lots: number;
  postOnly: boolean;
  status: CoinbaseOrderStatus;
  filledLots: number;
  fills: CoinbaseFill[];
  configuration: Record<string, unknown>;
  created: string;
}

type Reply = { status: number; body: unknown };

/** The secret CDP hands out with an Ed25519 key pair: base64 of the 32-byte seed, then the 32-byte public key. */
export function cdpEd25519Secret(privateKey: KeyObject): string {
  const { d, x } = privateKey.export({ format: 'jwk' });
  return Buffer.concat([Buffer.from(d!, 'base64url'), Buffer.from(x!, 'base64url')]).toString('base64');
}

/**
 * The order side of the Coinbase fake: verifies each request's JWT against the configured
 * public key, ES256 for an EC key and EdDSA for an Ed25519 one (401 when missing, badly
 * signed, expired or for another uri), keeps the account's orders, matches a crossing order
 * against the true book as taker, and lets a test fill a resting order as maker, reject the
 * next order, forget an order, or add one placed by someone else. Resting orders are not
 * shown in the public book.
 */
export class FakeCoinbaseOrders {
  readonly orders = new Map<string, FakeOrder>();
  private tradeId = 50_000;
  private rejectNextWith: { error: string; message: string } | undefined;
  /** Requests refused for their JWT. */
  unauthorized = 0;
  /** Orders received (accepted or not). */
  received = 0;
  /** JWT algorithms of the requests and subscriptions that verified. */
  readonly algorithmsSeen = new Set<string>();

  constructor(
    private readonly host: FakeOrderHost,
    private readonly auth: { keyName: string; publicKey: KeyObject } | undefined,
  ) {}

  /** The next order is refused with this venue error (success: false, error_response). */
  rejectNext(error = 'INSUFFICIENT_FUND', message = 'Insufficient balance in source account'): void {
    this.rejectNextWith = { error, message };
  }

  byClientId(clientOrderId: string): FakeOrder | undefined {
    for (const o of this.orders.values()) if (o.clientOrderId === clientOrderId) return o;
    return undefined;
  }

  /** The venue loses an order (as if it had never been placed). */
  forget(clientOrderId: string): void {
    const o = this.byClientId(clientOrderId);
    if (o) this.orders.delete(o.orderId);
  }

  /** An open order someone else placed on the account. */
  addForeign(clientOrderId: string, productId: string, price: number, lots: number): FakeOrder {
    const m = this.host.market(productId)!;
    const o = this.newOrder(clientOrderId, productId, 'BUY', 'limit_limit_gtc', price, lots, false, { limit_limit_gtc: { base_size: fromUnits(lots, m.size), limit_price: fromUnits(price, m.price), post_only: false } });
    o.status = 'OPEN';
    this.orders.set(o.orderId, o);
    return o;
  }

  /** Fills `lots` of a resting order as maker at its limit price (default: all it has left). */
  fillResting(clientOrderId: string, lots?: number): CoinbaseFill {
    const o = this.byClientId(clientOrderId);
    if (!o || o.status !== 'OPEN') throw new Error(`no open order ${clientOrderId}`);
    const f = this.fill(o, o.price, lots ?? o.lots - o.filledLots, 'MAKER');
    this.publish(o);
    return f;
  }

  /** Verifies the JWT of a `user` subscription (no uri claim). */
  async verifyWs(jwt: unknown): Promise<boolean> {
    return typeof jwt === 'string' && (await this.verify(jwt, undefined));
  }

  /** Answers a request under /api/v3/brokerage/orders; undefined for any other path. */
  async handle(method: string, url: URL, host: string, authorization: string | undefined, body: string): Promise<Reply | undefined> {
    const base = '/api/v3/brokerage/orders';
    if (url.pathname !== base && !url.pathname.startsWith(`${base}/`)) return undefined;
    const token = authorization?.startsWith('Bearer ') ? authorization.slice(7) : '';
    if (!(await this.verify(token, `${method} ${host}${url.pathname}`))) {
      this.unauthorized++;
      return { status: 401, body: { error: 'UNAUTHENTICATED', message: 'Unauthorized', error_details: '' } };
    }
    const sub = url.pathname.slice(base.length);
    if (method === 'POST' && sub === '') return this.create(body);
    if (method === 'POST' && sub === '/batch_cancel') return this.cancel(body);
    if (method === 'GET' && sub === '/historical/batch') {
      const status = url.searchParams.getAll('order_status');
      const list = [...this.orders.values()].filter((o) => status.length === 0 || status.includes(o.status)).map((o) => this.view(o));
      return { status: 200, body: { orders: list, sequence: '0', has_next: false, cursor: '' } };
    }
    if (method === 'GET' && sub === '/historical/fills') {
      const ids = [...url.searchParams.getAll('order_ids'), ...url.searchParams.getAll('order_id')];
      const fills = [...this.orders.values()].filter((o) => ids.length === 0 || ids.includes(o.orderId)).flatMap((o) => o.fills);
      return { status: 200, body: { fills: [...fills].reverse(), cursor: '' } };
    }
    if (method === 'GET' && sub.startsWith('/historical/')) {
      const o = this.orders.get(decodeURIComponent(sub.slice('/historical/'.length)));
      if (!o) return { status: 404, body: { error: 'NOT_FOUND', message: 'order with this orderID was not found', error_details: '' } };
      return { status: 200, body: { order: this.view(o) } };
    }
    return { status: 404, body: { error: 'NOT_FOUND', message: `unknown path ${url.pathname}` } };
  }

  private async verify(token: string, uri: string | undefined): Promise<boolean> {
    if (!this.auth || !token) return false;
    try {
      const algorithm = this.auth.publicKey.asymmetricKeyType === 'ed25519' ? 'EdDSA' : 'ES256';
      const { payload, protectedHeader } = await jwtVerify(token, this.auth.publicKey, { algorithms: [algorithm], issuer: 'cdp', subject: this.auth.keyName });
      if (protectedHeader.kid !== this.auth.keyName || typeof protectedHeader.nonce !== 'string') return false;
      if (typeof payload.exp !== 'number' || typeof payload.nbf !== 'number' || payload.exp - payload.nbf > 120) return false;
      if (uri !== undefined && payload.uri !== uri) return false;
      this.algorithmsSeen.add(protectedHeader.alg);
      return true;
    } catch {
      return false;
    }
  }

  private create(text: string): Reply {
    this.received++;
    const fail = (error: string, message: string, reason = 'UNKNOWN_FAILURE_REASON') => ({
      status: 200,
      body: { success: false, failure_reason: reason, order_id: '', error_response: { error, message, error_details: message, preview_failure_reason: 'UNKNOWN_PREVIEW_FAILURE_REASON', new_order_failure_reason: reason } },
    });
    let req: { client_order_id?: string; product_id?: string; side?: string; order_configuration?: Record<string, Record<string, unknown>> };
    try {
      req = JSON.parse(text) as typeof req;
    } catch {
      return { status: 400, body: { error: 'INVALID_ARGUMENT', message: 'body is not JSON' } };
    }
    const m = req.product_id ? this.host.market(req.product_id) : undefined;
    if (!m) return fail('INVALID_ARGUMENT', 'ProductID is invalid', 'UNSUPPORTED_ORDER_CONFIGURATION');
    if (this.rejectNextWith) {
      const r = this.rejectNextWith;
      this.rejectNextWith = undefined;
      return fail(r.error, r.message);
    }
    const [kind, cfg] = Object.entries(req.order_configuration ?? {})[0] ?? [];
    if (kind !== 'limit_limit_gtc' && kind !== 'limit_limit_fok' && kind !== 'sor_limit_ioc' && kind !== 'market_market_ioc') return fail('INVALID_ARGUMENT', `order configuration ${kind} not in this fake`, 'UNSUPPORTED_ORDER_CONFIGURATION');
    const lots = toUnits(String(cfg!.base_size ?? ''), m.size);
    const price = kind === 'market_market_ioc' ? 0 : toUnits(String(cfg!.limit_price ?? ''), m.price);
    if (!lots || price === undefined) return fail('INVALID_ARGUMENT', 'size or price off the increments', 'INVALID_LIMIT_PRICE_PRECISION');
    if (req.client_order_id && this.byClientId(req.client_order_id)) return fail('INVALID_ARGUMENT', 'duplicate client_order_id', 'DUPLICATE_CLIENT_ORDER_ID');
    const side = req.side === 'SELL' ? 'SELL' : 'BUY';
    const o = this.newOrder(req.client_order_id ?? randomUUID(), req.product_id!, side, kind, price, lots, cfg!.post_only === true, req.order_configuration!);
    const book = side === 'BUY' ? m.book.asks : m.book.bids;
    const crosses = (px: number) => kind === 'market_market_ioc' || (side === 'BUY' ? px <= price : px >= price);
    const levels = [...book.keys()].sort((a, b) => (side === 'BUY' ? a - b : b - a)).filter(crosses);
    if (o.postOnly && levels.length > 0) return fail('INVALID_LIMIT_PRICE_POST_ONLY', 'post-only order would cross', 'INVALID_LIMIT_PRICE_POST_ONLY');
    const available = levels.reduce((s, px) => s + book.get(px)!, 0);
    this.orders.set(o.orderId, o);
    o.status = 'OPEN';
    if (kind === 'limit_limit_fok' && available < lots) {
      o.status = 'CANCELLED';
    } else {
      const changes: { side: 'bid' | 'offer'; price: number; lots: number }[] = [];
      for (const px of levels) {
        if (o.filledLots >= lots) break;
        const take = Math.min(book.get(px)!, lots - o.filledLots);
        const left = book.get(px)! - take;
        if (left === 0) book.delete(px);
        else book.set(px, left);
        changes.push({ side: side === 'BUY' ? 'offer' : 'bid', price: px, lots: left });
        this.fill(o, px, take, 'TAKER');
      }
      if (changes.length) this.host.bookChanged(o.productId, changes);
      if (o.status === 'OPEN' && kind !== 'limit_limit_gtc') o.status = 'CANCELLED'; // IOC rest canceled
    }
    this.publish(o);
    return { status: 200, body: { success: true, success_response: { order_id: o.orderId, product_id: o.productId, side: o.side, client_order_id: o.clientOrderId }, order_configuration: o.configuration } };
  }

  private cancel(text: string): Reply {
    let ids: string[] = [];
    try {
      ids = (JSON.parse(text) as { order_ids?: string[] }).order_ids ?? [];
    } catch {
      return { status: 400, body: { error: 'INVALID_ARGUMENT', message: 'body is not JSON' } };
    }
    const results = ids.map((id) => {
      const o = this.orders.get(id);
      if (!o) return { success: false, failure_reason: 'UNKNOWN_CANCEL_ORDER', order_id: id };
      if (o.status !== 'OPEN') return { success: false, failure_reason: 'COMMANDER_REJECTED_CANCEL_ORDER', order_id: id };
      o.status = 'CANCELLED';
      this.publish(o);
      return { success: true, failure_reason: 'UNKNOWN_CANCEL_FAILURE_REASON', order_id: id };
    });
    return { status: 200, body: { results } };
  }

  private newOrder(clientOrderId: string, productId: string, side: 'BUY' | 'SELL', kind: FakeOrder['kind'], price: number, lots: number, postOnly: boolean, configuration: Record<string, unknown>): FakeOrder {
    return { orderId: randomUUID(), clientOrderId, productId, side, kind, price, lots, postOnly, status: 'PENDING', filledLots: 0, fills: [], configuration, created: new Date().toISOString() };
  }

  private fill(o: FakeOrder, price: number, lots: number, liquidity: 'MAKER' | 'TAKER'): CoinbaseFill {
    const m = this.host.market(o.productId)!;
    const f: CoinbaseFill = {
      entry_id: randomUUID(),
      trade_id: String(++this.tradeId),
      order_id: o.orderId,
      trade_time: new Date().toISOString(),
      trade_type: 'FILL',
      price: fromUnits(price, m.price),
      size: fromUnits(lots, m.size),
      commission: commission(price, lots, m.price, m.size, liquidity === 'MAKER' ? FAKE_MAKER_BPS : FAKE_TAKER_BPS),
      product_id: o.productId,
      sequence_timestamp: new Date().toISOString(),
      liquidity_indicator: liquidity,
      size_in_quote: false,
      user_id: 'fake-user',
      side: o.side,
    };
    o.fills.push(f);
    o.filledLots += lots;
    if (o.filledLots >= o.lots) o.status = 'FILLED';
    return f;
  }

  /** The order's cumulative state on the user channel. */
  private publish(o: FakeOrder): void {
    const m = this.host.market(o.productId)!;
    const fees = o.fills.reduce((s, f) => s + Number(f.commission), 0);
    this.host.userEvent({
      type: 'update',
      orders: [{
        order_id: o.orderId,
        client_order_id: o.clientOrderId,
        cumulative_quantity: fromUnits(o.filledLots, m.size),
        leaves_quantity: fromUnits(o.status === 'OPEN' ? o.lots - o.filledLots : 0, m.size),
        avg_price: o.fills.length ? o.fills.at(-1)!.price : '0',
        total_fees: String(fees),
        status: o.status,
        product_id: o.productId,
        order_side: o.side,
        order_type: o.kind === 'market_market_ioc' ? 'Market' : 'Limit',
        creation_time: o.created,
        reject_reason: '',
        cancel_reason: '',
      }],
    });
  }

  view(o: FakeOrder): HistoricalOrder {
    const m = this.host.market(o.productId)!;
    return {
      order_id: o.orderId,
      client_order_id: o.clientOrderId,
      product_id: o.productId,
      side: o.side,
      status: o.status,
      filled_size: fromUnits(o.filledLots, m.size),
      average_filled_price: o.fills.at(-1)?.price ?? '0',
      total_fees: '0',
      reject_reason: '',
      order_configuration: o.configuration,
      created_time: o.created,
    };
  }
}

/** price × size × bps / 10^4, exactly, as a decimal string. */
export function commission(ticks: number, lots: number, price: UnitStep, size: UnitStep, bps: number): string {
  const digits = (BigInt(ticks) * BigInt(price.scaled) * BigInt(lots) * BigInt(size.scaled) * BigInt(bps)).toString();
  const places = price.places + size.places + 4;
  const padded = digits.padStart(places + 1, '0');
  return `${padded.slice(0, -places)}.${padded.slice(-places)}`;
}
