import { ErrorCode, OrderType, Side, TimeInForce, wallClockUs } from '@tickmesh/shared';
import type { ResumedOrder, VenueExecution, VenueOrderRequest } from '../venue-adapter';
import { Backoff } from '../live/backoff';
import { fromUnits, toUnits } from '../live/exact-units';
import { silentLog, type LiveVenueLog } from '../live/live-venue-config';
import { VenueHttp, VenueHttpError } from '../live/venue-http';
import { VenueSocket } from '../live/venue-socket';
import { CoinbaseSigner } from './coinbase-auth';
import type { BatchCancelResponse, CoinbaseFill, CoinbaseOrderStatus, CreateOrderResponse, UserMessage } from './coinbase-order-wire';
import { reconcileCoinbase } from './coinbase-reconcile';
import type { CoinbaseMarket } from './coinbase-symbols';
import { ReconcileGate } from '../live/reconcile-gate';
import { SingleFlight } from '../live/single-flight';
import type { LiveOrdersOptions } from '../live/live-orders-options';
import { bookFill, trackOrder, type FillLedger, type TrackedOrder } from '../live/tracked-orders';

const DEFAULT_CLIENT_ID_PREFIX = 'tm-';
const ORDERS = '/api/v3/brokerage/orders';

/** Options of {@link CoinbaseOrders}. */
export interface CoinbaseOrdersOptions extends LiveOrdersOptions<CoinbaseMarket> {
  /** The `user` channel's WebSocket (production: wss://advanced-trade-ws-user.coinbase.com). */
  userWsUrl?: string;
}

/** What the adapter tracks of an order it sent, beyond what every venue tracks. */
export interface CoinbaseTrackedOrder extends TrackedOrder<CoinbaseMarket> {
  /** Coinbase's order id, once known (the create answer, the user channel or reconciliation). */
  venueOrderId: string | undefined;
  /** Venue states of this order are applied one after another, in arrival order. */
  chain: Promise<void>;
}

/** The state of one order at the venue, from the user channel or REST. */
export interface VenueOrderState {
  orderId: string;
  status: CoinbaseOrderStatus;
  /** Base size filled so far (decimal string). */
  filled: string;
  reason: string;
}

/**
 * Order entry on Coinbase Advanced Trade: POST /api/v3/brokerage/orders and
 * …/orders/batch_cancel with a JWT per request (ES256 or EdDSA, by the key), order updates
 * from the `user` channel, and reconciliation after every (re)connect of that channel. The user channel
 * carries cumulative totals only, so each fill is read from …/orders/historical/fills when
 * an order's filled size grows, and booked once by trade id. What Coinbase lacks (post-only
 * other than GTC, Day, market post-only, replace) is refused here with a VENUE_* code and
 * never sent. Reports are delivered on a microtask or later, never inside submit().
 */
export class CoinbaseOrders {
  private readonly listeners: ((r: VenueExecution) => void)[] = [];
  readonly orders = new Map<string, CoinbaseTrackedOrder>();
  /** Client order ids of venue orders we never sent (operator alerts, VENUE_UNKNOWN_ORDER). */
  readonly unknownOrders: string[] = [];
  /** The OMS has handed back the orders its journal left open (see notYetHandedBack). */
  private handedBack = false;
  readonly http: VenueHttp;
  readonly signer: CoinbaseSigner | undefined;
  private readonly socket: VenueSocket | undefined;
  private readonly nowUs: () => number;
  private readonly prefix: string;
  private readonly log: LiveVenueLog;
  private readonly host: string;
  private userSeq = -1;
  /** Cancels of handed-back orders wait for the order's reconciliation: until then we have no Coinbase order id to cancel by. */
  private readonly gate = new ReconcileGate<CoinbaseTrackedOrder>();
  private readonly reconciler = new SingleFlight(async () => {
    const read = this.gate.pending();
    await reconcileCoinbase(this, this.log);
    this.reconciliations++;
    this.gate.release(read);
  });
  /** Reconciliations completed (one per user-channel open, one per resume). */
  reconciliations = 0;
  /** A failed reconciliation (401, 429, venue down) is retried on a new connection after a growing delay, never at once. */
  private readonly retryBackoff: Backoff;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly ledger: FillLedger<CoinbaseTrackedOrder>;

