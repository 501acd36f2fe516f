import { OrderType, Side, TimeInForce } from '@tickmesh/shared';
import { BookSide } from './book-side';
import { EngineResult } from './engine-result';
import { NoopMatchingListener, type MatchingListener } from './matching-listener';
import type { PriceLevel } from './price-level';
import { RestingOrder } from './resting-order';
import { StateHasher } from './state-hash';

/** Options of {@link MatchingEngine}. */
export interface MatchingEngineOptions {
  /** Receives levels, trades and order events. Default: a no-op listener. */
  listener?: MatchingListener;
  /**
   * Self-trade prevention by account. Default true. Policy "cancel oldest": when an incoming
   * order would trade with a resting order of the same account, the RESTING order is canceled
   * (event `canceled`, code VENUE_SELF_TRADE_PREVENTED) and matching continues with the next
   * order. Resting interest is stale by definition; the newer instruction reflects intent.
   */
  selfTradePrevention?: boolean;
  /** Initial price-level slots per side (grows by doubling). Default 256. */
  initialLevelCapacity?: number;
}

/**
 * Price-time priority matching for one instrument. Prices are integer ticks, quantities
 * integer lots. Every command returns an {@link EngineResult} code and never throws for a
 * business failure; what happened is reported to the listener as it happens.
 *
 * Semantics:
 * - Limit GTC (and Day, which the sim treats as GTC: it has no session end) rests its
 *   remainder; IOC and market orders expire their remainder (`expired`); FOK is checked
 *   against the book (excluding same-account liquidity when STP is on) before any fill and
 *   rejected with VENUE_FOK_UNFILLABLE if it cannot fill in full.
 * - Post-only orders that would cross are rejected (VENUE_POST_ONLY_WOULD_TAKE).
 * - A market order against an empty opposite side is rejected (VENUE_NO_LIQUIDITY).
 * - replace(id, price, qty): `qty` is the new TOTAL quantity (FIX OrderQty); leaves become
 *   qty - filled and must stay > 0. Same price and qty ≤ old keeps time priority; a price
 *   change or a size increase goes to the back of the queue; a crossing price trades first.
 * - Order ids are assigned by the engine (1, 2, 3 …; rejected orders consume an id too) and
 *   kept across replaces; trade ids are 1, 2, 3 … per engine.
 *
 * Orders are pooled RestingOrder nodes in intrusive per-level FIFOs; the steady state of
 * place/move/cancel allocates nothing.
 */
export class MatchingEngine {
  /** Event sink; may be swapped at any time between commands. */
  listener: MatchingListener;
  private readonly bids: BookSide;
  private readonly asks: BookSide;
  private readonly orders = new Map<number, RestingOrder>();
  private readonly pool: RestingOrder[] = [];
  private readonly stp: boolean;
  private idSeq = 1;
  private tradeSeq = 0;

  constructor(options: MatchingEngineOptions = {}) {
    this.listener = options.listener ?? new NoopMatchingListener();
    this.stp = options.selfTradePrevention ?? true;
    const cap = options.initialLevelCapacity ?? 256;
    this.bids = new BookSide(Side.Buy, cap);
    this.asks = new BookSide(Side.Sell, cap);
  }

  /** Id the next submitted order will get (lets a caller map its own id before submitting). */
  get nextOrderId(): number {
    return this.idSeq;
  }

  /** Id of the last trade printed; 0 before the first trade. */
  get lastTradeId(): number {
    return this.tradeSeq;
  }

  /** Number of resting orders. */
  get orderCount(): number {
    return this.orders.size;
  }

