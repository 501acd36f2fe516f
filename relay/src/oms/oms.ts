import { Algo, ErrorCode, ExecType, OrderStatus, emptySymbolExposure, validateConditional, type TriggerSource, fail, ok, tallyOpenOrder, type Fill, type Order, type OrderIntent, type Position, type Result } from '@tickmesh/shared';
import type { JournalEntry, SymbolExposure } from '@tickmesh/shared';
import type { VenueAdapter } from '../venues/venue-adapter';
import { ExecutionBooking } from './execution-booking';
import type { OmsDeps } from './oms-deps';
import { OmsCore, cancelOutstanding, snapshot, type ReportListener } from './oms-core';
import { recoverFromJournal, type RecoverySummary } from './oms-recovery';
import type { OrderRecord } from './order-record';
import type { OrderStore } from './order-store';
import { isTerminal } from './order-transitions';
import { ParentOrders } from './parent-orders';
import { ConditionalParents } from './conditional-parents';
import type { PositionBook } from './position-book';

export type { RecoverySummary } from './oms-recovery';

/** A position with its mark-to-market P&L (ticks × lots) at the caller's mark price. */
export type MarkedPosition = Position & { unrealisedPnl: number };

/**
 * The order management system: one state machine per order (the table in
 * order-transitions), positions, and the journal discipline. This class is the public face:
 * the requests clients make and the queries they read; the work behind it sits in
 * OmsCore (shared state, journal and reports), ParentOrders (routed and algo parents),
 * ExecutionBooking (venue reports, fills and positions) and oms-recovery (restarts).
 *
 * THE RULE: no execution report reaches a listener before the journal append of its record
 * resolved — acknowledged means durable (OmsCore.publish). Likewise nothing goes to a venue
 * (submit, cancel, replace) before the record announcing it is durable: after a crash the
 * journal knows about every order a venue may have.
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
 * - conditional parent (`conditional` set: stop, take-profit, trailing, OCO, bracket;
 *   ConditionalParents): validated (OMS_TRIGGER_* / OMS_TRAIL_INVALID / OMS_CONDITIONAL_INVALID),
 *   risk-checked, then armed (PendingTrigger) on the prices pushed into onMarketPrice; what a
 *   trigger releases is risk-checked again (a halted market denies it, RISK_TRADING_HALTED).
 *
 * Order ids are `<idPrefix><n>`; venue order ids are these ids.
 */
export class Oms {
  private readonly core: OmsCore;
  private readonly parents: ParentOrders;
  private readonly executions: ExecutionBooking;
  private readonly conditionals: ConditionalParents;
  // Short names for the core's state the requests and queries below read.
  private readonly store: OrderStore;
  private readonly book: PositionBook;
  private readonly venues: ReadonlyMap<string, VenueAdapter>;

  constructor(private readonly deps: OmsDeps) {
    this.core = new OmsCore(deps);
    this.parents = new ParentOrders(this.core, (rec, now, requestId) => this.cancelRecord(rec, now, requestId));
    this.executions = new ExecutionBooking(this.core, this.parents);
    this.conditionals = new ConditionalParents(this.core, this.parents, (rec, now, requestId) => this.cancelRecord(rec, now, requestId));
    this.store = this.core.store;
    this.book = this.core.book;
    this.venues = this.core.venues;
    for (const venue of this.venues.values()) venue.onExecution((e) => this.executions.apply(venue.id, e));
  }

  /**
   * A new market price of `symbol` at `venue` (ticks): every trade as TriggerSource.Last, the
   * mid after every book change as TriggerSource.Mark. Armed conditional orders of the symbol
   * are checked against it, synchronously; what fires is journaled and sent from here.
   */
  onMarketPrice(symbol: string, venue: string, source: TriggerSource, price: number): void {
    this.core.triggers.push(symbol, venue, source, price);
  }