  constructor(private readonly options: CoinbaseOrdersOptions) {
    this.nowUs = options.nowUs ?? wallClockUs;
    this.prefix = options.clientIdPrefix ?? DEFAULT_CLIENT_ID_PREFIX;
    this.log = options.log ?? silentLog;
    this.ledger = { venue: 'coinbase', log: this.log, accept: (t, timeUs) => this.accept(t, timeUs), emit: (e) => this.emit(e) };
    const restUrl = options.restUrl ?? 'https://api.coinbase.com';
    this.host = new URL(restUrl).host;
    this.http = new VenueHttp({ baseUrl: restUrl });
    this.retryBackoff = new Backoff(options.backoff);
    if (options.credentials) {
      this.signer = CoinbaseSigner.from(options.credentials);
      if (!this.signer) this.log.error({ venue: 'coinbase', code: ErrorCode.VENUE_NO_CREDENTIALS }, 'coinbase API secret is neither an EC P-256 private key in PEM nor a base64 Ed25519 key (seed and public key); orders refused');
    }
    if (this.signer && options.userWsUrl) {
      this.socket = new VenueSocket({
        url: () => options.userWsUrl!,
        silenceMs: options.silenceMs ?? 5000,
        backoff: options.backoff,
        onOpen: (s) => void this.userOpen(s),
        onMessage: (text) => this.onUserMessage(text),
        onDown: (why) => this.log.warn({ venue: 'coinbase', why }, 'coinbase user channel down; reconciling when it is back'),
      });
    }
  }

  get userSocket(): VenueSocket | undefined {
    return this.socket;
  }

  start(): void {
    this.socket?.start();
  }

  async stop(): Promise<void> {
    clearTimeout(this.retryTimer);
    if (this.gate.size > 0) this.log.warn({ venue: 'coinbase', orders: this.gate.size }, 'coinbase stopped before every handed-back order was reconciled; cancels held for them were not sent');
    await this.socket?.stop();
  }

  onExecution(listener: (r: VenueExecution) => void): void {
    this.listeners.push(listener);
  }

  submit(order: VenueOrderRequest): void {
    const refuse = (code: string, reason?: string) => this.later({ ...blank(order.orderId, this.nowUs()), kind: 'rejected', reasonCode: code, reason });
    const market = this.options.markets?.find((m) => m.instrument.symbol === order.symbol);
    if (!this.signer) return refuse(ErrorCode.VENUE_NO_CREDENTIALS, this.options.credentials ? 'coinbase: the API secret is not a usable EC or Ed25519 key' : 'coinbase: no API keys configured (market data only)');
    if (!market) return refuse(ErrorCode.VENUE_UNKNOWN);
    const configuration = orderConfiguration(order, market);
    if (typeof configuration === 'string') return refuse(configuration);
    const t: CoinbaseTrackedOrder = { ...trackOrder(order, market), venueOrderId: undefined, chain: Promise.resolve() };
    this.orders.set(order.orderId, t);
    const body = { client_order_id: this.clientId(order.orderId), product_id: market.productId, side: order.side === Side.Buy ? 'BUY' : 'SELL', order_configuration: configuration };
    this.rest<CreateOrderResponse>('POST', ORDERS, body).then(
      (res) => {
        if (res.success) {
          t.venueOrderId ??= res.success_response?.order_id ?? res.order_id;
          this.accept(t, this.nowUs());
          return;
        }
        const e = res.error_response ?? {};
        const venueCode = e.new_order_failure_reason && e.new_order_failure_reason !== 'UNKNOWN_FAILURE_REASON' ? e.new_order_failure_reason : (e.error ?? res.failure_reason ?? 'UNKNOWN_FAILURE_REASON');
        this.end(t, 'rejected', ErrorCode.VENUE_REJECTED, this.nowUs(), `coinbase ${venueCode} ${e.message ?? ''}`.trim());
      },
      (err: unknown) => {
        // Sent but unanswered: the order may exist; reconciliation decides (now, or when the user channel reopens).
        if (err instanceof VenueHttpError && err.code === ErrorCode.VENUE_UNREACHABLE) {
          if (this.socket?.isOpen) void this.reconcile();
          return;
        }
        this.end(t, 'rejected', err instanceof VenueHttpError ? err.code : ErrorCode.VENUE_BAD_RESPONSE, this.nowUs(), venueReason(err));
      },
    );
  }