  /**
   * New order. The id it gets is {@link nextOrderId} read just before the call.
   * @param price limit price in ticks; ignored for market orders.
   * @param postOnly reject instead of taking liquidity. Default false.
   */
  submit(
    account: number,
    side: Side,
    type: OrderType,
    tif: TimeInForce,
    price: number,
    qty: number,
    postOnly = false,
  ): EngineResult {
    const id = this.idSeq++;
    const L = this.listener;
    const isMarket = type === OrderType.Market;
    let code: EngineResult = EngineResult.OK;
    const opp = side === Side.Buy ? this.asks : this.bids;
    const limit = isMarket ? (side === Side.Buy ? Infinity : -Infinity) : price;
    if (!(qty > 0 && Number.isSafeInteger(qty))) code = EngineResult.INVALID_QTY;
    else if (!isMarket && !(price > 0 && Number.isSafeInteger(price))) code = EngineResult.INVALID_PRICE;
    else if (isMarket && opp.size === 0) code = EngineResult.NO_LIQUIDITY;
    else if (postOnly && this.crosses(side, limit)) code = EngineResult.POST_ONLY_WOULD_TAKE;
    else if (tif === TimeInForce.FOK && !this.canFill(account, side, limit, qty)) code = EngineResult.FOK_UNFILLABLE;
    if (code !== EngineResult.OK) {
      L.onOrder(id, account, 'rejected', price, qty, 0, 0, false, code);
      return code;
    }
    const px = isMarket ? 0 : price;
    L.onOrder(id, account, 'accepted', px, qty, qty, 0, false, EngineResult.OK);
    const o = this.pool.length > 0 ? this.pool.pop()! : new RestingOrder();
    o.id = id;
    o.account = account;
    o.side = side;
    o.price = px;
    o.qty = qty;
    o.filled = 0;
    o.remaining = qty;
    o.postOnly = postOnly;
    this.match(o, limit);
    if (o.remaining === 0) {
      this.release(o);
    } else if (isMarket || tif === TimeInForce.IOC || tif === TimeInForce.FOK) {
      L.onOrder(id, account, 'expired', px, o.remaining, 0, 0, false, EngineResult.OK);
      this.release(o);
    } else {
      this.rest(o);
    }
    return EngineResult.OK;
  }

  /** Limit order; `tif` default GTC, `postOnly` default false. */
  placeLimit(account: number, side: Side, price: number, qty: number, tif: TimeInForce = TimeInForce.GTC, postOnly = false): EngineResult {
    return this.submit(account, side, OrderType.Limit, tif, price, qty, postOnly);
  }

  /** Market order: trades what it can, the rest expires. */
  placeMarket(account: number, side: Side, qty: number): EngineResult {
    return this.submit(account, side, OrderType.Market, TimeInForce.IOC, 0, qty, false);
  }

  /** Cancels a resting order. */
  cancel(orderId: number): EngineResult {
    const o = this.orders.get(orderId);
    if (o === undefined) return EngineResult.UNKNOWN_ORDER;
    const q = o.remaining;
    this.unrest(o);
    this.listener.onOrder(o.id, o.account, 'canceled', o.price, q, 0, 0, false, EngineResult.OK);
    this.release(o);
    return EngineResult.OK;
  }

  /**
   * Changes price and/or total quantity of a resting order (see class doc for priority rules).
   * A refused replace leaves the order untouched and emits nothing.
   */
  replace(orderId: number, price: number, qty: number): EngineResult {
    const o = this.orders.get(orderId);
    if (o === undefined) return EngineResult.UNKNOWN_ORDER;
    return this.replaceOrder(o, price, qty);
  }

  /** Moves a resting order to a new price keeping its total quantity (exchange-core's MOVE). */
  move(orderId: number, price: number): EngineResult {
    const o = this.orders.get(orderId);
    if (o === undefined) return EngineResult.UNKNOWN_ORDER;
    return this.replaceOrder(o, price, o.qty);
  }

  private replaceOrder(o: RestingOrder, price: number, qty: number): EngineResult {
    if (!(price > 0 && Number.isSafeInteger(price))) return EngineResult.INVALID_PRICE;
    if (!(qty > 0 && Number.isSafeInteger(qty)) || qty <= o.filled) return EngineResult.INVALID_QTY;
    const L = this.listener;
    const leaves = qty - o.filled;
    if (price === o.price) {
      const lvl = o.level!;
      if (qty <= o.qty) {
        // Size decrease keeps time priority (it only reduces what others wait behind).
        const delta = o.remaining - leaves;
        o.remaining = leaves;
        o.qty = qty;
        lvl.total -= delta;
        L.onOrder(o.id, o.account, 'replaced', price, qty, leaves, 0, false, EngineResult.OK);
        if (delta !== 0) L.onLevel(o.side, price, lvl.total);
      } else {
        lvl.unlink(o);
        o.qty = qty;
        o.remaining = leaves;
        lvl.append(o);
        L.onOrder(o.id, o.account, 'replaced', price, qty, leaves, 0, false, EngineResult.OK);
        L.onLevel(o.side, price, lvl.total);
      }
      return EngineResult.OK;
    }
    if (o.postOnly && this.crosses(o.side, price)) return EngineResult.POST_ONLY_WOULD_TAKE;
    this.unrest(o);
    o.price = price;
    o.qty = qty;
    o.remaining = leaves;
    L.onOrder(o.id, o.account, 'replaced', price, qty, leaves, 0, false, EngineResult.OK);
    this.match(o, price);
    if (o.remaining > 0) this.rest(o);
    else this.release(o);
    return EngineResult.OK;
  }

