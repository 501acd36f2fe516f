import { createHash } from 'node:crypto';
import { ErrorCode, OrderType, wallClockUs } from '@tickmesh/shared';
import type { ResumedOrder, VenueExecution, VenueOrderRequest } from '../venue-adapter';
import { Backoff } from '../live/backoff';
import { fromUnits, toUnits } from '../live/exact-units';
import { silentLog, type LiveVenueLog } from '../live/live-venue-config';
import { VenueHttp } from '../live/venue-http';
import { VenueSocket } from '../live/venue-socket';
import { KrakenSigner } from './kraken-auth';
import {
  addOrderParams, feeE8, parseExecutionsFrame, type AddOrderResult, type AmendOrderResult, type CancelOrderResult, type ExecutionReport, type WsTokenResult,
} from './kraken-order-wire';
import { KrakenPrivateRest, type KrakenApiError } from './kraken-private-rest';
import { reconcileKraken, settleOrder } from './kraken-reconcile';
import type { KrakenMarket } from './kraken-symbols';
import { rfc3339Us } from './kraken-wire';
import { ReconcileGate } from '../live/reconcile-gate';
import { SingleFlight } from '../live/single-flight';
import type { LiveOrdersOptions } from '../live/live-orders-options';
import { bookFill, trackOrder, type FillLedger, type TrackedOrder, type VenueFill } from '../live/tracked-orders';

const DEFAULT_CLIENT_ID_PREFIX = 'tm-';
/** Kraken's free-text cl_ord_id is at most 18 characters; a longer id goes as a 32-hex "short UUID". */
const MAX_FREE_TEXT_ID = 18;

/** Options of {@link KrakenOrders}. */
export interface KrakenOrdersOptions extends LiveOrdersOptions<KrakenMarket> {
  /** The authenticated WebSocket v2 (production wss://ws-auth.kraken.com/v2), carrying `executions`. */
  authWsUrl?: string;
}

/** What the adapter tracks of an order it sent, beyond what every venue tracks. */
export interface KrakenTrackedOrder extends TrackedOrder<KrakenMarket> {
  /** Kraken's txid ("OQCLML-BW3P3-BUCMWZ"), once known. */
  venueOrderId: string | undefined;
  /** An AmendOrder in flight; `lost` when it got no answer (reconciliation compares the venue's order with it). */
  amend: { price: number; qty: number; lost: boolean } | undefined;
}

/**
 * Order entry on Kraken Spot: AddOrder / CancelOrder / AmendOrder over signed REST (API-Key,
 * API-Sign, increasing nonce), order events and per-fill reports (trade id, price, quantity,
 * fee, maker/taker) from the WebSocket v2 `executions` channel, subscribed with a token from
 * GetWebSocketsToken fetched anew for every connection, and reconciliation after every
 * subscription and every resume(). A call that got no answer is flagged outcome-unknown and
 * reconciled at once. What Kraken Spot lacks (FOK, Day, post-only other than GTC limits,
 * replacing a market order) is refused here with a VENUE_* code and never sent. Reports are
 * delivered on a microtask or later, never inside submit().
 */
export class KrakenOrders {
  private readonly listeners: ((r: VenueExecution) => void)[] = [];
  readonly orders = new Map<string, KrakenTrackedOrder>();
  /** Client order ids of venue orders we never sent (operator alerts, VENUE_UNKNOWN_ORDER). */
  readonly unknownOrders: string[] = [];
  /** The OMS has handed back the orders its journal left open (see notYetHandedBack). */
  private handedBack = false;
  readonly http: VenueHttp;
  readonly signer: KrakenSigner | undefined;
  private readonly rest: KrakenPrivateRest;
  private readonly socket: VenueSocket | undefined;
  private readonly nowUs: () => number;
  private readonly prefix: string;
  private readonly log: LiveVenueLog;
  /** cl_ord_id -> order id for ids sent hashed, and txid -> order id. */
  private readonly byClientId = new Map<string, string>();
  private readonly byVenueId = new Map<string, string>();
  private token = '';
  private reqId = 0;
  private execSeq = -1;
  /** Cancels and amends of handed-back orders wait for the order's reconciliation (its fills and size at the venue unknown until then). */
  private readonly gate = new ReconcileGate<KrakenTrackedOrder>();
  private readonly reconciler = new SingleFlight(async () => {
    const read = this.gate.pending();
    await reconcileKraken(this, this.log);
    this.reconciliations++;
    this.gate.release(read);
  });
  /** Reconciliations completed (one per executions subscription, one per resume, one per lost answer). */
  reconciliations = 0;
  /** WebSocket tokens fetched (one per executions connection). */
  tokensFetched = 0;
  private readonly retryBackoff: Backoff;
  private retryTimer: NodeJS.Timeout | undefined;
  private pinger: NodeJS.Timeout | undefined;
  private readonly ledger: FillLedger<KrakenTrackedOrder>;

