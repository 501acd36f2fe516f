import { ErrorCode, OrderType, Side, TimeInForce, wallClockUs } from '@tickmesh/shared';
import type { ResumedOrder, VenueExecution, VenueOrderRequest } from '../venue-adapter';
import type { BackoffOptions } from '../live/backoff';
import { fromUnits, toUnits, unitStep } from '../live/exact-units';
import type { LiveVenueLog } from '../live/live-venue-config';
import type { VenueCredentials } from '../live/venue-credentials';
import { BinanceApiError, BinanceWsApi } from './binance-ws-api';
import { reconcileBinance } from './binance-reconcile';
import type { BinanceMarket } from './binance-symbols';
import type { ExecutionReportEvent } from './binance-wire';
import { ReconcileGate } from '../live/reconcile-gate';
import { SingleFlight } from '../live/single-flight';
import { bookFill, trackOrder, type FillLedger, type TrackedOrder } from '../live/tracked-orders';

/** Our client order ids on Binance: the prefix + the OMS order id (Binance allows [A-Za-z0-9-_]{1,36}). */
const DEFAULT_CLIENT_ID_PREFIX = 'tm-';
const FEE_STEP = unitStep('0.00000001')!;

export interface BinanceOrdersOptions {
  wsApiUrl: string;
  credentials: VenueCredentials | undefined;
  markets: readonly BinanceMarket[];
  clientIdPrefix?: string;
  backoff?: BackoffOptions;
  silenceMs?: number;
  nowUs?: () => number;
  log: LiveVenueLog;
}

/** What the adapter tracks of an order it sent (no more than every venue tracks: Binance finds orders by our client order id). */
export type BinanceTrackedOrder = TrackedOrder<BinanceMarket>;

/**
 * Order entry on Binance Spot through the WebSocket API: `order.place` / `order.cancel`,
 * execution reports from the user data stream on the same session, and reconciliation after
 * every (re)connect. Checks Binance would refuse anyway (order types it lacks, notional below
 * its minimum) are refused here with a VENUE_* code and never sent.
 */
export class BinanceOrders {
  private readonly listeners: ((e: VenueExecution) => void)[] = [];
  readonly orders = new Map<string, BinanceTrackedOrder>();
  private readonly api: BinanceWsApi | undefined;
  private readonly nowUs: () => number;
  /** Orders seen at the venue that we never sent (operator alerts; see reconcileBinance). */
  readonly unknownOrders: string[] = [];
  private readonly prefix: string;
  /** The OMS has handed back the orders its journal left open (see notYetHandedBack). */
  private handedBack = false;
  /** Reconciliations run (one per session open, and one per resume). */
  reconciliations = 0;
  private readonly ledger: FillLedger<BinanceTrackedOrder>;
  /** Cancels of handed-back orders wait for the order's reconciliation (the session may not be up yet). */
  private readonly gate = new ReconcileGate<BinanceTrackedOrder>();
  private readonly reconciler = new SingleFlight(async () => {
    const read = this.gate.pending();
    await reconcileBinance(this.api!, this, this.options.markets, this.options.log, () => Math.floor(this.nowUs() / 1000));
    this.reconciliations++;
    this.gate.release(read);
  });

  constructor(private readonly options: BinanceOrdersOptions) {
    this.nowUs = options.nowUs ?? wallClockUs;
    this.prefix = options.clientIdPrefix ?? DEFAULT_CLIENT_ID_PREFIX;
    this.ledger = { venue: 'binance', log: options.log, accept: (t, timeUs) => this.accept(t, timeUs), emit: (e) => this.emit(e) };
    if (options.credentials) {
      this.api = new BinanceWsApi({
        url: options.wsApiUrl,
        credentials: options.credentials,
        backoff: options.backoff,
        silenceMs: options.silenceMs,
        onOpen: () => void this.sessionOpen(),
        onDown: (why) => options.log.warn({ venue: 'binance', why }, 'binance order session down; reconciling when it is back'),
        onEvent: (event) => {
          if (event.e === 'executionReport') this.onReport(event as unknown as ExecutionReportEvent);
        },
      });
    }
  }

