import {
  accountExposure,
  Algo,
  applyReport,
  emptySymbolExposure,
  ExecType,
  OrderStatus,
  tallyOpenOrder,
  TimeInForce,
  type AccountExposure,
  type ExecutionReportMsg,
  type Order,
  type OrderIntent,
  type SymbolExposure,
} from '@tickmesh/shared';

const TERMINAL: ReadonlySet<OrderStatus> = new Set([OrderStatus.Denied, OrderStatus.Rejected, OrderStatus.Filled, OrderStatus.Canceled, OrderStatus.Expired]);

/** True while the order may still trade (every status but the terminal ones, as the relay's table has it). */
export function isOpenStatus(status: OrderStatus): boolean {
  return !TERMINAL.has(status);
}

/**
 * A parent order (SOR across venues, or an algo) never trades itself: its children do. The
 * relay's rule (relay/src/oms/order-record.ts isParentIntent), needed here so a fill is booked
 * once (on the child) and exposure counts only venue-facing orders, as the relay's risk does.
 */
export function isParentOrder(o: Pick<Order, 'parentOrderId' | 'algo' | 'venue'>): boolean {
  return o.parentOrderId === '' && (o.algo !== Algo.None || o.venue === '');
}

/**
 * The account's orders as the worker knows them (REST snapshot + execution reports), keyed by
 * orderId, with the set changed since the last frame. Fields a report does not carry
 * (time in force, post-only, display qty, duration) come from what the worker sent or the
 * REST snapshot.
 */
export class OrderBlotter {
  private readonly byId = new Map<string, Order>();
  /** Top-level orders by their current client order id (cancel and replace name orders so). */
  private readonly byClientId = new Map<string, Order>();
  private readonly changed = new Set<Order>();

  get size(): number {
    return this.byId.size;
  }

  /** Every order held (live objects: do not keep or mutate). */
  values(): IterableIterator<Order> {
    return this.byId.values();
  }

  /** The top-level order with this client order id. */
  byClientOrderId(clientOrderId: string): Order | undefined {
    return this.byClientId.get(clientOrderId);
  }

  /**
   * Merges the REST snapshot: an order is taken unless the worker already holds a newer
   * state of it (a report that overtook the query).
   */
  load(orders: readonly Order[]): void {
    for (const o of orders) {
      const held = this.byId.get(o.orderId);
      if (held !== undefined && held.updatedUs > o.updatedUs) continue;
      if (held !== undefined && held.clientOrderId !== o.clientOrderId) this.byClientId.delete(held.clientOrderId);
      const copy = { ...o };
      this.byId.set(o.orderId, copy);
      this.index(copy);
      this.changed.add(copy);
    }
  }

  /**
   * Applies one execution report. `sent` is the intent the worker sent for that client order
   * id, if any: it fills in what reports do not carry. Returns the updated order.
   */
  apply(r: ExecutionReportMsg, sent?: OrderIntent): Order {
    let o = this.byId.get(r.orderId);
    if (o === undefined) {
      o = {
        account: r.account,
        clientOrderId: r.clientOrderId,
        symbol: r.symbol,
        venue: r.venue,
        side: r.side,
        orderType: r.orderType,
        timeInForce: sent?.timeInForce ?? TimeInForce.GTC,
        price: r.price,
        qty: r.qty,
        postOnly: sent?.postOnly ?? false,
        algo: r.algo,
        displayQty: sent?.displayQty ?? 0,
        durationMs: sent?.durationMs ?? 0,
        orderId: r.orderId,
        parentOrderId: r.parentOrderId,
        status: r.status,
        filledQty: 0,
        cumNotional: 0,
        fees: 0,
        reasonCode: '',
        createdUs: r.timeUs,
        updatedUs: r.timeUs,
      };
      this.byId.set(r.orderId, o);
    }
    if (o.parentOrderId === '' && r.execType !== ExecType.PendingReplace && o.clientOrderId !== r.clientOrderId) {
      if (this.byClientId.get(o.clientOrderId) === o) this.byClientId.delete(o.clientOrderId);
    }
    o.venue = r.venue;
    o.side = r.side;
    o.orderType = r.orderType;
    o.algo = r.algo;
    applyReport(o, r);
    this.index(o);
    this.changed.add(o);
    return o;
  }

  /**
   * Records a request the relay refused with an Error before any order existed (e.g.
   * OMS_DUPLICATE_CLIENT_ORDER_ID, AUTH_FORBIDDEN): a Denied order with that code and no
   * orderId, so the blotter shows why nothing happened.
   */
  deniedRequest(intent: OrderIntent, code: string, timeUs: number): Order {
    const o: Order = { ...intent, orderId: '', parentOrderId: '', status: OrderStatus.Denied, filledQty: 0, cumNotional: 0, fees: 0, reasonCode: code, createdUs: timeUs, updatedUs: timeUs };
    // Keyed apart from relay orders: a refused request never gets an orderId.
    this.byId.set(`local:${intent.clientOrderId}:${timeUs}`, o);
    this.changed.add(o);
    return o;
  }

  /** Marks `order` changed with `code` as its reason (a refused cancel or replace of it). */
  refused(order: Order, code: string, timeUs: number): void {
    order.reasonCode = code;
    order.updatedUs = timeUs;
    this.changed.add(order);
  }

  /** Copies of the orders changed since the last call. */
  takeChanged(): Order[] {
    if (this.changed.size === 0) return [];
    const out: Order[] = [];
    for (const o of this.changed) out.push({ ...o });
    this.changed.clear();
    return out;
  }

  /**
   * The account's venue-facing open exposure in `symbol` as the relay's risk computes it: the
   * open orders tallied per symbol as its OMS does, folded with the shared `accountExposure`
   * (per `symbol` the open lots and own best prices, NaN when none; account-wide the open order
   * count and the open buy notional valued by `buyNotional`, normally
   * `tallyNotional(instrumentOf)`). Position is 0: the blotter holds orders, not fills.
   */
  exposure(symbol: string, buyNotional: (symbol: string, ticksTimesLots: number) => number): AccountExposure {
    const tallies = new Map<string, SymbolExposure>();
    for (const o of this.byId.values()) {
      if (o.orderId === '' || !isOpenStatus(o.status) || isParentOrder(o)) continue;
      let t = tallies.get(o.symbol);
      if (t === undefined) tallies.set(o.symbol, (t = emptySymbolExposure()));
      tallyOpenOrder(t, o);
    }
    return accountExposure(symbol, tallies.keys(), (s) => tallies.get(s) ?? emptySymbolExposure(), buyNotional);
  }

  clear(): void {
    this.byId.clear();
    this.byClientId.clear();
    this.changed.clear();
  }

  private index(o: Order): void {
    if (o.parentOrderId === '' && o.orderId !== '') this.byClientId.set(o.clientOrderId, o);
  }
}