  constructor(private readonly options: KrakenOrdersOptions) {
    this.nowUs = options.nowUs ?? wallClockUs;
    this.prefix = options.clientIdPrefix ?? DEFAULT_CLIENT_ID_PREFIX;
    this.log = options.log ?? silentLog;
    this.ledger = { venue: 'kraken', log: this.log, accept: (t, timeUs) => this.accept(t, timeUs), emit: (e) => this.emit(e) };
    this.http = new VenueHttp({ baseUrl: options.restUrl ?? 'https://api.kraken.com' });
    this.retryBackoff = new Backoff(options.backoff);
    if (options.credentials) {
      this.signer = KrakenSigner.from(options.credentials);
      if (!this.signer) this.log.error({ venue: 'kraken', code: ErrorCode.VENUE_NO_CREDENTIALS }, 'kraken API secret is not base64; orders refused');
    }
    this.rest = new KrakenPrivateRest(this.http, this.signer);
    if (this.signer && options.authWsUrl) {
      this.socket = new VenueSocket({
        // Asked on every connect: each connection subscribes with a fresh token.
        url: async () => {
          try {
            this.token = (await this.call<WsTokenResult>('GetWebSocketsToken', {})).token;
          } catch (err) {
            const e = err as KrakenApiError;
            this.log.error({ venue: 'kraken', code: e.code, reason: e.reason }, 'kraken WebSocket token not issued; executions connection retried after a backoff');
            throw err;
          }
          this.tokensFetched++;
          return options.authWsUrl!;
        },
        silenceMs: options.silenceMs ?? 5000,
        backoff: options.backoff,
        onOpen: (s) => this.executionsOpen(s),
        onMessage: (text) => this.onExecutionsMessage(text),
        onDown: (why) => this.log.warn({ venue: 'kraken', why }, 'kraken executions channel down; reconciling when it is back'),
      });
    }
  }

  get executionsSocket(): VenueSocket | undefined {
    return this.socket;
  }

  start(): void {
    if (!this.socket) return;
    this.socket.start();
    // Kraken sends heartbeats while subscribed; a ping too keeps a quiet account's channel from looking dead.
    const every = Math.max(1000, Math.floor((this.options.silenceMs ?? 5000) / 3));
    this.pinger = setInterval(() => this.socket?.send(JSON.stringify({ method: 'ping', req_id: ++this.reqId })), every);
    this.pinger.unref();
  }

  async stop(): Promise<void> {
    clearTimeout(this.retryTimer);
    clearInterval(this.pinger);
    if (this.gate.size > 0) this.log.warn({ venue: 'kraken', orders: this.gate.size }, 'kraken stopped before every handed-back order was reconciled; cancels and amends held for them were not sent');
    await this.socket?.stop();
  }

  onExecution(listener: (r: VenueExecution) => void): void {
    this.listeners.push(listener);
  }

  submit(order: VenueOrderRequest): void {
    const refuse = (code: string, reason?: string) => this.later({ ...blank(order.orderId, this.nowUs()), kind: 'rejected', reasonCode: code, reason });
    if (!this.signer) return refuse(ErrorCode.VENUE_NO_CREDENTIALS, this.options.credentials ? 'kraken: the API secret is not base64' : 'kraken: no API keys configured (market data only)');
    const market = this.options.markets?.find((m) => m.instrument.symbol === order.symbol);
    if (!market) return refuse(ErrorCode.VENUE_UNKNOWN);
    const params = addOrderParams(order, market);
    if (typeof params === 'string') return refuse(params);
    const t: KrakenTrackedOrder = { ...trackOrder(order, market), venueOrderId: undefined, amend: undefined };
    this.orders.set(order.orderId, t);
    this.call<AddOrderResult>('AddOrder', { ...params, cl_ord_id: this.clientId(order.orderId) }).then(
      (res) => {
        if (res.txid?.[0]) this.knowVenueId(t, res.txid[0]);
        this.accept(t, this.nowUs());
      },
      (err: KrakenApiError) => {
        // Sent but unanswered: the order may exist; reconciliation decides (now, or when the channel reopens).
        if (err.outcomeUnknown) return this.reconcileIfUp();
        this.end(t, 'rejected', err.code, this.nowUs(), err.reason);
      },
    );
  }