  get session(): BinanceWsApi | undefined {
    return this.api;
  }

  start(): void {
    this.api?.start();
  }

  async stop(): Promise<void> {
    if (this.gate.size > 0) this.options.log.warn({ venue: 'binance', orders: this.gate.size }, 'binance stopped before every handed-back order was reconciled; cancels held for them were not sent');
    await this.api?.stop();
  }

  onExecution(listener: (e: VenueExecution) => void): void {
    this.listeners.push(listener);
  }

  submit(order: VenueOrderRequest): void {
    const market = this.options.markets.find((m) => m.instrument.symbol === order.symbol);
    const refuse = (code: string) => this.later({ ...blank(order.orderId, this.nowUs()), kind: 'rejected', leavesQty: 0, reasonCode: code });
    if (!market) return refuse(ErrorCode.VENUE_UNKNOWN);
    if (!this.api) return refuse(ErrorCode.VENUE_NO_CREDENTIALS);
    const params = this.placeParams(order, market);
    if (typeof params === 'string') return refuse(params);
    const tracked = trackOrder(order, market);
    this.orders.set(order.orderId, tracked);
    this.api.signed('order.place', params, Math.floor(this.nowUs() / 1000)).catch((err: BinanceApiError) => {
      // Sent but unanswered (session lost, timeout): the order may exist; reconciliation decides
      // (at once when the session is up, else when it reopens).
      if (err.outcomeUnknown) {
        if (this.api?.isOpen) void this.reconcile();
        return;
      }
      this.end(tracked, 'rejected', err.code, this.nowUs(), venueReason(err));
    });
  }

  cancel(orderId: string): void {
    const t = this.orders.get(orderId);
    if (!t || t.terminal || !this.api) {
      this.later({ ...blank(orderId, this.nowUs()), kind: 'cancel-rejected', leavesQty: 0, reasonCode: !this.api ? ErrorCode.VENUE_NO_CREDENTIALS : ErrorCode.VENUE_ORDER_NOT_FOUND });
      return;
    }
    // Handed back at a restart and not read at the venue yet: sent once it has been (never refused for a session still coming up).
    if (this.gate.defer(t, () => this.cancel(orderId))) return;
    this.api
      .signed('order.cancel', { symbol: t.market.exchangeSymbol, origClientOrderId: this.clientId(orderId) }, Math.floor(this.nowUs() / 1000))
      .catch((err: BinanceApiError) => {
        if (t.terminal) return; // filled or canceled meanwhile: the report said so
        this.emit({ ...blank(orderId, this.nowUs()), kind: 'cancel-rejected', leavesQty: t.request.qty - t.filledQty, reasonCode: err.code, reason: venueReason(err) });
      });
  }

  /** Binance Spot has no in-place replace of price and quantity; the OMS sees a cancel-reject. */
  replace(orderId: string): void {
    this.later({ ...blank(orderId, this.nowUs()), kind: 'cancel-rejected', leavesQty: 0, reasonCode: ErrorCode.VENUE_UNSUPPORTED_REPLACE });
  }

  /**
   * Orders open in the journal at a restart: tracked again with the trade ids already booked,
   * then reconciled (now if the session is up, else when it opens). Without keys they cannot
   * be asked about: each is closed with VENUE_NO_CREDENTIALS rather than shown open forever.
   * A cancel of one of them before its reconciliation is held and sent after it (or, if the
   * venue shows the order closed, answered by that close).
   */
  resume(orders: readonly ResumedOrder[]): void {
    this.handedBack = true;
    for (const o of orders) {
      const market = this.options.markets.find((m) => m.instrument.symbol === o.symbol);
      const t = trackOrder(o, market!, o);
      this.orders.set(o.orderId, t);
      if (!market || !this.api) this.end(t, 'canceled', market ? ErrorCode.VENUE_NO_CREDENTIALS : ErrorCode.VENUE_UNKNOWN);
      else this.gate.hold(t);
    }
    if (this.api?.isOpen) void this.reconcile();
  }

