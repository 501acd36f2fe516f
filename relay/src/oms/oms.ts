import {
  orderIntent,
  Algo,
  ErrorCode,
  ExecType,
  OrderStatus,
  OrderType,
  fail,
  ok,
  type ExecutionReportMsg,
  type Fill,
  type Order,
  type OrderIntent,
  type Position,
  type Reason,
  type Result,
} from '@tickmesh/shared';
import type { JournalEntry, JournalRecord, SymbolExposure } from '@tickmesh/shared';
import type { VenueAdapter, VenueExecution } from '../venues/venue-adapter';
import { executionReport, type ReportEvent } from './execution-report';
import { ordersAtRestart, replayJournal } from './journal-replay';
import type { OmsDeps } from './oms-deps';
import type { AlgoChildRequest, AlgoContext } from './oms-ports';
import { createOrderRecord, displayedStatus, fillOf, type OrderRecord } from './order-record';
import { OrderStore } from './order-store';
import { canTransition, isTerminal, orderStatusName, transition } from './order-transitions';
import { PositionBook } from './position-book';

/** A position with its mark-to-market P&L (ticks × lots) at the caller's mark price. */
export type MarkedPosition = Position & { unrealisedPnl: number };

/** What {@link Oms.recover} rebuilt. */
export interface RecoverySummary {
  orders: number;
  fills: number;
  /** Orders open before the restart, now canceled with OMS_VENUE_SESSION_LOST. */
  lost: number;
  /** Orders open before the restart at a venue that keeps them (a real exchange), handed to it to reconcile. */
  resumed: number;
}

type ReportListener = (report: ExecutionReportMsg) => void;

const noop = (): void => {};

/**
 * The order management system: one state machine per order (the table in
 * order-transitions), positions, and the journal discipline.
 *
 * THE RULE: no execution report reaches a listener before the journal append of its record
 * resolved — acknowledged means durable. Records are appended in event order and reports
 * are emitted in that same order, each once its own append resolved (so one slow append
 * holds back the reports after it; the journal is sequential anyway). Likewise nothing goes
 * to a venue (submit, cancel, replace) before the record announcing it is durable: after a
 * crash the journal knows about every order a venue may have.
 *
 * State changes are applied synchronously when an event arrives, so queries and later
 * events always see the latest state; only the emission waits.
 *
 * Order kinds:
 * - direct (venue set, algo None): sent to that venue;
 * - smart-routed parent (venue ''): the router's plan becomes child orders; the parent is
 *   Submitted until a child is accepted and aggregates the children's fills;
 * - algo parent (algo ≠ None): Accepted once the algo started; the algo sends children
 *   through its AlgoContext. Children are not risk-checked again: the parent was, and the
 *   OMS never lets children commit more than the parent's qty (OMS_CHILD_EXCEEDS_PARENT).
 *
 * Order ids are `<idPrefix><n>`; venue order ids are these ids.
 */
export class Oms {
  private readonly store = new OrderStore();
  private readonly book = new PositionBook();
  private readonly venues = new Map<string, VenueAdapter>();
  private readonly listeners = new Set<ReportListener>();
  private readonly idPrefix: string;
  private readonly onError: (error: unknown) => void;
  private readonly setTimer: (ms: number, fn: () => void) => () => void;
  private emitTail: Promise<void> = Promise.resolve();
  private seq = 0;

  constructor(private readonly deps: OmsDeps) {
    this.idPrefix = deps.idPrefix ?? 'o-';
    this.onError = deps.onError ?? ((e) => console.error('oms:', e));
    this.setTimer = deps.setTimer ?? defaultSetTimer;
    for (const venue of deps.venues) {
      if (this.venues.has(venue.id)) throw new Error(`Oms: venue ${venue.id} given twice`);
      this.venues.set(venue.id, venue);
      venue.onExecution((e) => this.onVenueExecution(venue.id, e));
    }
  }

