import { ErrorCode, OrderType, Side, TimeInForce, wallClockUs } from '@tickmesh/shared';
import type { ResumedOrder, VenueExecution, VenueOrderRequest } from '../venue-adapter';
import { fromUnits, toUnits, unitStep } from '../live/exact-units';
import type { LiveVenueLog } from '../live/live-venue-config';
import type { VenueOrderEntry } from '../live/order-entry-venue';
import { ReconcileGate } from '../live/reconcile-gate';
import { SingleFlight } from '../live/single-flight';
import { bookFill, trackOrder, type FillLedger, type TrackedOrder } from '../live/tracked-orders';
import { tradeIdOf } from './ccxt-book-sync';
import { reconcileCcxt } from './ccxt-reconcile';
import { decimalOf, type CcxtMarket } from './ccxt-symbols';
import { describeError, type CcxtExchange, type CcxtTrade } from './ccxt-wire';

const DEFAULT_CLIENT_ID_PREFIX = 'tm-';
const E8 = unitStep('0.00000001')!;

/** What the adapter tracks of an order it sent: the venue's order id once it is known. */
export interface CcxtTrackedOrder extends TrackedOrder<CcxtMarket> {
  venueOrderId: string | undefined;
  /** createOrder sent and not answered: reconciliation must not close it as unknown yet. */
  inFlight: boolean;
  /** When we sent it (ms), for fetchMyTrades' `since`; 0 for orders handed back at a restart. */
  sentMs: number;
}

export interface CcxtOrdersOptions {
  venue: string;
  exchange: CcxtExchange;
  /** Keys are configured on the exchange; false = market data only (VENUE_NO_CREDENTIALS). */
  hasKeys: boolean;
  markets: readonly CcxtMarket[];
  clientIdPrefix?: string;
  /** Open orders are polled this often (ccxt's REST: fills arrive at most this late). Default 1000 ms. */
  pollMs?: number;
  nowUs?: () => number;
  log: LiveVenueLog;
  scrub: (err: unknown) => string;
  noteRateLimited: () => void;
}

/**
 * Order entry through ccxt's unified REST calls: createOrder with our client order id,
 * cancelOrder, and execution reports from polling (fetchOpenOrders, fetchClosedOrders,
 * fetchMyTrades) while an order is open, which is also the reconciliation after a restart —
 * the one way every ccxt exchange can report, whatever its private WebSocket offers. A fill
 * is booked once by its venue trade id. What ccxt says the venue lacks (its
 * `features.spot.createOrder`, `has`) is refused here with a VENUE_UNSUPPORTED_* code, never sent.
 */
export class CcxtOrders implements VenueOrderEntry {
  private readonly listeners: ((e: VenueExecution) => void)[] = [];
  readonly orders = new Map<string, CcxtTrackedOrder>();
  /** Orders seen at the venue that we never sent (operator alerts). */
  readonly unknownOrders: string[] = [];
  private readonly prefix: string;
  private readonly nowUs: () => number;
  private readonly ledger: FillLedger<CcxtTrackedOrder>;
  private readonly gate = new ReconcileGate<CcxtTrackedOrder>();
  private handedBack = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Every market is read at the next pass (start, resume): foreign orders are found there. */
  private fullPass = true;
  /** Reconciliation passes completed. */
  reconciliations = 0;
  /** The last pass reached the venue (orders go over REST: this is what "order session up" means here). */
  reachable = false;
  private readonly reconciler = new SingleFlight(async () => {
    const read = this.gate.pending();
    const full = this.fullPass;
    this.fullPass = false;
    try {
      await reconcileCcxt(this, full);
    } catch (err) {
      if (full) this.fullPass = true;
      throw err;
    }
    this.reconciliations++;
    this.gate.release(read);
  });

  constructor(readonly options: CcxtOrdersOptions) {
    this.prefix = options.clientIdPrefix ?? DEFAULT_CLIENT_ID_PREFIX;
    this.nowUs = options.nowUs ?? wallClockUs;
    this.ledger = { venue: options.venue, log: options.log, accept: (t, timeUs) => this.accept(t, timeUs), emit: (e) => this.emit(e) };
  }

  get exchange(): CcxtExchange {
    return this.options.exchange;
  }

  get markets(): readonly CcxtMarket[] {
    return this.options.markets;
  }

  get log(): LiveVenueLog {
    return this.options.log;
  }

  start(): void {
    if (!this.options.hasKeys) return;
    const every = this.options.pollMs ?? 1000;
    this.timer = setInterval(() => {
      if (this.fullPass || [...this.orders.values()].some((t) => !t.terminal)) void this.reconcile();
    }, every);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    if (this.gate.size > 0) this.options.log.warn({ venue: this.options.venue, orders: this.gate.size }, `${this.options.venue} stopped before every handed-back order was reconciled; cancels held for them were not sent`);
  }

  onExecution(listener: (e: VenueExecution) => void): void {
    this.listeners.push(listener);
  }