  /** Subscribes to every execution report (all accounts); returns the unsubscribe function. */
  onReport(listener: ReportListener): () => void {
    return this.core.onReport(listener);
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
    const conditional = intent.conditional !== undefined;
    const direct = intent.algo === Algo.None && intent.venue !== '' && !conditional;
    if ((direct || conditional) && intent.venue !== '' && !this.venues.has(intent.venue)) return fail(ErrorCode.OMS_UNKNOWN_VENUE, `unknown venue ${intent.venue}`);

    const now = this.deps.nowUs();
    // The touch the order met, journaled with it: surveillance judges "away from the touch" by it
    // (no router, as in algo-only test setups: no touch).
    const { rec, written } = this.core.create(intent, '', now, this.deps.router?.touch?.(intent.symbol, intent.venue));
    const writes: Promise<unknown>[] = [written];
    const check = conditional ? validateConditional : intent.algo !== Algo.None ? this.deps.algos.validate : undefined;
    if (check !== undefined) {
      const valid = check(intent);
      if (!valid.ok) {
        writes.push(this.core.deny(rec, valid.reason, now, requestId));
        const denied = snapshot(rec);
        await Promise.all(writes);
        return ok(denied);
      }
    }
    const risk = this.deps.risk.checkNew(intent);
    writes.push(
      this.core.append({
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
      writes.push(this.core.deny(rec, risk.reason, now, requestId));
    } else if (direct) {
      writes.push(this.core.submitted(rec, now, requestId));
    } else if (conditional) {
      writes.push(this.conditionals.start(rec, now, requestId));
    } else if (intent.algo !== Algo.None) {
      writes.push(this.parents.startAlgo(rec, now, requestId));
    } else {
      writes.push(this.parents.startRouted(rec, now, requestId));
    }
    // The state the request produced: venue answers may land before the caller resumes.
    const after = snapshot(rec);
    await Promise.all(writes);
    if (direct) this.core.sendToVenue(rec);
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
    const found = this.core.lookup(account, origClientOrderId);
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
    const found = this.core.lookup(account, origClientOrderId);
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
    const riskWrite = this.core.append({
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
    this.core.move(rec, OrderStatus.PendingUpdate);
    const durable = this.core.publish(rec, {
      execType: ExecType.PendingReplace,
      timeUs: now,
      requestId,
      clientOrderId: newId || o.clientOrderId,
    });
    const after = snapshot(rec);
    await Promise.all([riskWrite, durable]);
    if (!isTerminal(o.status)) this.core.venueOf(rec).replace(o.orderId, price, qty);
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
    // Risk asks this once per symbol for every order: one pass over the account's open
    // orders, no intermediate arrays (PositionBook.exposure tallies the same way).
    const e = emptySymbolExposure();
    e.position = this.book.qty(account, symbol);
    for (const rec of this.store.openOf(account)) {
      if (rec.parent === null && rec.order.symbol === symbol) tallyOpenOrder(e, rec.order);
    }
    return e;
  }

  // ---------------------------------------------------------------- recovery

  /**
   * Rebuilds orders, fills, positions and the client-order-id index from the journal (see
   * replayJournal), without journaling or emitting the replayed events. Must run before any
   * order is placed.
   *
   * Venue-facing orders (direct and children) open at a venue that keeps orders across our
   * restarts (a real exchange, VenueAdapter.resume) stay open and go to that venue to
   * reconcile. The other open ones are canceled with reason OMS_VENUE_SESSION_LOST, journaled
   * and reported: the venue session they lived in is gone (the sim venue restarts with an
   * empty book), so keeping them open would show the trader orders nothing will ever fill.
   * Open parents keep the children that survived: a routed parent works on through them; an
   * algo parent is not restarted — its working children are canceled and it ends with
   * OMS_ALGO_INTERRUPTED (why: oms-recovery.ts). Resolves once those records are durable
   * and the cancels they need were sent.
   */
  async recover(entries: Iterable<JournalEntry>): Promise<RecoverySummary> {
    if (this.store.size > 0) throw new Error('Oms.recover() must run before any order is placed');
    return recoverFromJournal(this.core, this.parents, this.conditionals, (rec, now, requestId) => this.cancelRecord(rec, now, requestId), entries);
  }

  // ---------------------------------------------------------------- cancel

  /**
   * Cancels one order (any kind); resolves when its records are durable and sent. A parent's
   * cancel cascades to its children (ParentOrders.cancel), which come back through here.
   */
  private cancelRecord(rec: OrderRecord, now: number, requestId: number): Promise<unknown> {
    const o = rec.order;
    if (rec.parent !== null) return this.parents.cancel(rec, now, requestId);
    if (!rec.sent) {
      // Never reached the venue (its Submitted record is still becoming durable): cancel here.
      rec.pending.length = 0;
      this.core.move(rec, OrderStatus.Canceled);
      const d = this.core.publish(rec, { execType: ExecType.Canceled, timeUs: now, requestId });
      this.parents.childEnded(rec, now);
      return d;
    }
    rec.pending.push({ kind: 'cancel', clientOrderId: '' });
    this.core.move(rec, OrderStatus.PendingCancel);
    return this.core.publish(rec, { execType: ExecType.PendingCancel, timeUs: now, requestId }).then(() => {
      if (!isTerminal(o.status)) this.core.venueOf(rec).cancel(o.orderId);
    });
  }
}
