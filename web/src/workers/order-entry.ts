/*
 * Order entry and the live account it trades: new, cancel, replace and cancel-all requests
 * behind the shared pre-trade rules (or to the open replay's paper desk), the requests awaiting
 * the relay's answer, and the orders, fills, positions and risk limits that reports and the
 * REST loads build. Kept apart from the engine, which only carries the messages, so the order
 * walk's browser end reads in one place.
 */
import {
  ErrorCode,
  orderIntent,
  preTradeCheck,
  type ClientMsg,
  type ExecutionReportMsg,
  type Instrument,
  type OrderIntent,
} from '@tickmesh/shared';
import { AccountState } from './account-state';
import { OrderRequests } from './order-requests';
import { refused } from './place-result';
import { preTradeContext } from './pre-trade-context-builder';
import type { RelayRest, SymbolRiskInfo } from './relay-rest';
import type { ReplayDesk } from './replay-desk';
import type { StreamBooks } from './stream-books';
import type { PlaceResult, TicketOrder } from './terminal-api';

/** What order entry takes from the engine that carries its messages. */
export interface OrderEntryHost {
  /** The relay's Welcome arrived on the current connection. */
  welcomed(): boolean;
  /** The relay account and its role ('' before the first Welcome). */
  account(): string;
  role(): string;
  /** The REST client of the current connection (undefined when not connected). */
  rest(): RelayRest | undefined;
  /** The replay desk while replay mode is on: orders then go to paper trading. */
  paperDesk(): ReplayDesk | undefined;
  /** The live books (a halted stream refuses orders). */
  readonly books: StreamBooks;
  /** The instrument of a symbol, as the relay's risk looks it up: by symbol alone. */
  instrumentOf(symbol: string): Instrument | undefined;
  /** The price the pre-trade rules measure against (see MarketView.markOf). */
  referencePrice(symbol: string): number;
  send(msg: ClientMsg): boolean;
  nextRequestId(): number;
  /** Wall clock, ms since the Unix epoch. */
  now(): number;
}

export class OrderEntry {
  /** The relay account's orders and positions (reports from the relay). */
  readonly live = new AccountState();
  /** The relay's risk limits per symbol (REST). */
  private readonly risk = new Map<string, SymbolRiskInfo>();
  /** Order requests awaiting the relay's answer; its Errors land on the live blotter. */
  private readonly requests: OrderRequests;
  private readonly idPrefix: string;
  private clientIds = 0;
  /** REST loads finished (inspection). */
  restLoads = 0;

  /** `maxPendingRequests`: see TerminalEngineOptions. `random` seeds this worker's client-id prefix. */
  constructor(
    private readonly host: OrderEntryHost,
    maxPendingRequests: number,
    random: () => number,
  ) {
    this.requests = new OrderRequests(() => this.live.blotter, maxPendingRequests);
    this.idPrefix = `w${Math.floor(random() * 36 ** 4).toString(36)}`;
  }

  /** The relay's reference price of a symbol, from its risk limits. */
  referencePrice(symbol: string): number | undefined {
    return this.risk.get(symbol)?.referencePrice;
  }

  /**
   * Checks the order with the shared pre-trade rules (the relay's limits for the symbol, the
   * consolidated mid as reference, the worker's own position and open orders) and sends it.
   * `{ ok: true }` once sent; its fate arrives as order updates in frames (a relay Error for
   * it becomes a Denied order with the Error's code and message). A refusal by the rules here
   * is returned and kept as a Denied blotter row too (code, readable text, no orderId: nothing
   * reached the relay). An empty clientOrderId gets a fresh one.
   */
  place(order: TicketOrder): PlaceResult {
    const desk = this.host.paperDesk();
    if (desk) return desk.place({ ...order, account: 'paper', clientOrderId: order.clientOrderId || this.newClientId() });
    const blocked = this.tradingBlocked();
    if (blocked) return blocked;
    const intent: OrderIntent = { ...order, account: this.host.account(), clientOrderId: order.clientOrderId || this.newClientId() };
    const inst = this.host.instrumentOf(intent.symbol);
    if (inst === undefined) return this.deniedHere(intent, ErrorCode.RISK_UNKNOWN_INSTRUMENT, `unknown instrument ${intent.symbol}`);
    const check = preTradeCheck(intent, preTradeContext(this.riskView(inst)));
    if (!check.ok) return this.deniedHere(intent, check.reason.code, check.reason.message);
    const requestId = this.host.nextRequestId();
    this.requests.remember(requestId, { kind: 'new', intent });
    const { account: _account, ...fields } = orderIntent(intent, intent.account);
    this.host.send({ type: 'newOrder', requestId, ...fields });
    return { ok: true };
  }

  /** Sends a cancel of the order with this client id (no pre-check: cancels are always allowed). */
  cancel(clientOrderId: string): PlaceResult {
    const desk = this.host.paperDesk();
    if (desk) return desk.cancel(clientOrderId);
    const blocked = this.tradingBlocked();
    if (blocked) return blocked;
    const requestId = this.host.nextRequestId();
    this.requests.remember(requestId, { kind: 'cancel', origClientOrderId: clientOrderId });
    this.host.send({ type: 'cancelOrder', requestId, clientOrderId: this.newClientId(), origClientOrderId: clientOrderId });
    return { ok: true };
  }