  submit(order: VenueOrderRequest): void {
    const market = this.options.markets.find((m) => m.instrument.symbol === order.symbol);
    const refuse = (code: string) => this.later({ ...blank(order.orderId, this.nowUs()), kind: 'rejected', reasonCode: code });
    if (!market) return refuse(ErrorCode.VENUE_UNKNOWN);
    if (!this.options.hasKeys) return refuse(ErrorCode.VENUE_NO_CREDENTIALS);
    const req = this.createArgs(order, market);
    if (typeof req === 'string') return refuse(req);
    const t: CcxtTrackedOrder = { ...trackOrder(order, market), venueOrderId: undefined, inFlight: true, sentMs: Math.floor(this.nowUs() / 1000) };
    this.orders.set(order.orderId, t);
    this.exchange.createOrder(market.ccxtSymbol, req.type, req.side, req.amount, req.price, req.params).then(
      (o) => {
        t.inFlight = false;
        if (o.id) t.venueOrderId = String(o.id);
        if (o.status === 'rejected') return this.end(t, 'rejected', ErrorCode.VENUE_REJECTED, this.nowUs(), `${this.options.venue} rejected`);
        this.accept(t, this.nowUs());
        // Fills (FULL responses, IOC/market orders) and closes come from the next pass, by trade id.
        void this.reconcile();
      },
      (err: unknown) => {
        t.inFlight = false;
        const kind = describeError(err);
        if (kind.rateLimited) {
          this.options.noteRateLimited();
          return this.end(t, 'rejected', ErrorCode.VENUE_RATE_LIMITED, this.nowUs(), this.options.scrub(err));
        }
        // Sent but unanswered: the order may exist. The next pass finds it by our client order id, or closes it as unknown.
        if (kind.network) return void this.reconcile();
        this.end(t, 'rejected', ErrorCode.VENUE_REJECTED, this.nowUs(), this.options.scrub(err));
      },
    );
  }

  cancel(orderId: string): void {
    const t = this.orders.get(orderId);
    if (!t || t.terminal || !this.options.hasKeys) {
      this.later({ ...blank(orderId, this.nowUs()), kind: 'cancel-rejected', reasonCode: !this.options.hasKeys ? ErrorCode.VENUE_NO_CREDENTIALS : ErrorCode.VENUE_ORDER_NOT_FOUND });
      return;
    }
    if (this.gate.defer(t, () => this.cancel(orderId))) return;
    if (!t.venueOrderId) {
      // Not acknowledged yet: its venue id comes with the answer or the next pass; try again then.
      setTimeout(() => !this.stopped && !t.terminal && this.cancel(orderId), this.options.pollMs ?? 1000);
      return;
    }
    this.exchange.cancelOrder(t.venueOrderId, t.market.ccxtSymbol).then(
      // The pass books any fill that came before the cancel, then reports the close.
      () => void this.reconcile(),
      (err: unknown) => {
        if (t.terminal) return;
        const kind = describeError(err);
        if (kind.rateLimited) this.options.noteRateLimited();
        // Gone already (filled or canceled meanwhile): the pass says which.
        if (kind.orderNotFound) return void this.reconcile();
        this.emit({ ...blank(orderId, this.nowUs()), kind: 'cancel-rejected', leavesQty: t.request.qty - t.filledQty, reasonCode: kind.rateLimited ? ErrorCode.VENUE_RATE_LIMITED : ErrorCode.VENUE_REJECTED, reason: this.options.scrub(err) });
      },
    );
  }

  /** No in-place amend through ccxt's unified API for every venue: the OMS sees a cancel-reject. */
  replace(orderId: string): void {
    this.later({ ...blank(orderId, this.nowUs()), kind: 'cancel-rejected', reasonCode: ErrorCode.VENUE_UNSUPPORTED_REPLACE });
  }

  resume(orders: readonly ResumedOrder[]): void {
    this.handedBack = true;
    this.fullPass = true;
    for (const o of orders) {
      const market = this.options.markets.find((m) => m.instrument.symbol === o.symbol);
      const t: CcxtTrackedOrder = { ...trackOrder(o, market!, o), venueOrderId: undefined, inFlight: false, sentMs: 0 };
      this.orders.set(o.orderId, t);
      if (!market || !this.options.hasKeys) this.end(t, 'canceled', market ? ErrorCode.VENUE_NO_CREDENTIALS : ErrorCode.VENUE_UNKNOWN);
      else this.gate.hold(t);
    }
    void this.reconcile();
  }

  /** One of our client order ids before the OMS handed its open orders back: not yet unknown. */
  notYetHandedBack(clientOrderId: string): boolean {
    return !this.handedBack && this.orderIdOf(clientOrderId) !== undefined;
  }

  /** Books a venue trade once (by its id) on the order it belongs to. */
  fill(t: CcxtTrackedOrder, tr: CcxtTrade): boolean {
    if (tr.id === undefined) return false;
    return bookFill(
      t,
      { tradeId: tradeIdOf(String(tr.id)), price: decimalOf(tr.price) ?? '', qty: decimalOf(tr.amount), maker: tr.takerOrMaker === 'maker', fee: feeE8(tr, t.market), timeUs: Math.round((tr.timestamp ?? this.nowUs() / 1000) * 1000) },
      this.ledger,
    );
  }