  cancel(orderId: string): void {
    const t = this.orders.get(orderId);
    // Handed back at a restart and not read at the venue yet (no Coinbase order id): sent once it has been.
    if (this.signer && t && !t.terminal && this.gate.defer(t, () => this.cancel(orderId))) return;
    if (!this.signer || !t || t.terminal || !t.venueOrderId) {
      const code = !this.signer ? ErrorCode.VENUE_NO_CREDENTIALS : t && !t.terminal ? ErrorCode.VENUE_ORDER_NOT_FOUND : ErrorCode.VENUE_UNKNOWN_ORDER;
      this.later({ ...blank(orderId, this.nowUs()), kind: 'cancel-rejected', leavesQty: t ? Math.max(0, t.request.qty - t.filledQty) : 0, reasonCode: code });
      return;
    }
    const cancelRejected = (code: string, reason: string) => {
      if (!t.terminal) this.emit({ ...blank(orderId, this.nowUs()), kind: 'cancel-rejected', leavesQty: t.request.qty - t.filledQty, reasonCode: code, reason });
    };
    this.rest<BatchCancelResponse>('POST', `${ORDERS}/batch_cancel`, { order_ids: [t.venueOrderId] }).then(
      (res) => {
        const r = res.results?.find((x) => x.order_id === t.venueOrderId);
        // Success: the user channel reports CANCELLED; read it now too, so the cancel never hangs on a lost update.
        if (r?.success) return this.refresh(t);
        cancelRejected(ErrorCode.VENUE_REJECTED, `coinbase ${r?.failure_reason ?? 'UNKNOWN_CANCEL_FAILURE_REASON'}`);
      },
      (err: unknown) => cancelRejected(err instanceof VenueHttpError ? err.code : ErrorCode.VENUE_BAD_RESPONSE, venueReason(err)),
    );
  }

  /** Coinbase's edit exists only for GTC limits and changes the order's queue rules: not offered; the OMS sees a cancel-reject. */
  replace(orderId: string, _price: number, _qty: number): void {
    this.later({ ...blank(orderId, this.nowUs()), kind: 'cancel-rejected', reasonCode: ErrorCode.VENUE_UNSUPPORTED_REPLACE });
  }

  /**
   * Orders open in the journal at a restart: tracked again with their booked trade ids, then
   * reconciled. A cancel of one before its reconciliation is held and sent after it (or, if
   * the venue shows the order closed, answered by that close).
   */
  resume(orders: readonly ResumedOrder[]): void {
    this.handedBack = true;
    for (const o of orders) {
      const market = this.options.markets?.find((m) => m.instrument.symbol === o.symbol);
      const t: CoinbaseTrackedOrder = { ...trackOrder(o, market!, o), venueOrderId: undefined, chain: Promise.resolve() };
      this.orders.set(o.orderId, t);
      if (!market || !this.signer) this.end(t, 'canceled', market ? ErrorCode.VENUE_NO_CREDENTIALS : ErrorCode.VENUE_UNKNOWN);
      else this.gate.hold(t);
    }
    if (this.socket?.isOpen) void this.reconcile();
  }

  /**
   * Applies one venue state of an order, after the states before it: accepted once, new
   * fills read from the fills endpoint and booked once by trade id, then the close.
   */
  apply(t: CoinbaseTrackedOrder, s: VenueOrderState): Promise<void> {
    t.venueOrderId ??= s.orderId;
    t.chain = t.chain.then(async () => {
      if (t.terminal) return;
      if (s.status === 'FAILED') return this.end(t, 'rejected', ErrorCode.VENUE_REJECTED, this.nowUs(), `coinbase ${s.reason || 'FAILED'}`);
      this.accept(t, this.nowUs());
      const filled = toUnits(s.filled || '0', t.market.size) ?? 0;
      if (filled > t.filledQty) await this.bookFills(t);
      if (s.status === 'CANCELLED') this.end(t, 'canceled', '');
      else if (s.status === 'EXPIRED') this.end(t, 'expired', '');
    }).catch((err: unknown) => {
      this.log.error({ venue: 'coinbase', orderId: t.request.orderId, code: (err as VenueHttpError).code }, 'coinbase order state not applied; reconciling');
      if (this.socket?.isOpen) void this.reconcile();
    });
    return t.chain;
  }

  /** Reads the order's fills and books those not booked yet, oldest first. */
  private async bookFills(t: CoinbaseTrackedOrder): Promise<void> {
    const res = await this.rest<{ fills?: CoinbaseFill[] }>('GET', `${ORDERS}/historical/fills`, undefined, `order_ids=${encodeURIComponent(t.venueOrderId!)}`);
    // Listed newest first; reversed, then a stable sort by time keeps the venue's order within one timestamp.
    const fills = [...(res.fills ?? [])].reverse().filter((f) => f.order_id === t.venueOrderId).sort((a, b) => (a.trade_time < b.trade_time ? -1 : a.trade_time > b.trade_time ? 1 : 0));
    for (const f of fills) this.fill(t, f);
  }