  /**
   * True for one of our client order ids before the OMS handed back its open orders (resume, at
   * every start): it may be one the journal holds (after a restart or a takeover), so it is not
   * yet unknown. Afterwards only orders we never sent are.
   */
  notYetHandedBack(clientOrderId: string): boolean {
    return !this.handedBack && this.orderIdOf(clientOrderId) !== undefined;
  }

  /** One executionReport: maps back by our client order id, books each trade id once. */
  onReport(r: ExecutionReportEvent): void {
    const id = this.orderIdOf(r.x === 'CANCELED' && r.C ? r.C : r.c);
    const t = id !== undefined ? this.orders.get(id) : undefined;
    if (!t) {
      if (!this.unknownOrders.includes(r.c) && !this.notYetHandedBack(r.c)) {
        this.unknownOrders.push(r.c);
        this.options.log.error({ venue: 'binance', clientOrderId: r.c, code: ErrorCode.VENUE_UNKNOWN_ORDER }, 'binance reports an order Tickmesh did not send');
      }
      return;
    }
    const timeUs = r.T * 1000;
    const leaves = (): number => Math.max(0, t.request.qty - t.filledQty);
    switch (r.x) {
      case 'NEW':
        this.accept(t, timeUs);
        return;
      case 'TRADE':
        this.fill(t, r.t, r.L, r.l, r.m, r.n, r.N, timeUs);
        return;
      case 'CANCELED':
        return this.end(t, 'canceled', '', timeUs);
      case 'EXPIRED':
      case 'TRADE_PREVENTION':
        return this.end(t, 'expired', r.x === 'TRADE_PREVENTION' ? 'VENUE_SELF_TRADE_PREVENTED' : '', timeUs);
      case 'REJECTED':
        return this.end(t, 'rejected', ErrorCode.VENUE_REJECTED, timeUs, `binance ${r.r}`);
      default:
        this.options.log.warn({ venue: 'binance', execType: r.x, leaves: leaves() }, 'binance execution type not handled');
    }
  }

  /** Books a fill once; false when the trade id was booked already (or the fill is off the tick/lot grid). */
  fill(t: BinanceTrackedOrder, tradeId: number, price: string, qty: string, maker: boolean, commission: string, commissionAsset: string | null, timeUs: number): boolean {
    return bookFill(t, { tradeId, price, qty, maker, fee: feeInQuote(commission, commissionAsset, t.market, price), timeUs }, this.ledger);
  }

  accept(t: BinanceTrackedOrder, timeUs: number): void {
    if (t.accepted) return;
    t.accepted = true;
    this.emit({ ...blank(t.request.orderId, timeUs), kind: 'accepted', price: t.request.price, qty: t.request.qty, leavesQty: t.request.qty });
  }

  end(t: BinanceTrackedOrder, kind: 'canceled' | 'expired' | 'rejected', reasonCode: string, timeUs = this.nowUs(), reason?: string): void {
    if (t.terminal) return;
    t.terminal = true;
    this.emit({ ...blank(t.request.orderId, timeUs), kind, leavesQty: 0, reasonCode, reason });
  }

  private async sessionOpen(): Promise<void> {
    try {
      await this.api!.signed('userDataStream.subscribe.signature', {}, Math.floor(this.nowUs() / 1000));
    } catch (err) {
      this.options.log.error({ venue: 'binance', code: (err as BinanceApiError).code }, 'binance user data subscription failed; retrying with a new session');
      this.api!.restart('user data subscription failed');
      return;
    }
    await this.reconcile();
  }

  /** A reconciliation is running now (a pass started before a drop must not be taken for one after it). */
  get reconciling(): boolean {
    return this.reconciler.busy;
  }

  /** One reconciliation at a time; a request while one runs runs again after it (it may have missed new orders). */
  private async reconcile(): Promise<void> {
    try {
      await this.reconciler.run();
    } catch (err) {
      this.options.log.error({ venue: 'binance', code: (err as BinanceApiError).code }, 'binance reconciliation failed; retrying with a new session');
      this.api!.restart('reconciliation failed');
    }
  }

