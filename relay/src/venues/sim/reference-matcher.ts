import { OrderType, Side, TimeInForce } from '@tickmesh/shared';
import { EngineResult } from './engine-result';

/** A trade as the reference matcher records it. */
export interface RefTrade {
  tradeId: number;
  price: number;
  qty: number;
  aggressor: Side;
  maker: number;
  taker: number;
}

interface RefOrder {
  id: number;
  account: number;
  side: Side;
  price: number;
  qty: number;
  filled: number;
  /** Time priority stamp: smaller = earlier. */
  seq: number;
  postOnly: boolean;
}

/**
 * Deliberately naive matcher for tests only: one flat array of orders, best order found by a
 * full scan. Implements exactly the semantics documented on MatchingEngine so random command
 * streams can be compared trade by trade and book by book. Not exported from the sim index.
 */
export class ReferenceMatcher {
  readonly trades: RefTrade[] = [];
  private orders: RefOrder[] = [];
  private nextId = 1;
  private seq = 0;
  private tradeId = 0;

  constructor(private readonly stp = true) {}

  get nextOrderId(): number {
    return this.nextId;
  }

  submit(account: number, side: Side, type: OrderType, tif: TimeInForce, price: number, qty: number, postOnly = false): EngineResult {
    const id = this.nextId++;
    const market = type === OrderType.Market;
    const limit = market ? (side === Side.Buy ? Infinity : -Infinity) : price;
    if (!(qty > 0 && Number.isSafeInteger(qty))) return EngineResult.INVALID_QTY;
    if (!market && !(price > 0 && Number.isSafeInteger(price))) return EngineResult.INVALID_PRICE;
    if (market && !this.orders.some((o) => o.side !== side)) return EngineResult.NO_LIQUIDITY;
    if (postOnly && this.crosses(side, limit)) return EngineResult.POST_ONLY_WOULD_TAKE;
    if (tif === TimeInForce.FOK) {
      const avail = this.orders
        .filter((o) => o.side !== side && this.priceOk(side, limit, o.price) && !(this.stp && o.account === account))
        .reduce((s, o) => s + o.qty - o.filled, 0);
      if (avail < qty) return EngineResult.FOK_UNFILLABLE;
    }
    const o: RefOrder = { id, account, side, price: market ? 0 : price, qty, filled: 0, seq: ++this.seq, postOnly };
    this.match(o, limit);
    if (o.filled < o.qty && !market && tif !== TimeInForce.IOC && tif !== TimeInForce.FOK) this.orders.push(o);
    return EngineResult.OK;
  }

  cancel(id: number): EngineResult {
    const i = this.orders.findIndex((o) => o.id === id);
    if (i < 0) return EngineResult.UNKNOWN_ORDER;
    this.orders.splice(i, 1);
    return EngineResult.OK;
  }

  replace(id: number, price: number, qty: number): EngineResult {
    const i = this.orders.findIndex((o) => o.id === id);
    if (i < 0) return EngineResult.UNKNOWN_ORDER;
    const o = this.orders[i]!;
    if (!(price > 0 && Number.isSafeInteger(price))) return EngineResult.INVALID_PRICE;
    if (!(qty > 0 && Number.isSafeInteger(qty)) || qty <= o.filled) return EngineResult.INVALID_QTY;
    if (price === o.price) {
      if (qty > o.qty) o.seq = ++this.seq;
      o.qty = qty;
      return EngineResult.OK;
    }
    this.orders.splice(i, 1);
    if (o.postOnly && this.crosses(o.side, price)) {
      this.orders.splice(i, 0, o);
      return EngineResult.POST_ONLY_WOULD_TAKE;
    }
    o.price = price;
    o.qty = qty;
    o.seq = ++this.seq;
    this.match(o, price);
    if (o.filled < o.qty) this.orders.push(o);
    return EngineResult.OK;
  }

  move(id: number, price: number): EngineResult {
    const o = this.orders.find((x) => x.id === id);
    if (o === undefined) return EngineResult.UNKNOWN_ORDER;
    return this.replace(id, price, o.qty);
  }

  /** Resting orders of `side` in priority order, same shape as MatchingEngine.restingOrders. */
  restingOrders(side: Side): { id: number; account: number; price: number; qty: number; remaining: number }[] {
    return this.orders
      .filter((o) => o.side === side)
      .sort((a, b) => (a.price === b.price ? a.seq - b.seq : side === Side.Buy ? b.price - a.price : a.price - b.price))
      .map((o) => ({ id: o.id, account: o.account, price: o.price, qty: o.qty, remaining: o.qty - o.filled }));
  }

  private priceOk(side: Side, limit: number, price: number): boolean {
    return side === Side.Buy ? price <= limit : price >= limit;
  }

  private crosses(side: Side, limit: number): boolean {
    return this.orders.some((o) => o.side !== side && this.priceOk(side, limit, o.price));
  }

  private match(taker: RefOrder, limit: number): void {
    for (;;) {
      if (taker.filled === taker.qty) return;
      const best = this.restingOrders(taker.side === Side.Buy ? Side.Sell : Side.Buy)[0];
      if (best === undefined || !this.priceOk(taker.side, limit, best.price)) return;
      const idx = this.orders.findIndex((o) => o.id === best.id);
      const m = this.orders[idx]!;
      if (this.stp && m.account === taker.account) {
        this.orders.splice(idx, 1);
        continue;
      }
      const q = Math.min(m.qty - m.filled, taker.qty - taker.filled);
      m.filled += q;
      taker.filled += q;
      this.trades.push({ tradeId: ++this.tradeId, price: m.price, qty: q, aggressor: taker.side, maker: m.id, taker: taker.id });
      if (m.filled === m.qty) this.orders.splice(idx, 1);
    }
  }
}