  /** Books one fill once; false when its trade id was booked already (or it is unreadable: a size in quote units, off the grid). */
  fill(t: CoinbaseTrackedOrder, f: CoinbaseFill): boolean {
    const timeUs = Date.parse(f.trade_time) * 1000;
    return bookFill(t, {
      tradeId: tradeIdNumber(f.trade_id),
      price: f.price,
      qty: f.size_in_quote ? undefined : f.size,
      maker: f.liquidity_indicator === 'MAKER',
      fee: decimalToE8(f.commission),
      timeUs: Number.isFinite(timeUs) ? timeUs : this.nowUs(),
    }, this.ledger);
  }

  accept(t: CoinbaseTrackedOrder, timeUs: number): void {
    if (t.accepted || t.terminal) return;
    t.accepted = true;
    this.emit({ ...blank(t.request.orderId, timeUs), kind: 'accepted', price: t.request.price, qty: t.request.qty, leavesQty: t.request.qty - t.filledQty });
  }

  end(t: CoinbaseTrackedOrder, kind: 'canceled' | 'expired' | 'rejected', reasonCode: string, timeUs = this.nowUs(), reason?: string): void {
    if (t.terminal) return;
    t.terminal = true;
    this.emit({ ...blank(t.request.orderId, timeUs), kind, reasonCode, reason });
  }