  /** Trades `taker` against the opposite side up to `limit` (±Infinity for market). */
  private match(taker: RestingOrder, limit: number): void {
    const buy = taker.side === Side.Buy;
    const opp = buy ? this.asks : this.bids;
    const L = this.listener;
    const stp = this.stp;
    while (taker.remaining > 0 && opp.size > 0) {
      const lvl = opp.levels[opp.size - 1]!;
      const price = lvl.price;
      if (buy ? price > limit : price < limit) break;
      let m = lvl.head;
      while (m !== null && taker.remaining > 0) {
        const next = m.next;
        if (stp && m.account === taker.account) {
          const q = m.remaining;
          lvl.unlink(m);
          this.orders.delete(m.id);
          L.onOrder(m.id, m.account, 'canceled', price, q, 0, 0, false, EngineResult.SELF_TRADE_PREVENTED);
          this.release(m);
        } else {
          const q = m.remaining < taker.remaining ? m.remaining : taker.remaining;
          const tradeId = ++this.tradeSeq;
          m.remaining -= q;
          m.filled += q;
          lvl.total -= q;
          taker.remaining -= q;
          taker.filled += q;
          L.onTrade(tradeId, price, q, taker.side, m.id, taker.id, m.account, taker.account);
          if (m.remaining === 0) {
            lvl.unlink(m);
            this.orders.delete(m.id);
            L.onOrder(m.id, m.account, 'filled', price, q, 0, tradeId, true, EngineResult.OK);
            this.release(m);
          } else {
            L.onOrder(m.id, m.account, 'partially-filled', price, q, m.remaining, tradeId, true, EngineResult.OK);
          }
          L.onOrder(taker.id, taker.account, taker.remaining === 0 ? 'filled' : 'partially-filled', price, q, taker.remaining, tradeId, false, EngineResult.OK);
        }
        m = next;
      }
      const total = lvl.total;
      if (lvl.count === 0) opp.remove(lvl);
      L.onLevel(opp.side, price, total);
    }
  }

  private rest(o: RestingOrder): void {
    const lvl = (o.side === Side.Buy ? this.bids : this.asks).getOrCreate(o.price);
    lvl.append(o);
    this.orders.set(o.id, o);
    this.listener.onLevel(o.side, o.price, lvl.total);
  }

  /** Takes a resting order out of its level and the id map (not back to the pool). */
  private unrest(o: RestingOrder): void {
    const lvl = o.level!;
    lvl.unlink(o);
    this.orders.delete(o.id);
    const total = lvl.total;
    if (lvl.count === 0) (o.side === Side.Buy ? this.bids : this.asks).remove(lvl);
    this.listener.onLevel(o.side, o.price, total);
  }

  private release(o: RestingOrder): void {
    o.level = o.prev = o.next = null;
    this.pool.push(o);
  }

  /** Would an order on `side` at `limit` take liquidity now? */
  private crosses(side: Side, limit: number): boolean {
    if (side === Side.Buy) return this.asks.size > 0 && limit >= this.asks.levels[this.asks.size - 1]!.price;
    return this.bids.size > 0 && limit <= this.bids.levels[this.bids.size - 1]!.price;
  }

  /** FOK pre-check: can `qty` fill at `limit` or better, not counting same-account orders under STP? */
  private canFill(account: number, side: Side, limit: number, qty: number): boolean {
    const opp = side === Side.Buy ? this.asks : this.bids;
    let need = qty;
    for (let i = opp.size - 1; i >= 0; i--) {
      const lvl = opp.levels[i]!;
      if (side === Side.Buy ? lvl.price > limit : lvl.price < limit) return false;
      if (!this.stp) need -= lvl.total;
      else for (let m = lvl.head; m !== null; m = m.next) if (m.account !== account) need -= m.remaining;
      if (need <= 0) return true;
    }
    return false;
  }

  // ---- queries (not on the hot path) ----

  /** Best bid price in ticks, or 0 when there are no bids. */
  bestBid(): number {
    return this.bids.size === 0 ? 0 : this.bids.levels[this.bids.size - 1]!.price;
  }