  cancel(orderId: string): void {
    const t = this.orders.get(orderId);
    if (!this.signer || !t || t.terminal) {
      const code = !this.signer ? ErrorCode.VENUE_NO_CREDENTIALS : ErrorCode.VENUE_UNKNOWN_ORDER;
      this.later({ ...blank(orderId, this.nowUs()), kind: 'cancel-rejected', leavesQty: t ? Math.max(0, t.request.qty - t.filledQty) : 0, reasonCode: code });
      return;
    }
    // Handed back at a restart and not read at the venue yet: sent once it has been.
    if (this.gate.defer(t, () => this.cancel(orderId))) return;
    this.call<CancelOrderResult>('CancelOrder', this.idParam(t)).then(
      // Canceled: the channel reports it; the order is read now too, so the cancel never hangs on a lost event.
      () => this.refresh(t),
      (err: KrakenApiError) => {
        if (!t.terminal) this.emit({ ...blank(orderId, this.nowUs()), kind: 'cancel-rejected', leavesQty: t.request.qty - t.filledQty, reasonCode: err.code, reason: err.reason });
        if (err.outcomeUnknown) this.reconcileIfUp();
      },
    );
  }

  /** AmendOrder: price and total quantity in place, the ids kept (queue priority where Kraken can keep it). */
  replace(orderId: string, price: number, qty: number): void {
    const t = this.orders.get(orderId);
    const refuse = (code: string, reason?: string) => this.later({ ...blank(orderId, this.nowUs()), kind: 'cancel-rejected', leavesQty: t ? Math.max(0, t.request.qty - t.filledQty) : 0, reasonCode: code, reason });
    if (!this.signer) return refuse(ErrorCode.VENUE_NO_CREDENTIALS);
    if (!t || t.terminal) return refuse(ErrorCode.VENUE_UNKNOWN_ORDER);
    if (t.request.type !== OrderType.Limit || !(Number.isSafeInteger(price) && price > 0 && Number.isSafeInteger(qty) && qty > 0)) return refuse(ErrorCode.VENUE_UNSUPPORTED_REPLACE);
    if (this.gate.defer(t, () => this.replace(orderId, price, qty))) return;
    if (t.amend) return refuse(ErrorCode.VENUE_UNSUPPORTED_REPLACE, 'kraken: one amend at a time');
    t.amend = { price, qty, lost: false };
    const params = { ...this.idParam(t), order_qty: fromUnits(qty, t.market.size), limit_price: fromUnits(price, t.market.price), ...(t.request.postOnly ? { post_only: true } : {}) };
    this.call<AmendOrderResult>('AmendOrder', params).then(
      () => this.settleAmend(t, price, qty),
      (err: KrakenApiError) => {
        if (err.outcomeUnknown && t.amend) {
          t.amend.lost = true;
          return this.reconcileIfUp();
        }
        t.amend = undefined;
        if (!t.terminal) this.emit({ ...blank(orderId, this.nowUs()), kind: 'cancel-rejected', leavesQty: t.request.qty - t.filledQty, reasonCode: err.code, reason: err.reason });
      },
    );
  }

  /**
   * Orders open in the journal at a restart: tracked again with their booked trade ids, then
   * reconciled. A cancel or amend of one before its reconciliation is held and sent after it
   * (or, if the venue shows the order closed, answered by that close).
   */
  resume(orders: readonly ResumedOrder[]): void {
    this.handedBack = true;
    for (const o of orders) {
      const market = this.options.markets?.find((m) => m.instrument.symbol === o.symbol);
      const t: KrakenTrackedOrder = { ...trackOrder(o, market!, o), venueOrderId: undefined, amend: undefined };
      this.orders.set(o.orderId, t);
      this.clientId(o.orderId);
      if (!market || !this.signer) this.end(t, 'canceled', market ? ErrorCode.VENUE_NO_CREDENTIALS : ErrorCode.VENUE_UNKNOWN);
      else this.gate.hold(t);
    }
    this.reconcileIfUp();
  }

  /** Books one fill once (by Kraken's trade id); false when booked already or off the tick/lot grid. A fee Kraken charged in an asset without a quote value is booked as 0. */
  fill(t: KrakenTrackedOrder, f: Omit<VenueFill, 'fee'> & { fee: number | undefined }): boolean {
    const booked = bookFill(t, { ...f, fee: f.fee ?? 0 }, this.ledger);
    if (booked && f.fee === undefined) this.log.warn({ venue: 'kraken', tradeId: f.tradeId }, 'kraken fill fee in an asset without a quote value; booked as 0');
    return booked;
  }