  /** Subscribes to every execution report (all accounts); returns the unsubscribe function. */
  onReport(listener: ReportListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---------------------------------------------------------------- requests

  /**
   * A new order. Refused as a value, with no order created: OMS_DUPLICATE_CLIENT_ORDER_ID
   * (the account used the id before, also before a restart), OMS_UNKNOWN_SYMBOL,
   * OMS_UNKNOWN_VENUE. Otherwise the order exists and the result is `ok` with a snapshot of
   * it — a risk denial is a normal outcome with status Denied and the risk code as reasonCode.
   * Resolves once the order's records are durable and it was handed to its venue(s); rejects
   * only if the journal fails.
   * @param requestId echoed in the reports this request causes. Default 0.
   */
  async newOrder(intent: OrderIntent, requestId = 0): Promise<Result<Order>> {
    if (this.store.hasClientId(intent.account, intent.clientOrderId)) {
      return fail(ErrorCode.OMS_DUPLICATE_CLIENT_ORDER_ID, `client order id ${intent.clientOrderId} already used`);
    }
    if (this.deps.instrument(intent.symbol) === undefined) return fail(ErrorCode.OMS_UNKNOWN_SYMBOL, `unknown symbol ${intent.symbol}`);
    const direct = intent.algo === Algo.None && intent.venue !== '';
    if (direct && !this.venues.has(intent.venue)) return fail(ErrorCode.OMS_UNKNOWN_VENUE, `unknown venue ${intent.venue}`);

    const now = this.deps.nowUs();
    const { rec, written } = this.create(intent, '', now);
    const writes: Promise<unknown>[] = [written];
    if (intent.algo !== Algo.None && this.deps.algos.validate !== undefined) {
      const valid = this.deps.algos.validate(intent);
      if (!valid.ok) {
        writes.push(this.deny(rec, valid.reason, now, requestId));
        const denied = snapshot(rec);
        await Promise.all(writes);
        return ok(denied);
      }
    }
    const risk = this.deps.risk.checkNew(intent);
    writes.push(
      this.append({
        kind: 'risk',
        timeUs: now,
        account: intent.account,
        orderId: rec.order.orderId,
        clientOrderId: intent.clientOrderId,
        accepted: risk.ok,
        code: risk.ok ? '' : risk.reason.code,
        message: risk.ok ? '' : risk.reason.message,
      }),
    );
    if (!risk.ok) {
      writes.push(this.deny(rec, risk.reason, now, requestId));
    } else if (direct) {
      writes.push(this.submitted(rec, now, requestId));
    } else if (intent.algo !== Algo.None) {
      writes.push(this.startAlgo(rec, now, requestId));
    } else {
      writes.push(this.startRouted(rec, now, requestId));
    }
    // The state the request produced: venue answers may land before the caller resumes.
    const after = snapshot(rec);
    await Promise.all(writes);
    if (direct) this.sendToVenue(rec);
    return ok(after);
  }

  /**
   * Cancels an open order of `account`, found by its client order id (current or earlier) or
   * by its order id. Cancel of a parent stops its algo and cancels its children.
   * Errors: OMS_UNKNOWN_ORDER, OMS_NOT_YOUR_ORDER, OMS_ORDER_NOT_OPEN, OMS_REQUEST_PENDING
   * (a cancel is already outstanding). Resolves, with a snapshot, once the PendingCancel
   * record is durable and the cancel went to the venue.
   * @param requestId echoed in the reports this request causes. Default 0.
   */
  async cancel(account: string, origClientOrderId: string, requestId = 0): Promise<Result<Order>> {
    const found = this.lookup(account, origClientOrderId);
    if (!found.ok) return found;
    const rec = found.value;
    if (isTerminal(rec.order.status)) return fail(ErrorCode.OMS_ORDER_NOT_OPEN, `order ${rec.order.orderId} is not open`);
    if (cancelOutstanding(rec)) return fail(ErrorCode.OMS_REQUEST_PENDING, `a cancel of ${rec.order.orderId} is outstanding`);
    const written = this.cancelRecord(rec, this.deps.nowUs(), requestId);
    // The state the request produced: the venue's answer may land before the caller resumes.
    const after = snapshot(rec);
    await written;
    return ok(after);
  }

  /**
   * Replaces price (ticks) and total qty (lots) of a working direct order; the order takes
   * `newClientOrderId` (''= keep) once the venue confirms. Risk checks the replace first
   * (its code is returned and journaled). Errors: OMS_UNKNOWN_ORDER, OMS_NOT_YOUR_ORDER,
   * OMS_ORDER_NOT_OPEN, OMS_REQUEST_PENDING (not yet acknowledged, or a cancel/replace is
   * outstanding), OMS_REPLACE_NOT_SUPPORTED (parents and children: their algo or router owns
   * them), OMS_DUPLICATE_CLIENT_ORDER_ID.
   * @param requestId echoed in the reports this request causes. Default 0.
   */
  async replace(
    account: string,
    origClientOrderId: string,
    newClientOrderId: string,
    price: number,
    qty: number,
    requestId = 0,
  ): Promise<Result<Order>> {
    const found = this.lookup(account, origClientOrderId);
    if (!found.ok) return found;
    const rec = found.value;
    const o = rec.order;
    if (isTerminal(o.status)) return fail(ErrorCode.OMS_ORDER_NOT_OPEN, `order ${o.orderId} is not open`);
    if (rec.parent !== null || o.parentOrderId !== '') {
      return fail(ErrorCode.OMS_REPLACE_NOT_SUPPORTED, `order ${o.orderId} is worked by the OMS`);
    }
    if (rec.pending.length > 0 || rec.working === OrderStatus.Submitted || !rec.sent) {
      return fail(ErrorCode.OMS_REQUEST_PENDING, `order ${o.orderId} has a request outstanding`);
    }
    const newId = newClientOrderId === o.clientOrderId ? '' : newClientOrderId;
    if (newId !== '' && this.store.hasClientId(account, newId)) {
      return fail(ErrorCode.OMS_DUPLICATE_CLIENT_ORDER_ID, `client order id ${newId} already used`);
    }
    const now = this.deps.nowUs();
    const risk = this.deps.risk.checkReplace(snapshot(rec), price, qty);
    const riskWrite = this.append({
      kind: 'risk',
      timeUs: now,
      account,
      orderId: o.orderId,
      clientOrderId: newId || o.clientOrderId,
      accepted: risk.ok,
      code: risk.ok ? '' : risk.reason.code,
      message: risk.ok ? '' : risk.reason.message,
    });
    if (!risk.ok) {
      await riskWrite;
      return risk;
    }
    if (newId !== '') this.store.reserveClientId(account, newId, rec);
    rec.pending.push({ kind: 'replace', clientOrderId: newId });
    this.move(rec, OrderStatus.PendingUpdate);
    const durable = this.publish(rec, {
      execType: ExecType.PendingReplace,
      timeUs: now,
      requestId,
      clientOrderId: newId || o.clientOrderId,
    });
    const after = snapshot(rec);
    await Promise.all([riskWrite, durable]);
    if (!isTerminal(o.status)) this.venueOf(rec).replace(o.orderId, price, qty);
    return ok(after);
  }

  /**
   * Cancels every open order of `account` (of `symbol` only, if given) that has no cancel
   * outstanding; parents take their children along. Resolves with how many orders a cancel
   * was requested for, once those requests are durable and sent.
   */
  async cancelAll(account: string, symbol?: string, requestId = 0): Promise<number> {
    const now = this.deps.nowUs();
    const targets = this.store.open(account, symbol).filter((r) => r.order.parentOrderId === '' && !cancelOutstanding(r));
    await Promise.all(targets.map((r) => this.cancelRecord(r, now, requestId)));
    return targets.length;
  }

  /** The last session of a cancel-on-disconnect account closed: cancel all its orders. */
  cancelAccountOnDisconnect(account: string): Promise<number> {
    return this.cancelAll(account);
  }

  /** Kill switch for one account: cancel all its orders (risk refuses new ones). */
  killAccount(account: string): Promise<number> {
    return this.cancelAll(account);
  }

  // ---------------------------------------------------------------- queries

  /** Orders of `account` (parents, children and direct), oldest first, as snapshots. */
  orders(account: string, query: { open?: boolean } = {}): Order[] {
    return this.store.orders(account, query).map(snapshot);
  }

  /** One order by id (any account), as a snapshot. */
  order(orderId: string): Order | undefined {
    const rec = this.store.get(orderId);
    return rec === undefined ? undefined : snapshot(rec);
  }

  /** Fills of `account`, oldest first. */
  fills(account: string): Fill[] {
    return this.store.fills(account).map((f) => ({ ...f }));
  }

  /** Positions of `account` with unrealised P&L at `markPrice(symbol)` (ticks). */
  positions(account: string, markPrice: (symbol: string) => number): MarkedPosition[] {
    return this.book.list(account).map((p) => ({ ...p, unrealisedPnl: this.book.unrealised(account, p.symbol, markPrice(p.symbol)) }));
  }

  /** Position and venue-facing open orders of `account` in `symbol`, for the risk engine. */
  exposure(account: string, symbol: string): SymbolExposure {
    const open = this.store.open(account, symbol).filter((r) => r.parent === null).map((r) => r.order);
    return this.book.exposure(account, symbol, open);
  }

  // ---------------------------------------------------------------- recovery

  /**
   * Rebuilds orders, fills, positions and the client-order-id index from the journal (see
   * replayJournal), without journaling or emitting the replayed events. Must run before any
   * order is placed.
   *
   * Direct orders open at a venue that keeps orders across our restarts (a real exchange,
   * VenueAdapter.resume) stay open and go to that venue to reconcile. The other open orders
   * are canceled with reason OMS_VENUE_SESSION_LOST, journaled and reported: the venue session
   * they lived in is gone (the sim venue restarts with an empty book), so keeping them open
   * would show the trader orders nothing will ever fill, and their parents' algos are not
   * restarted. Resolves once those records are durable.
   */
  async recover(entries: Iterable<JournalEntry>): Promise<RecoverySummary> {
    if (this.store.size > 0) throw new Error('Oms.recover() must run before any order is placed');
    const stats = replayJournal(entries, this.store, this.book, this.idPrefix);
    this.seq = Math.max(this.seq, stats.maxOrderSeq);
    const { resume, lost: open } = ordersAtRestart(this.store, this.venues);
    for (const [venue, orders] of resume) venue.resume!(orders);
    const now = this.deps.nowUs();
    const writes: Promise<unknown>[] = [];
    for (const rec of open) {
      rec.pending.length = 0;
      rec.order.reasonCode = ErrorCode.OMS_VENUE_SESSION_LOST;
      this.move(rec, OrderStatus.Canceled);
      writes.push(this.publish(rec, { execType: ExecType.Canceled, timeUs: now }));
    }
    await Promise.all(writes);
    return { orders: stats.orders, fills: stats.fills, lost: open.length, resumed: [...resume.values()].reduce((n, l) => n + l.length, 0) };
  }

  // ---------------------------------------------------------------- order creation

  /** A new Initialized order, stored and indexed; `written` resolves when its order-request is durable. */
  private create(input: OrderIntent, parentOrderId: string, now: number): { rec: OrderRecord; written: Promise<unknown> } {
    const orderId = `${this.idPrefix}${++this.seq}`;
    const intent = orderIntent(input, input.account);
    const rec = createOrderRecord(intent, orderId, parentOrderId, now);
    this.store.add(rec);
    if (parentOrderId === '') {
      const reserved = this.store.reserveClientId(intent.account, intent.clientOrderId, rec);
      if (!reserved.ok) throw new Error(`Oms: client id ${intent.clientOrderId} reserved twice`);
    }
    const written = this.append({ kind: 'order-request', timeUs: now, orderId, parentOrderId, intent: { ...intent } });
    return { rec, written };
  }

  private deny(rec: OrderRecord, reason: Reason, now: number, requestId: number): Promise<unknown> {
    rec.order.reasonCode = reason.code;
    this.move(rec, OrderStatus.Denied);
    return this.publish(rec, { execType: ExecType.Denied, timeUs: now, requestId, reason: reason.message });
  }

  private submitted(rec: OrderRecord, now: number, requestId: number): Promise<unknown> {
    this.move(rec, OrderStatus.Submitted);
    rec.working = OrderStatus.Submitted;
    return this.publish(rec, { execType: ExecType.Status, timeUs: now, requestId });
  }

  /** Hands a durable Submitted order to its venue, unless it was canceled meanwhile. */
  private sendToVenue(rec: OrderRecord): void {
    const o = rec.order;
    if (o.status !== OrderStatus.Submitted || rec.sent) return;
    rec.sent = true;
    this.venueOf(rec).submit({
      orderId: o.orderId,
      account: o.account,
      symbol: o.symbol,
      side: o.side,
      type: o.orderType,
      timeInForce: o.timeInForce,
      price: o.price,
      qty: o.qty,
      postOnly: o.postOnly,
    });
  }

  private startRouted(rec: OrderRecord, now: number, requestId: number): Promise<unknown> {
    const o = rec.order;
    const plan = this.deps.router.route(snapshot(rec));
    if (!plan.ok) return this.deny(rec, plan.reason, now, requestId);
    if (plan.value.length === 0) return this.deny(rec, { code: ErrorCode.OMS_NO_ROUTE, message: 'empty routing plan' }, now, requestId);
    if (plan.value.reduce((s, c) => s + c.qty, 0) > o.qty) {
      return this.deny(rec, { code: ErrorCode.OMS_CHILD_EXCEEDS_PARENT, message: 'routing plan exceeds the order' }, now, requestId);
    }
    const writes = [this.submitted(rec, now, requestId)];
    for (const c of plan.value) {
      const child = { venue: c.venue, price: c.price, qty: c.qty, orderType: c.orderType ?? o.orderType, timeInForce: c.timeInForce ?? o.timeInForce };
      writes.push(this.spawnChild(rec, child, o.postOnly, now));
    }
    rec.parent!.complete = true;
    this.settleParent(rec, now);
    return Promise.all(writes);
  }

  private startAlgo(rec: OrderRecord, now: number, requestId: number): Promise<unknown> {
    const writes = [this.submitted(rec, now, requestId)];
    this.move(rec, OrderStatus.Accepted);
    rec.working = OrderStatus.Accepted;
    writes.push(this.publish(rec, { execType: ExecType.New, timeUs: now, requestId }));
    const ctx = this.algoContext(rec);
    const handle = this.deps.algos.start(snapshot(rec), ctx);
    // The algo may have been canceled or finished from inside start (via its context).
    if (!isTerminal(rec.order.status) && !rec.parent!.cancelRequested) rec.parent!.handle = handle;
    return Promise.all(writes);
  }

  private algoContext(rec: OrderRecord): AlgoContext {
    const st = rec.parent!;
    return {
      nowMs: () => Math.floor(this.deps.nowUs() / 1000),
      setTimer: (ms, fn) => {
        if (isTerminal(rec.order.status) || st.cancelRequested) return noop;
        const clear = this.setTimer(ms, () => {
          st.timers.delete(clear);
          fn();
        });
        st.timers.add(clear);
        return () => {
          st.timers.delete(clear);
          clear();
        };
      },
      sendChild: (child) => {
        this.spawnChild(rec, child, false, this.deps.nowUs()).catch(this.onError);
      },
      cancelChildren: () => {
        const now = this.deps.nowUs();
        for (const c of this.store.children(rec.order.orderId)) {
          if (!isTerminal(c.order.status) && !cancelOutstanding(c)) this.cancelRecord(c, now, 0).catch(this.onError);
        }
      },
      marketVolume: (symbol) => this.deps.marketVolume?.(symbol) ?? 0,
      done: () => {
        st.complete = true;
        this.scheduleSettle(rec);
      },
      onDone: (outcome) => {
        st.outcome = { ...outcome };
        st.complete = true;
        this.scheduleSettle(rec);
      },
    };
  }

  /**
   * Settles a parent after the algo's current call returned: algos call done() and onDone()
   * back to back, and the parent's final status should use the outcome given by the second.
   */
  private scheduleSettle(rec: OrderRecord): void {
    queueMicrotask(() => this.settleParent(rec, this.deps.nowUs()));
  }

  /**
   * Creates, journals and (once durable) sends one child of `parentRec`. A child that would
   * commit more than the parent's qty, arrives after the parent ended or names an unknown
   * venue is created Denied, so the refusal is on the record and the algo learns of it.
   */
  private spawnChild(parentRec: OrderRecord, c: AlgoChildRequest, postOnly: boolean, now: number): Promise<unknown> {
    const p = parentRec.order;
    const n = this.store.children(p.orderId).length + 1;
    const committed = this.store.children(p.orderId).reduce((s, k) => s + (isTerminal(k.order.status) ? k.order.filledQty : k.order.qty), 0);
    const { rec, written } = this.create(
      {
        account: p.account,
        clientOrderId: `${p.clientOrderId}.${n}`,
        symbol: p.symbol,
        venue: c.venue,
        side: p.side,
        orderType: c.orderType,
        timeInForce: c.timeInForce,
        price: c.price,
        qty: c.qty,
        postOnly: postOnly && c.orderType === OrderType.Limit,
        algo: Algo.None,
        displayQty: 0,
        durationMs: 0,
      },
      p.orderId,
      now,
    );
    let refusal: Reason | null = null;
    if (isTerminal(p.status) || parentRec.parent!.cancelRequested) refusal = { code: ErrorCode.OMS_ORDER_NOT_OPEN, message: 'parent order ended' };
    else if (!this.venues.has(c.venue)) refusal = { code: ErrorCode.OMS_UNKNOWN_VENUE, message: `unknown venue ${c.venue}` };
    else if (committed + c.qty > p.qty) refusal = { code: ErrorCode.OMS_CHILD_EXCEEDS_PARENT, message: 'children exceed the parent qty' };
    if (refusal !== null) {
      const d = this.deny(rec, refusal, now, 0);
      // Never call back into the algo from inside its own sendChild.
      queueMicrotask(() => this.childEnded(rec, now));
      return Promise.all([written, d]);
    }
    return Promise.all([written, this.submitted(rec, now, 0)]).then(() => this.sendToVenue(rec));
  }

  // ---------------------------------------------------------------- cancel

  /** Cancels one order (any kind); resolves when its records are durable and sent. */
  private cancelRecord(rec: OrderRecord, now: number, requestId: number): Promise<unknown> {
    const o = rec.order;
    if (rec.parent !== null) {
      const st = rec.parent;
      st.cancelRequested = true;
      const writes: Promise<unknown>[] = [];
      const open = (): OrderRecord[] => this.store.children(o.orderId).filter((c) => !isTerminal(c.order.status));
      // The parent's PendingCancel goes out before any child's cancel report.
      if (open().length > 0 && !isTerminal(o.status)) {
        this.move(rec, OrderStatus.PendingCancel);
        writes.push(this.publish(rec, { execType: ExecType.PendingCancel, timeUs: now, requestId }));
      }
      const handle = st.handle;
      st.handle = null;
      this.clearTimers(rec);
      handle?.cancel(); // may cancel its own children through the context
      for (const c of open()) if (!cancelOutstanding(c)) writes.push(this.cancelRecord(c, now, requestId));
      this.settleParent(rec, now);
      return Promise.all(writes);
    }
    if (!rec.sent) {
      // Never reached the venue (its Submitted record is still becoming durable): cancel here.
      rec.pending.length = 0;
      this.move(rec, OrderStatus.Canceled);
      const d = this.publish(rec, { execType: ExecType.Canceled, timeUs: now, requestId });
      this.childEnded(rec, now);
      return d;
    }
    rec.pending.push({ kind: 'cancel', clientOrderId: '' });
    this.move(rec, OrderStatus.PendingCancel);
    return this.publish(rec, { execType: ExecType.PendingCancel, timeUs: now, requestId }).then(() => {
      if (!isTerminal(o.status)) this.venueOf(rec).cancel(o.orderId);
    });
  }

  // ---------------------------------------------------------------- venue executions

  private onVenueExecution(venueId: string, e: VenueExecution): void {
    const rec = this.store.get(e.orderId);
    if (rec === undefined || rec.parent !== null || rec.order.venue !== venueId) {
      this.alert(ErrorCode.OMS_UNKNOWN_ORDER, rec?.order.account ?? '', rec?.order.symbol ?? '', `${venueId} reported ${e.kind} for unknown order ${e.orderId}`, e.timeUs);
      return;
    }
    const o = rec.order;
    switch (e.kind) {
      case 'accepted': {
        if (rec.working === OrderStatus.Submitted) rec.working = OrderStatus.Accepted;
        if (!this.moveFromVenue(rec, displayedStatus(rec), e)) return;
        this.publish(rec, { execType: ExecType.New, timeUs: e.timeUs });
        this.parentChildAccepted(rec, e.timeUs);
        return;
      }
      case 'fill': {
        // The trade happened whatever our state says: it is always booked.
        o.filledQty += e.qty;
        o.cumNotional += e.price * e.qty;
        o.fees += e.fee;
        const to = o.filledQty >= o.qty ? OrderStatus.Filled : OrderStatus.PartiallyFilled;
        if (!isTerminal(o.status)) {
          rec.working = to;
          if (to === OrderStatus.Filled) rec.pending.length = 0;
        }
        const moved = this.moveFromVenue(rec, to, e);
        const fill = fillOf(rec, e.price, e.qty, e.fee, e.liquidityMaker, e.tradeId, e.timeUs);
        this.store.addFill(fill);
        this.book.apply(fill);
        this.publish(rec, tradeEvent(e));
        this.parentChildFilled(rec, e);
        if (moved && isTerminal(o.status)) this.childEnded(rec, e.timeUs);
        return;
      }
      case 'canceled':
      case 'expired':
      case 'rejected': {
        const to = e.kind === 'canceled' ? OrderStatus.Canceled : e.kind === 'expired' ? OrderStatus.Expired : OrderStatus.Rejected;
        if (!this.moveFromVenue(rec, to, e)) return;
        rec.pending.length = 0;
        o.reasonCode = e.reasonCode;
        const execType = e.kind === 'canceled' ? ExecType.Canceled : e.kind === 'expired' ? ExecType.Expired : ExecType.Rejected;
        this.publish(rec, { execType, timeUs: e.timeUs, reason: e.reason });
        this.childEnded(rec, e.timeUs);
        return;
      }
      case 'replaced': {
        const i = rec.pending.findIndex((p) => p.kind === 'replace');
        const req = i >= 0 ? rec.pending.splice(i, 1)[0]! : undefined;
        if (rec.working === OrderStatus.Submitted) rec.working = OrderStatus.Accepted;
        if (!this.moveFromVenue(rec, displayedStatus(rec), e)) return;
        o.price = e.price;
        o.qty = e.qty;
        if (req !== undefined && req.clientOrderId !== '') o.clientOrderId = req.clientOrderId;
        this.publish(rec, { execType: ExecType.Replaced, timeUs: e.timeUs });
        return;
      }
      case 'cancel-rejected': {
        // Venues answer requests in order: the oldest outstanding one was refused.
        rec.pending.shift();
        if (!isTerminal(o.status) && !this.moveFromVenue(rec, displayedStatus(rec), e)) return;
        this.publish(rec, { execType: ExecType.CancelRejected, timeUs: e.timeUs, reasonCode: e.reasonCode, reason: e.reason });
        return;
      }
    }
  }

  /** Applies a venue-caused status change; an invalid one is journaled as an alert, not applied. */
  private moveFromVenue(rec: OrderRecord, to: OrderStatus, e: VenueExecution): boolean {
    const o = rec.order;
    if (o.status === to && to !== OrderStatus.PartiallyFilled) return true;
    const r = transition(o, to);
    if (r.ok) {
      this.store.updated(rec);
      return true;
    }
    this.alert(r.reason.code, o.account, o.symbol, `${o.orderId}: venue ${e.kind} in status ${orderStatusName[o.status]}`, e.timeUs);
    return false;
  }

  // ---------------------------------------------------------------- parents

  private parentOf(rec: OrderRecord): OrderRecord | undefined {
    if (rec.order.parentOrderId === '') return undefined;
    const p = this.store.get(rec.order.parentOrderId);
    return p?.parent != null ? p : undefined;
  }

  private parentChildAccepted(child: OrderRecord, timeUs: number): void {
    const parent = this.parentOf(child);
    if (parent === undefined || parent.order.status !== OrderStatus.Submitted) return;
    parent.working = OrderStatus.Accepted;
    this.move(parent, OrderStatus.Accepted);
    this.publish(parent, { execType: ExecType.New, timeUs });
  }

  private parentChildFilled(child: OrderRecord, e: VenueExecution): void {
    const parent = this.parentOf(child);
    if (parent === undefined) return;
    const p = parent.order;
    p.filledQty += e.qty;
    p.cumNotional += e.price * e.qty;
    p.fees += e.fee;
    const to = p.filledQty >= p.qty ? OrderStatus.Filled : OrderStatus.PartiallyFilled;
    if (!isTerminal(p.status)) parent.working = to;
    this.moveFromVenue(parent, to, e);
    this.publish(parent, tradeEvent(e));
    if (isTerminal(p.status)) this.clearTimers(parent);
    parent.parent!.handle?.onChildFill(e.qty);
  }

  /** A child reached a terminal status: tell its algo, and end the parent if it is done. */
  private childEnded(child: OrderRecord, timeUs: number): void {
    const parent = this.parentOf(child);
    if (parent === undefined) return;
    parent.parent!.handle?.onChildDone(child.order.orderId, child.order.status);
    this.settleParent(parent, timeUs);
  }

  /**
   * Ends a parent once no child is open and none will come (plan sent, algo done, or cancel
   * requested): Filled if fully filled, Canceled if a cancel was requested, the algo's own
   * outcome (status and OMS_ALGO_* code) if it gave one, Rejected if every
   * child was refused (reason: the first child's code), Expired if a child expired, else
   * Canceled.
   */
  private settleParent(rec: OrderRecord, timeUs: number): void {
    const p = rec.order;
    const st = rec.parent!;
    if (isTerminal(p.status) || !(st.complete || st.cancelRequested)) return;
    const children = this.store.children(p.orderId);
    if (children.some((c) => !isTerminal(c.order.status))) return;
    let to: OrderStatus = OrderStatus.Canceled;
    let execType: ExecType = ExecType.Canceled;
    if (p.filledQty >= p.qty) {
      to = OrderStatus.Filled;
      execType = ExecType.Status;
    } else if (st.cancelRequested) {
      to = OrderStatus.Canceled;
    } else if (st.outcome !== null && isTerminal(st.outcome.status) && st.outcome.status !== OrderStatus.Filled) {
      to = st.outcome.status;
      execType = to === OrderStatus.Expired ? ExecType.Expired : to === OrderStatus.Rejected ? ExecType.Rejected : ExecType.Canceled;
      p.reasonCode = st.outcome.reasonCode;
    } else if (p.filledQty === 0 && children.length > 0 && children.every((c) => c.order.status === OrderStatus.Rejected || c.order.status === OrderStatus.Denied)) {
      to = OrderStatus.Rejected;
      execType = ExecType.Rejected;
      p.reasonCode = children[0]!.order.reasonCode;
    } else if (children.some((c) => c.order.status === OrderStatus.Expired)) {
      to = OrderStatus.Expired;
      execType = ExecType.Expired;
    }
    if (!canTransition(p.status, to)) {
      to = OrderStatus.Canceled;
      execType = ExecType.Canceled;
    }
    this.move(rec, to);
    this.clearTimers(rec);
    st.handle = null;
    this.publish(rec, { execType, timeUs });
  }

  private clearTimers(rec: OrderRecord): void {
    const timers = rec.parent!.timers;
    for (const clear of [...timers]) clear();
    timers.clear();
  }

  // ---------------------------------------------------------------- plumbing

  private lookup(account: string, id: string): Result<OrderRecord> {
    const rec = this.store.byClientId(account, id) ?? this.store.get(id);
    if (rec === undefined) return fail(ErrorCode.OMS_UNKNOWN_ORDER, `unknown order ${id}`);
    if (rec.order.account !== account) return fail(ErrorCode.OMS_NOT_YOUR_ORDER, `order ${id} belongs to another account`);
    return ok(rec);
  }

  private venueOf(rec: OrderRecord): VenueAdapter {
    const v = this.venues.get(rec.order.venue);
    if (v === undefined) throw new Error(`Oms: order ${rec.order.orderId} has unknown venue ${rec.order.venue}`);
    return v;
  }

  /** An OMS-made status change; the OMS never asks for an invalid one (a bug if it does). */
  private move(rec: OrderRecord, to: OrderStatus): void {
    if (rec.order.status === to) return;
    const r = transition(rec.order, to);
    if (!r.ok) throw new Error(`Oms: ${rec.order.orderId}: ${r.reason.code} ${r.reason.message}`);
    this.store.updated(rec);
  }

  private append(record: JournalRecord): Promise<unknown> {
    try {
      return this.deps.journal.append(record);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Journals the order's current state as a report and emits it once durable, after every
   * earlier report. Returns the append's promise (for callers that must wait for durability).
   */
  private publish(rec: OrderRecord, ev: ReportEvent): Promise<unknown> {
    rec.order.updatedUs = ev.timeUs;
    const report = executionReport(rec.order, ev);
    const durable = this.append({ kind: 'execution', timeUs: ev.timeUs, report });
    // The emit chain attaches to `durable` only when earlier reports are out; until then a
    // failed append (journal closed at shutdown, disk error) must not count as unhandled and
    // take the process down. Callers that await `durable` still see the failure.
    durable.catch(() => undefined);
    this.emitTail = this.emitTail.then(
      () => durable.then(() => this.emit(report), this.onError),
      this.onError,
    );
    return durable;
  }

  private emit(report: ExecutionReportMsg): void {
    for (const l of this.listeners) {
      try {
        l(report);
      } catch (e) {
        this.onError(e);
      }
    }
  }

  private alert(code: string, account: string, symbol: string, message: string, timeUs: number): void {
    this.append({ kind: 'alert', timeUs, code, account, symbol, message }).catch(this.onError);
  }
}

/** The report event of one venue fill: the same for the child that filled and its parent. */
function tradeEvent(e: VenueExecution): ReportEvent {
  return {
    execType: ExecType.Trade,
    timeUs: e.timeUs,
    lastPrice: e.price,
    lastQty: e.qty,
    tradeId: e.tradeId,
    fee: e.fee,
    liquidityMaker: e.liquidityMaker,
  };
}

function snapshot(rec: OrderRecord): Order {
  return { ...rec.order };
}

function cancelOutstanding(rec: OrderRecord): boolean {
  return rec.parent !== null ? rec.parent.cancelRequested : rec.pending.some((p) => p.kind === 'cancel');
}

function defaultSetTimer(ms: number, fn: () => void): () => void {
  const t = setTimeout(fn, ms);
  (t as { unref?: () => void }).unref?.();
  return () => clearTimeout(t);
}