  /**
   * Re-runs the pre-trade rules with the new price (ticks) and total qty (lots), the order
   * itself taken out of the exposure as the relay does, then sends the replace. The order
   * takes a new client id once the venue confirms (the blotter follows it by orderId).
   */
  replace(clientOrderId: string, price: number, qty: number): PlaceResult {
    if (this.host.paperDesk()) return refused(ErrorCode.OMS_REPLACE_NOT_SUPPORTED, 'paper orders are cancelled and placed again, not replaced');
    const blocked = this.tradingBlocked();
    if (blocked) return blocked;
    const order = this.live.blotter.byClientOrderId(clientOrderId);
    if (order === undefined) return refused(ErrorCode.OMS_UNKNOWN_ORDER, `no order ${clientOrderId}`);
    const inst = this.host.instrumentOf(order.symbol);
    if (inst === undefined) return refused(ErrorCode.RISK_UNKNOWN_INSTRUMENT, `unknown instrument ${order.symbol}`);
    if (!Number.isSafeInteger(qty) || qty <= order.filledQty) return refused(ErrorCode.RISK_INVALID_QTY, `new qty ${qty} must exceed the filled ${order.filledQty}`);
    const check = preTradeCheck({ ...order, price, qty }, preTradeContext(this.riskView(inst), order));
    if (!check.ok) {
      // The order stands as it was; its row says why the change was refused, as a relay refusal would.
      this.live.blotter.refused(order, check.reason.code, this.host.now() * 1000, check.reason.message);
      return refused(check.reason.code, check.reason.message);
    }
    const requestId = this.host.nextRequestId();
    this.requests.remember(requestId, { kind: 'replace', origClientOrderId: clientOrderId });
    this.host.send({ type: 'replaceOrder', requestId, clientOrderId: this.newClientId(), origClientOrderId: clientOrderId, price, qty });
    return { ok: true };
  }

  /** Cancels every open order of the account, or of one symbol. */
  cancelAll(symbol?: string): PlaceResult {
    const desk = this.host.paperDesk();
    if (desk) return desk.cancelAll(symbol);
    const blocked = this.tradingBlocked();
    if (blocked) return blocked;
    const requestId = this.host.nextRequestId();
    this.requests.remember(requestId, { kind: 'other' });
    this.host.send({ type: 'cancelAll', requestId, symbol: symbol ?? '' });
    return { ok: true };
  }

  /** An execution report of the relay (its first copy): settles its request and builds the account's orders and fills. */
  onReport(r: ExecutionReportMsg): void {
    const sent = this.requests.settled(r.requestId);
    const account = this.host.account();
    if (account !== '' && r.account !== account) return;
    this.live.applyReport(r, sent);
  }

  /** A relay Error: when it answers an order request of ours, the blotter shows it. */
  onRelayError(requestId: number, code: string, message: string): void {
    this.requests.refused(requestId, code, message, this.host.now() * 1000);
  }

  /** Loads risk limits, orders, fills and positions; true when the orders came. */
  async load(): Promise<boolean> {
    const rest = this.host.rest();
    if (rest === undefined) return false;
    const [limits, orders, fills, positions] = await Promise.allSettled([rest.riskLimits(), rest.orders(), rest.fills(), rest.positions()]);
    if (this.host.rest() !== rest) return false; // a newer connect() replaced this one
    if (limits.status === 'fulfilled') for (const s of limits.value) this.risk.set(s.symbol, s);
    const { blotter, ledger } = this.live;
    const account = this.host.account();
    if (orders.status === 'fulfilled') blotter.load(orders.value);
    if (fills.status === 'fulfilled') ledger.load(fills.value.filter((f) => f.account === account));
    // Positions are rebuilt from fills (see PositionLedger); the relay's own figures are the
    // fallback only when the fill list could not be read.
    else if (positions.status === 'fulfilled') ledger.seed(positions.value.filter((p) => p.account === account));
    this.restLoads++;
    return orders.status === 'fulfilled';
  }

  /**
   * After CLUSTER_REPORTS_GAP: the edge is back on NATS, but the OMS node may not be yet, so the
   * REST load is tried again (every 500 ms, 20 times) until the orders came.
   */
  async reloadAfterGap(): Promise<void> {
    for (let i = 0; i < 20 && this.host.rest() !== undefined; i++) {
      if (await this.load()) return;
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  private newClientId(): string {
    return `${this.idPrefix}-${this.host.now().toString(36)}-${(++this.clientIds).toString(36)}`;
  }

  private tradingBlocked(): PlaceResult | undefined {
    if (!this.host.welcomed()) return refused(ErrorCode.SESSION_NOT_READY, 'not connected to the relay');
    if (this.host.role() === 'viewer') return refused(ErrorCode.AUTH_FORBIDDEN, 'a viewer may not trade');
    return undefined;
  }

  /** A new order the worker's own pre-trade check refused: nothing is sent, the blotter gets a Denied row with the code and text. */
  private deniedHere(intent: OrderIntent, code: string, message: string): PlaceResult {
    this.live.blotter.deniedRequest(intent, code, this.host.now() * 1000, message);
    return refused(code, message);
  }

  private riskView(inst: Instrument) {
    const symbol = inst.symbol;
    let halted = false;
    for (const e of this.host.books.entries) if (e.instrument.symbol === symbol && e.stream.status === 'halted') halted = true;
    return {
      instrument: inst,
      instrumentOf: (s: string) => this.host.instrumentOf(s),
      referencePrice: this.host.referencePrice(symbol),
      position: this.live.ledger.qty(symbol),
      blotter: this.live.blotter,
      risk: this.risk.get(symbol),
      streamHalted: halted,
    };
  }
}
