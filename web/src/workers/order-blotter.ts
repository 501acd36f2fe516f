import {
  accountExposure,
  Algo,
  applyReport,
  orderIntent,
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
import { LOCAL_DENIALS_KEPT, type BlotterOrder } from './terminal-api';

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

/** Options of `OrderBlotter`. */
export interface OrderBlotterOptions {
  /** Refused requests (Denied rows without a relay order) kept; the oldest goes first. Default `LOCAL_DENIALS_KEPT` (50). */
  maxLocalDenials?: number;
}

/**
 * The account's orders as the worker knows them (REST snapshot + execution reports), keyed by
 * orderId, with the set changed since the last frame. Fields a report does not carry
 * (time in force, post-only, display qty, duration) come from what the worker sent or the
 * REST snapshot. Requests refused before any relay order existed are held too, as Denied rows
 * keyed apart from relay orders (no orderId), at most `maxLocalDenials` of them.
 */
export class OrderBlotter {
  private readonly byId = new Map<string, BlotterOrder>();
  /** Top-level orders by their current client order id (cancel and replace name orders so). */
  private readonly byClientId = new Map<string, BlotterOrder>();
  private readonly changed = new Set<BlotterOrder>();
  /** Keys of the local denials held, oldest first. */
  private readonly localKeys: string[] = [];
  private localSeq = 0;
  private readonly maxLocalDenials: number;

  constructor(options: OrderBlotterOptions = {}) {
    this.maxLocalDenials = Math.max(1, options.maxLocalDenials ?? LOCAL_DENIALS_KEPT);
  }

  get size(): number {
    return this.byId.size;
  }

  /** Every order held (live objects: do not keep or mutate). */
  values(): IterableIterator<BlotterOrder> {
    return this.byId.values();
  }

  /** The top-level order with this client order id. */
  byClientOrderId(clientOrderId: string): BlotterOrder | undefined {
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
      // REST carries the code's text; from a relay that sends codes only, a text already held for the same code stays.
      const reason = o.reason || (held !== undefined && held.reasonCode === o.reasonCode ? held.reason : '');
      const copy: BlotterOrder = { ...o, reason, local: false };
      this.byId.set(o.orderId, copy);
      this.index(copy);
      this.changed.add(copy);
    }
  }

  /**
   * Applies one execution report. `sent` is the intent the worker sent for that client order
   * id, if any: it fills in what reports do not carry. Returns the updated order.
   */
  apply(r: ExecutionReportMsg, sent?: OrderIntent): BlotterOrder {
    let o = this.byId.get(r.orderId);
    if (o === undefined) {
      o = {
        account: r.account,
        clientOrderId: r.clientOrderId,
        symbol: r.symbol,
        venue: r.venue,
        side: r.side,
        orderType: r.orderType,
        timeInForce: r.timeInForce,
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
        reason: '',
        local: false,
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
    // The text goes with the code, as the shared applyReport keeps it (a cancel reject's is the request's).
    if (r.execType !== ExecType.CancelRejected) o.reason = r.reasonCode === '' ? '' : r.reason;
    this.index(o);
    this.changed.add(o);
    return o;
  }

  /**
   * Records a request refused before any order existed: by the worker's own pre-trade check
   * (nothing was sent) or by the relay with an Error (e.g. OMS_DUPLICATE_CLIENT_ORDER_ID,
   * AUTH_FORBIDDEN). A Denied row with that code and text and no orderId, so the blotter shows
   * why nothing happened; past `maxLocalDenials` the oldest such row is dropped.
   */
  deniedRequest(intent: OrderIntent, code: string, timeUs: number, reason = ''): BlotterOrder {
    const o: BlotterOrder = {
      ...orderIntent(intent, intent.account),
      orderId: '',
      parentOrderId: '',
      status: OrderStatus.Denied,
      filledQty: 0,
      cumNotional: 0,
      fees: 0,
      reasonCode: code,
      reason,
      local: true,
      createdUs: timeUs,
      updatedUs: timeUs,
    };
    // Keyed apart from relay orders (whose ids never start so): a refused request never gets an orderId.
    const key = `local:${++this.localSeq}`;
    this.byId.set(key, o);
    this.localKeys.push(key);
    this.changed.add(o);
    while (this.localKeys.length > this.maxLocalDenials) {
      const old = this.byId.get(this.localKeys[0]!);
      this.byId.delete(this.localKeys.shift()!);
      if (old !== undefined) this.changed.delete(old);
    }
    return o;
  }

  /** Marks `order` changed with `code` (and its text) as its reason: a refused cancel or replace of it. */
  refused(order: BlotterOrder, code: string, timeUs: number, reason = ''): void {
    order.reasonCode = code;
    order.reason = reason;
    order.updatedUs = timeUs;
    this.changed.add(order);
  }

  /** Copies of the orders changed since the last call. */
  takeChanged(): BlotterOrder[] {
    if (this.changed.size === 0) return [];
    const out: BlotterOrder[] = [];
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
    this.localKeys.length = 0;
  }

  private index(o: BlotterOrder): void {
    if (o.parentOrderId === '' && o.orderId !== '') this.byClientId.set(o.clientOrderId, o);
  }
}