  /** Best ask price in ticks, or 0 when there are no asks. */
  bestAsk(): number {
    return this.asks.size === 0 ? 0 : this.asks.levels[this.asks.size - 1]!.price;
  }

  /** Number of price levels on `side`. */
  depth(side: Side): number {
    return (side === Side.Buy ? this.bids : this.asks).size;
  }

  /** Total lots resting at `price` on `side` (0 if none). */
  levelTotal(side: Side, price: number): number {
    return (side === Side.Buy ? this.bids : this.asks).get(price)?.total ?? 0;
  }

  /** Calls `fn(price, total)` for up to `maxLevels` levels of `side`, best first. Default all. */
  forEachLevel(side: Side, fn: (price: number, total: number) => void, maxLevels = Infinity): void {
    const s = side === Side.Buy ? this.bids : this.asks;
    for (let i = s.size - 1, k = 0; i >= 0 && k < maxLevels; i--, k++) fn(s.levels[i]!.price, s.levels[i]!.total);
  }

  /** Remaining lots of a resting order, 0 if it is not resting. */
  orderRemaining(orderId: number): number {
    return this.orders.get(orderId)?.remaining ?? 0;
  }

  /** Resting orders of `side` in priority order (tests, snapshots; allocates). */
  restingOrders(side: Side): { id: number; account: number; price: number; qty: number; remaining: number }[] {
    const s = side === Side.Buy ? this.bids : this.asks;
    const out: { id: number; account: number; price: number; qty: number; remaining: number }[] = [];
    for (let i = s.size - 1; i >= 0; i--) {
      for (let o = s.levels[i]!.head; o !== null; o = o.next) {
        out.push({ id: o.id, account: o.account, price: o.price, qty: o.qty, remaining: o.remaining });
      }
    }
    return out;
  }

  /**
   * 16 hex chars over every resting order in priority order (bids best first, then asks best
   * first; per order: id, side, price, remaining). Same commands replayed -> same hash.
   */
  stateHash(): string {
    const h = new StateHasher();
    for (const s of [this.bids, this.asks]) {
      for (let i = s.size - 1; i >= 0; i--) {
        for (let o = s.levels[i]!.head; o !== null; o = o.next) {
          h.add(o.id);
          h.add(o.side);
          h.add(o.price);
          h.add(o.remaining);
        }
      }
    }
    return h.hex();
  }

  /** Throws on any broken invariant; for tests and debugging (O(orders)). */
  validateInternalState(): void {
    let seen = 0;
    for (const s of [this.bids, this.asks]) {
      s.validate();
      for (let i = 0; i < s.size; i++) seen += this.validateLevel(s.side, s.levels[i]!);
    }
    if (seen !== this.orders.size) throw new Error(`engine: ${seen} orders in levels but ${this.orders.size} in id map`);
    const bb = this.bestBid();
    const ba = this.bestAsk();
    if (bb !== 0 && ba !== 0 && bb >= ba) throw new Error(`engine: crossed book ${bb} >= ${ba}`);
  }

  private validateLevel(side: Side, lvl: PriceLevel): number {
    if (lvl.count === 0 || lvl.head === null) throw new Error(`engine: empty level ${lvl.price} left in book`);
    let n = 0;
    let sum = 0;
    let prev: RestingOrder | null = null;
    for (let o: RestingOrder | null = lvl.head; o !== null; o = o.next) {
      if (o.prev !== prev) throw new Error(`engine: broken prev link at order ${o.id}`);
      if (o.level !== lvl || o.side !== side || o.price !== lvl.price) throw new Error(`engine: order ${o.id} misplaced`);
      if (!(o.remaining > 0) || o.remaining !== o.qty - o.filled) throw new Error(`engine: order ${o.id} bad quantities`);
      if (this.orders.get(o.id) !== o) throw new Error(`engine: order ${o.id} not in id map`);
      sum += o.remaining;
      n++;
      prev = o;
    }
    if (lvl.tail !== prev) throw new Error(`engine: level ${lvl.price} tail mismatch`);
    if (n !== lvl.count) throw new Error(`engine: level ${lvl.price} count ${lvl.count} != ${n}`);
    if (sum !== lvl.total) throw new Error(`engine: level ${lvl.price} total ${lvl.total} != ${sum}`);
    return n;
  }
}