  /** Binance's order.place parameters, or the VENUE_* code we refuse with. */
  private placeParams(o: VenueOrderRequest, m: BinanceMarket): Record<string, string | number> | string {
    const base = { symbol: m.exchangeSymbol, side: o.side === Side.Buy ? 'BUY' : 'SELL', quantity: fromUnits(o.qty, m.size), newClientOrderId: this.clientId(o.orderId), newOrderRespType: 'ACK' };
    if (o.type === OrderType.Market) {
      if (o.postOnly) return ErrorCode.VENUE_UNSUPPORTED_TIME_IN_FORCE;
      return m.orderTypes.includes('MARKET') ? { ...base, type: 'MARKET' } : ErrorCode.VENUE_UNSUPPORTED_ORDER_TYPE;
    }
    if (o.type !== OrderType.Limit) return ErrorCode.VENUE_UNSUPPORTED_ORDER_TYPE;
    const notionalE8 = toUnits(fromUnits(o.price, m.price), FEE_STEP)! * Number(fromUnits(o.qty, m.size));
    if (m.minNotionalE8 > 0 && notionalE8 < m.minNotionalE8) return ErrorCode.VENUE_MIN_NOTIONAL;
    const price = fromUnits(o.price, m.price);
    if (o.postOnly) {
      // LIMIT_MAKER is Binance's post-only: refused by the venue if it would take.
      if (o.timeInForce !== TimeInForce.GTC) return ErrorCode.VENUE_UNSUPPORTED_TIME_IN_FORCE;
      return m.orderTypes.includes('LIMIT_MAKER') ? { ...base, type: 'LIMIT_MAKER', price } : ErrorCode.VENUE_UNSUPPORTED_ORDER_TYPE;
    }
    const tif = o.timeInForce === TimeInForce.GTC ? 'GTC' : o.timeInForce === TimeInForce.IOC ? 'IOC' : o.timeInForce === TimeInForce.FOK ? 'FOK' : undefined;
    if (!tif) return ErrorCode.VENUE_UNSUPPORTED_TIME_IN_FORCE;
    return { ...base, type: 'LIMIT', timeInForce: tif, price };
  }

  /** Our client order id for an OMS order id. */
  clientId(orderId: string): string {
    return `${this.prefix}${orderId}`;
  }

  /** The OMS order id of one of our client order ids; undefined for anyone else's. */
  orderIdOf(clientOrderId: string): string | undefined {
    return clientOrderId.startsWith(this.prefix) ? clientOrderId.slice(this.prefix.length) : undefined;
  }

  private later(e: VenueExecution): void {
    queueMicrotask(() => this.emit(e));
  }

  private emit(e: VenueExecution): void {
    for (const l of this.listeners) l(e);
  }
}


/** Binance's own code and text, kept for the trader: "binance -2010 Account has insufficient balance…". */
function venueReason(err: BinanceApiError): string {
  return err.venueCode !== 0 ? `binance ${err.venueCode} ${err.venueMsg}` : err.venueMsg;
}

function blank(orderId: string, timeUs: number): Omit<VenueExecution, 'kind'> {
  return { orderId, price: 0, qty: 0, leavesQty: 0, tradeId: 0, liquidityMaker: false, fee: 0, reasonCode: '', timeUs };
}

/**
 * A fill's commission in quote units × 1e-8 (VenueExecution.fee). Quote-asset commissions are
 * exact; a base-asset one is valued at the fill price; any other asset (BNB discounts) is
 * reported as 0 here and logged by the caller's journal of the raw report.
 */
export function feeInQuote(commission: string, asset: string | null, m: BinanceMarket, price: string): number {
  const fee = toUnits(commission, FEE_STEP);
  if (fee === undefined || fee === 0) return 0;
  if (asset === m.instrument.quote) return fee;
  if (asset === m.instrument.base) return Math.round(fee * Number(price));
  return 0;
}