  accept(t: KrakenTrackedOrder, timeUs: number): void {
    if (t.accepted || t.terminal) return;
    t.accepted = true;
    this.emit({ ...blank(t.request.orderId, timeUs), kind: 'accepted', price: t.request.price, qty: t.request.qty, leavesQty: t.request.qty - t.filledQty });
  }

  end(t: KrakenTrackedOrder, kind: 'canceled' | 'expired' | 'rejected', reasonCode: string, timeUs = this.nowUs(), reason?: string): void {
    if (t.terminal) return;
    t.terminal = true;
    t.amend = undefined;
    this.emit({ ...blank(t.request.orderId, timeUs), kind, reasonCode, reason });
  }

  /** The venue's order now has `price` and `qty`: the amend in flight with those values is done (reported once). */
  settleAmend(t: KrakenTrackedOrder, price: number | undefined, qty: number | undefined): void {
    const a = t.amend;
    if (!a || a.price !== price || a.qty !== qty) return;
    t.amend = undefined;
    t.request = { ...t.request, price: a.price, qty: a.qty };
    if (t.terminal) return;
    this.emit({ ...blank(t.request.orderId, this.nowUs()), kind: 'replaced', price: a.price, qty: a.qty, leavesQty: Math.max(0, a.qty - t.filledQty) });
  }

  /** A lost amend the venue's order does not show: the order is unchanged (OMS: cancel-reject). */
  amendLost(t: KrakenTrackedOrder): void {
    if (!t.amend?.lost) return;
    t.amend = undefined;
    this.emit({ ...blank(t.request.orderId, this.nowUs()), kind: 'cancel-rejected', leavesQty: Math.max(0, t.request.qty - t.filledQty), reasonCode: ErrorCode.VENUE_UNREACHABLE, reason: 'kraken: the amend got no answer and the order is unchanged' });
  }

  knowVenueId(t: KrakenTrackedOrder, txid: string): void {
    t.venueOrderId ??= txid;
    this.byVenueId.set(txid, t.request.orderId);
  }

  /** A signed private call (see KrakenPrivateRest.call). */
  call<T>(method: string, params: Record<string, unknown>): Promise<T> {
    return this.rest.call<T>(method, params);
  }

  /** The order's identifier for CancelOrder / AmendOrder: Kraken's txid once known, else our cl_ord_id. */
  private idParam(t: KrakenTrackedOrder): Record<string, string> {
    return t.venueOrderId ? { txid: t.venueOrderId } : { cl_ord_id: this.clientId(t.request.orderId) };
  }

  /** Our cl_ord_id for an OMS order id: the prefix + the id as free text, or its 32-hex hash when longer than Kraken allows. */
  clientId(orderId: string): string {
    const text = `${this.prefix}${orderId}`;
    if (text.length <= MAX_FREE_TEXT_ID) return text;
    const hashed = createHash('sha256').update(text).digest('hex').slice(0, 32);
    this.byClientId.set(hashed, orderId);
    return hashed;
  }

  orderIdOf(clientOrderId: string): string | undefined {
    const hashed = this.byClientId.get(clientOrderId);
    if (hashed !== undefined) return hashed;
    return clientOrderId.startsWith(this.prefix) ? clientOrderId.slice(this.prefix.length) : undefined;
  }

  /**
   * True for one of our client order ids before the OMS handed back its open orders (resume, at
   * every start): it may be one the journal holds (after a restart or a takeover), so it is not
   * yet unknown. Afterwards only orders we never sent are.
   */
  notYetHandedBack(clientOrderId: string): boolean {
    return !this.handedBack && this.orderIdOf(clientOrderId) !== undefined;
  }

  /** An order we do not know, seen at the venue: one operator alert per client order id. */
  alertUnknown(clientOrderId: string, pair: string | undefined): void {
    if (this.unknownOrders.includes(clientOrderId) || this.notYetHandedBack(clientOrderId)) return;
    this.unknownOrders.push(clientOrderId);
    this.log.error({ venue: 'kraken', pair, clientOrderId, code: ErrorCode.VENUE_UNKNOWN_ORDER }, 'kraken has an order Tickmesh did not send (operator alert)');
  }