  accept(t: CcxtTrackedOrder, timeUs: number): void {
    if (t.accepted) return;
    t.accepted = true;
    this.emit({ ...blank(t.request.orderId, timeUs), kind: 'accepted', price: t.request.price, qty: t.request.qty, leavesQty: t.request.qty });
  }

  end(t: CcxtTrackedOrder, kind: 'canceled' | 'expired' | 'rejected', reasonCode: string, timeUs = this.nowUs(), reason?: string): void {
    if (t.terminal) return;
    t.terminal = true;
    this.emit({ ...blank(t.request.orderId, timeUs), kind, leavesQty: 0, reasonCode, reason });
  }

  /** The next pass reads every market (after a reconnect, a restart). */
  reconcileAll(): void {
    this.fullPass = true;
    void this.reconcile();
  }

  get reconciling(): boolean {
    return this.reconciler.busy;
  }

  private async reconcile(): Promise<void> {
    if (!this.options.hasKeys || this.stopped) return;
    try {
      await this.reconciler.run();
      this.reachable = true;
    } catch (err) {
      this.reachable = false;
      const kind = describeError(err);
      if (kind.rateLimited) this.options.noteRateLimited();
      this.options.log.warn({ venue: this.options.venue, error: kind.kind, why: this.options.scrub(err) }, `${this.options.venue} reconciliation failed; retried at the next poll`);
    }
  }

  /** ccxt's createOrder arguments, or the VENUE_* code we refuse with. */
  private createArgs(o: VenueOrderRequest, m: CcxtMarket): { type: string; side: string; amount: number; price: number | undefined; params: Record<string, unknown> } | string {
    const ex = this.exchange;
    const tifs = ex.features?.spot?.createOrder?.timeInForce ?? {};
    const side = o.side === Side.Buy ? 'buy' : 'sell';
    const amount = Number(fromUnits(o.qty, m.size));
    const params: Record<string, unknown> = { clientOrderId: this.clientId(o.orderId) };
    if (o.type === OrderType.Market) {
      if (o.postOnly) return ErrorCode.VENUE_UNSUPPORTED_TIME_IN_FORCE;
      if (!ex.has.createMarketOrder) return ErrorCode.VENUE_UNSUPPORTED_ORDER_TYPE;
      return { type: 'market', side, amount, price: undefined, params };
    }
    if (o.type !== OrderType.Limit) return ErrorCode.VENUE_UNSUPPORTED_ORDER_TYPE;
    if (ex.has.createLimitOrder === false) return ErrorCode.VENUE_UNSUPPORTED_ORDER_TYPE;
    if (m.minNotionalE8 > 0) {
      const notionalE8 = toUnits(fromUnits(o.price, m.price), E8)! * Number(fromUnits(o.qty, m.size));
      if (notionalE8 < m.minNotionalE8) return ErrorCode.VENUE_MIN_NOTIONAL;
    }
    const price = Number(fromUnits(o.price, m.price));
    if (o.postOnly) {
      if (o.timeInForce !== TimeInForce.GTC || !tifs.PO) return ErrorCode.VENUE_UNSUPPORTED_TIME_IN_FORCE;
      return { type: 'limit', side, amount, price, params: { ...params, postOnly: true } };
    }
    const tif = o.timeInForce === TimeInForce.GTC ? 'GTC' : o.timeInForce === TimeInForce.IOC ? 'IOC' : o.timeInForce === TimeInForce.FOK ? 'FOK' : undefined;
    // GTC is every venue's default; IOC and FOK only where ccxt says the venue has them.
    if (!tif || (tif !== 'GTC' && !tifs[tif])) return ErrorCode.VENUE_UNSUPPORTED_TIME_IN_FORCE;
    return { type: 'limit', side, amount, price, params: tif === 'GTC' ? params : { ...params, timeInForce: tif } };
  }

  clientId(orderId: string): string {
    return `${this.prefix}${orderId}`;
  }

  orderIdOf(clientOrderId: string | undefined): string | undefined {
    return clientOrderId?.startsWith(this.prefix) ? clientOrderId.slice(this.prefix.length) : undefined;
  }

  private later(e: VenueExecution): void {
    queueMicrotask(() => this.emit(e));
  }

  private emit(e: VenueExecution): void {
    for (const l of this.listeners) l(e);
  }
}

function blank(orderId: string, timeUs: number): Omit<VenueExecution, 'kind'> {
  return { orderId, price: 0, qty: 0, leavesQty: 0, tradeId: 0, liquidityMaker: false, fee: 0, reasonCode: '', timeUs };
}

/** A trade's fee in quote units × 1e-8: exact in the quote asset, valued at the price in the base asset, 0 in any other. */
function feeE8(tr: CcxtTrade, m: CcxtMarket): number {
  const cost = tr.fee?.cost;
  if (!cost) return 0;
  const e8 = toUnits(decimalOf(cost) ?? '', E8) ?? Math.round(cost * 1e8);
  if (tr.fee?.currency === m.instrument.quote) return e8;
  if (tr.fee?.currency === m.instrument.base) return Math.round(e8 * tr.price);
  return 0;
}