  /** A signed REST call; the JWT is made per request, as Coinbase requires. */
  async rest<T>(method: string, path: string, body?: unknown, query?: string): Promise<T> {
    const jwt = await this.signer!.jwt({ method, host: this.host, path });
    return this.http.request<T>(method, path, {
      query,
      headers: { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  clientId(orderId: string): string {
    return `${this.prefix}${orderId}`;
  }

  orderIdOf(clientOrderId: string): string | undefined {
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
  alertUnknown(clientOrderId: string, productId: string): void {
    if (this.unknownOrders.includes(clientOrderId) || this.notYetHandedBack(clientOrderId)) return;
    this.unknownOrders.push(clientOrderId);
    this.log.error({ venue: 'coinbase', productId, clientOrderId, code: ErrorCode.VENUE_UNKNOWN_ORDER }, 'coinbase has an order Tickmesh did not send (operator alert)');
  }

  private async refresh(t: CoinbaseTrackedOrder): Promise<void> {
    try {
      const res = await this.rest<{ order: { order_id: string; status: CoinbaseOrderStatus; filled_size: string; reject_reason?: string } }>('GET', `${ORDERS}/historical/${encodeURIComponent(t.venueOrderId!)}`);
      await this.apply(t, { orderId: res.order.order_id, status: res.order.status, filled: res.order.filled_size, reason: res.order.reject_reason ?? '' });
    } catch {
      // the user channel, or the next reconciliation, brings the state
    }
  }

  private async userOpen(s: VenueSocket): Promise<void> {
    this.userSeq = -1;
    const products = (this.options.markets ?? []).map((m) => m.productId);
    try {
      s.send(JSON.stringify({ type: 'subscribe', channel: 'heartbeats', jwt: await this.signer!.jwt() }));
      s.send(JSON.stringify({ type: 'subscribe', channel: 'user', product_ids: products, jwt: await this.signer!.jwt() }));
    } catch {
      return s.restart('user subscription not signed');
    }
    await this.reconcile();
  }

  private onUserMessage(text: string): void {
    let msg: UserMessage | { type?: string; channel?: string; sequence_num?: number; message?: string };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return;
    }
    if ('type' in msg && msg.type === 'error') {
      this.log.error({ venue: 'coinbase', message: String(msg.message ?? '').slice(0, 120) }, 'coinbase user channel refused a subscription');
      return;
    }
    if (typeof msg.sequence_num === 'number') {
      // A lost message may have been an order update: a new connection, then reconciliation.
      if (this.userSeq >= 0 && msg.sequence_num !== this.userSeq + 1) {
        const last = this.userSeq;
        this.userSeq = -1;
        return this.socket?.restart(`user channel gap after ${last}`);
      }
      this.userSeq = msg.sequence_num;
    }
    if (msg.channel !== 'user') return;
    for (const ev of (msg as UserMessage).events ?? []) {
      for (const o of ev.orders ?? []) {
        const id = this.orderIdOf(o.client_order_id);
        const t = id !== undefined ? this.orders.get(id) : undefined;
        if (!t) {
          if (o.status === 'OPEN' || o.status === 'PENDING' || ev.type === 'update') this.alertUnknown(o.client_order_id, o.product_id);
          continue;
        }
        void this.apply(t, { orderId: o.order_id, status: o.status, filled: o.cumulative_quantity, reason: o.reject_reason ?? '' });
      }
    }
  }

  /** One reconciliation at a time; a request meanwhile runs another after it. */
  async reconcile(): Promise<void> {
    try {
      if (await this.reconciler.run()) this.retryBackoff.reset();
    } catch (err) {
      const e = err as VenueHttpError;
      const wait = this.retryBackoff.next(e.retryAfterMs ?? 0);
      this.log.error({ venue: 'coinbase', code: e.code, retryInMs: wait }, 'coinbase reconciliation failed; retrying with a new user connection');
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => this.socket?.restart('reconciliation failed'), wait);
    }
  }

  private later(e: VenueExecution): void {
    queueMicrotask(() => this.emit(e));
  }

  private emit(e: VenueExecution): void {
    for (const l of this.listeners) l(e);
  }
}

/** Coinbase's order_configuration for an order, or the VENUE_* code we refuse it with. */
export function orderConfiguration(o: VenueOrderRequest, m: CoinbaseMarket): Record<string, Record<string, string | boolean>> | string {
  const base_size = fromUnits(o.qty, m.size);
  if (o.type === OrderType.Market) {
    if (o.postOnly) return ErrorCode.VENUE_UNSUPPORTED_TIME_IN_FORCE;
    if (o.timeInForce !== TimeInForce.IOC && o.timeInForce !== TimeInForce.GTC) return ErrorCode.VENUE_UNSUPPORTED_TIME_IN_FORCE;
    return { market_market_ioc: { base_size } };
  }
  if (o.type !== OrderType.Limit) return ErrorCode.VENUE_UNSUPPORTED_ORDER_TYPE;
  const limit_price = fromUnits(o.price, m.price);
  switch (o.timeInForce) {
    case TimeInForce.GTC:
      return { limit_limit_gtc: { base_size, limit_price, post_only: o.postOnly } };
    case TimeInForce.IOC:
      return o.postOnly ? ErrorCode.VENUE_UNSUPPORTED_TIME_IN_FORCE : { sor_limit_ioc: { base_size, limit_price } };
    case TimeInForce.FOK:
      return o.postOnly ? ErrorCode.VENUE_UNSUPPORTED_TIME_IN_FORCE : { limit_limit_fok: { base_size, limit_price } };
    default:
      return ErrorCode.VENUE_UNSUPPORTED_TIME_IN_FORCE;
  }
}

/**
 * Coinbase trade ids are strings (UUID-like on production): a decimal one is used as is, any
 * other is hashed (FNV-1a, 53 bits) to the number VenueExecution carries, the same each time.
 */
export function tradeIdNumber(id: string): number {
  if (/^\d{1,15}$/.test(id)) return Number(id);
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < id.length; i++) h = ((h ^ BigInt(id.charCodeAt(i))) * 0x100000001b3n) & 0xffffffffffffffffn;
  return Number(h & 0x1fffffffffffffn);
}

/** A decimal string in quote units × 1e-8, rounded half up past the 8th decimal (Coinbase commissions carry more). */
export function decimalToE8(value: string): number {
  if (!/^\d+(\.\d+)?$/.test(value)) return 0;
  const [whole, frac = ''] = value.split('.');
  const digits = BigInt(whole! + frac.padEnd(8, '0').slice(0, 8));
  const up = frac.length > 8 && frac.charCodeAt(8) >= 53 ? 1n : 0n;
  return Number(digits + up);
}

function venueReason(err: unknown): string {
  if (!(err instanceof VenueHttpError)) return 'coinbase: unreadable answer';
  let venue = '';
  try {
    const b = JSON.parse(err.venueBody) as { error?: string; message?: string };
    venue = [b.error, b.message].filter(Boolean).join(' ');
  } catch {
    venue = err.venueBody.replace(/[^\x20-\x7e]/g, '').slice(0, 120);
  }
  return `coinbase ${err.status || ''} ${venue}`.replace(/\s+/g, ' ').trim();
}

function blank(orderId: string, timeUs: number): Omit<VenueExecution, 'kind'> {
  return { orderId, price: 0, qty: 0, leavesQty: 0, tradeId: 0, liquidityMaker: false, fee: 0, reasonCode: '', timeUs };
}