  private refresh(t: KrakenTrackedOrder): void {
    settleOrder(this, t, undefined).catch(() => {
      // the channel, or the next reconciliation, brings the state
    });
  }

  private executionsOpen(s: VenueSocket): void {
    this.execSeq = -1;
    s.send(JSON.stringify({ method: 'subscribe', params: { channel: 'executions', token: this.token, snap_orders: true, snap_trades: false }, req_id: ++this.reqId }));
  }

  private onExecutionsMessage(text: string): void {
    const f = parseExecutionsFrame(text);
    if (!f || f.kind === 'other') return;
    if (f.kind === 'ack') {
      if (f.method !== 'subscribe' || (f.channel !== undefined && f.channel !== 'executions')) return;
      // Subscribed: from here on nothing is missed, so the state before is read now.
      if (f.success) return void this.reconcile();
      this.log.error({ venue: 'kraken', error: String(f.error ?? '').slice(0, 120) }, 'kraken refused the executions subscription; retrying with a new token');
      return this.retryLater('executions subscription refused');
    }
    if (f.sequence !== undefined) {
      // A lost message may have been a fill: a new connection (and token), then reconciliation.
      if (this.execSeq >= 0 && f.sequence !== this.execSeq + 1) {
        const last = this.execSeq;
        this.execSeq = -1;
        return this.socket?.restart(`executions gap after ${last}`);
      }
      this.execSeq = f.sequence;
    }
    for (const r of f.data) this.onReport(r, f.type === 'snapshot');
  }

  /** One execution report: mapped back by our cl_ord_id (else Kraken's txid), fills booked once by trade id. */
  private onReport(r: ExecutionReport, snapshot: boolean): void {
    const id = (r.cl_ord_id ? this.orderIdOf(r.cl_ord_id) : undefined) ?? this.byVenueId.get(r.order_id);
    const t = id !== undefined ? this.orders.get(id) : undefined;
    if (!t) {
      if (snapshot || r.exec_type === 'new' || r.exec_type === 'trade') this.alertUnknown(r.cl_ord_id || r.order_id, r.symbol);
      return;
    }
    this.knowVenueId(t, r.order_id);
    const timeUs = rfc3339Us(r.timestamp) ?? this.nowUs();
    const cum = r.cum_qty !== undefined ? toUnits(r.cum_qty, t.market.size) : undefined;
    switch (r.exec_type) {
      case 'new':
        return this.accept(t, timeUs);
      case 'trade':
        if (r.trade_id === undefined || r.last_price === undefined || r.last_qty === undefined) return this.reconcileIfUp();
        this.fill(t, { tradeId: r.trade_id, price: r.last_price, qty: r.last_qty, maker: r.liquidity_ind === 'm', fee: feeE8(r.fees, r.fee_usd_equiv, t.market, r.last_price), timeUs });
        return;
      case 'canceled':
      case 'expired':
        // Fills the channel did not bring are read first: reconciliation books them, then closes.
        if (cum !== undefined && cum > t.filledQty) return this.reconcileIfUp();
        return this.end(t, r.exec_type, '', timeUs, r.reason ? `kraken ${r.reason}` : undefined);
      case 'filled':
        if (cum !== undefined && cum > t.filledQty) this.reconcileIfUp();
        return;
      case 'amended':
        return this.settleAmend(t, r.limit_price !== undefined ? toUnits(r.limit_price, t.market.price) : t.request.price, r.order_qty !== undefined ? toUnits(r.order_qty, t.market.size) : t.request.qty);
      default:
        // A snapshot lists open orders: open means accepted; fills and closes come from reconciliation.
        if (snapshot && (r.order_status === 'new' || r.order_status === 'partially_filled')) this.accept(t, timeUs);
    }
  }

  private reconcileIfUp(): void {
    if (this.socket?.isOpen) void this.reconcile();
  }

  /** One reconciliation at a time; a request meanwhile runs another after it. */
  async reconcile(): Promise<void> {
    try {
      if (await this.reconciler.run()) this.retryBackoff.reset();
    } catch (err) {
      const e = err as KrakenApiError;
      this.log.error({ venue: 'kraken', code: e.code }, 'kraken reconciliation failed; retrying with a new executions connection');
      this.retryLater('reconciliation failed', e.retryAfterMs);
    }
  }

  /** A failure that a new connection may mend, after a growing delay (never at once: no hammering). */
  private retryLater(why: string, retryAfterMs = 0): void {
    const wait = this.retryBackoff.next(retryAfterMs);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.socket?.restart(why), wait);
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
