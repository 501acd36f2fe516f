import { Algo, ErrorCode, ExecType, OrderStatus, OrderType, type Reason } from '@tickmesh/shared';
import type { VenueExecution } from '../venues/venue-adapter';
import { cancelOutstanding, snapshot, tradeEvent, type OmsCore } from './oms-core';
import type { AlgoChildRequest, AlgoContext } from './oms-ports';
import type { OrderRecord } from './order-record';
import { canTransition, isTerminal } from './order-transitions';

/** Cancels one order, any kind, through the OMS's one cancel path (Oms.cancelRecord). */
export type CancelOrder = (rec: OrderRecord, now: number, requestId: number) => Promise<unknown>;

const noop = (): void => {};

/**
 * The orders the OMS works itself rather than a venue: smart-routed parents (the router's
 * plan becomes children) and algo parents (the algo sends children through its
 * AlgoContext). A parent never reaches a venue; its status, fills and end follow from its
 * children's: the first child accepted accepts it, every child fill is rolled up into it
 * (and reported under it), and it ends once no child is open and none will come.
 *
 * Children are not risk-checked again: the parent was, and no child may commit more than
 * the parent's qty (OMS_CHILD_EXCEEDS_PARENT).
 */
export class ParentOrders {
  constructor(
    private readonly core: OmsCore,
    private readonly cancelOrder: CancelOrder,
  ) {}

  // ---------------------------------------------------------------- start

  /** Sends the router's plan as children; a failed or unusable plan denies the parent. */
  startRouted(rec: OrderRecord, now: number, requestId: number): Promise<unknown> {
    const o = rec.order;
    const plan = this.core.deps.router.route(snapshot(rec));
    if (!plan.ok) return this.core.deny(rec, plan.reason, now, requestId);
    if (plan.value.length === 0) return this.core.deny(rec, { code: ErrorCode.OMS_NO_ROUTE, message: 'empty routing plan' }, now, requestId);
    if (plan.value.reduce((s, c) => s + c.qty, 0) > o.qty) {
      return this.core.deny(rec, { code: ErrorCode.OMS_CHILD_EXCEEDS_PARENT, message: 'routing plan exceeds the order' }, now, requestId);
    }
    const writes = [this.core.submitted(rec, now, requestId)];
    for (const c of plan.value) {
      const child = { venue: c.venue, price: c.price, qty: c.qty, orderType: c.orderType ?? o.orderType, timeInForce: c.timeInForce ?? o.timeInForce };
      writes.push(this.spawnChild(rec, child, o.postOnly, now));
    }
    rec.parent!.complete = true;
    this.settle(rec, now);
    return Promise.all(writes);
  }

  /** Accepts the parent and starts its algo; children come later, through the algo's context. */
  startAlgo(rec: OrderRecord, now: number, requestId: number): Promise<unknown> {
    const writes = [this.core.submitted(rec, now, requestId)];
    this.core.move(rec, OrderStatus.Accepted);
    rec.working = OrderStatus.Accepted;
    writes.push(this.core.publish(rec, { execType: ExecType.New, timeUs: now, requestId }));
    const ctx = this.algoContext(rec);
    const handle = this.core.deps.algos.start(snapshot(rec), ctx);
    // The algo may have been canceled or finished from inside start (via its context).
    if (!isTerminal(rec.order.status) && !rec.parent!.cancelRequested) rec.parent!.handle = handle;
    return Promise.all(writes);
  }

  private algoContext(rec: OrderRecord): AlgoContext {
    const core = this.core;
    const st = rec.parent!;
    return {
      nowMs: () => Math.floor(core.nowUs() / 1000),
      setTimer: (ms, fn) => {
        if (isTerminal(rec.order.status) || st.cancelRequested) return noop;
        const clear = core.setTimer(ms, () => {
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
        this.spawnChild(rec, child, false, core.nowUs()).catch(core.onError);
      },
      cancelChildren: () => {
        const now = core.nowUs();
        for (const c of core.store.children(rec.order.orderId)) {
          if (!isTerminal(c.order.status) && !cancelOutstanding(c)) this.cancelOrder(c, now, 0).catch(core.onError);
        }
      },
      marketVolume: (symbol) => core.deps.marketVolume?.(symbol) ?? 0,
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
    queueMicrotask(() => this.settle(rec, this.core.nowUs()));
  }

  /**
   * Creates, journals and (once durable) sends one child of `parentRec`. A child that would
   * commit more than the parent's qty, arrives after the parent ended or names an unknown
   * venue is created Denied, so the refusal is on the record and the algo learns of it.
   */
  private spawnChild(parentRec: OrderRecord, c: AlgoChildRequest, postOnly: boolean, now: number): Promise<unknown> {
    const core = this.core;
    const p = parentRec.order;
    const siblings = core.store.children(p.orderId);
    const n = siblings.length + 1;
    const committed = siblings.reduce((s, k) => s + (isTerminal(k.order.status) ? k.order.filledQty : k.order.qty), 0);
    const { rec, written } = core.create(
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
    else if (!core.venues.has(c.venue)) refusal = { code: ErrorCode.OMS_UNKNOWN_VENUE, message: `unknown venue ${c.venue}` };
    else if (committed + c.qty > p.qty) refusal = { code: ErrorCode.OMS_CHILD_EXCEEDS_PARENT, message: 'children exceed the parent qty' };
    if (refusal !== null) {
      const d = core.deny(rec, refusal, now, 0);
      // Never call back into the algo from inside its own sendChild.
      queueMicrotask(() => this.childEnded(rec, now));
      return Promise.all([written, d]);
    }
    return Promise.all([written, core.submitted(rec, now, 0)]).then(() => core.sendToVenue(rec));
  }

  // ---------------------------------------------------------------- cancel

  /**
   * Cancels a parent: its algo stops (no new children), its open children are canceled, and
   * it ends Canceled once they ended. The parent's PendingCancel goes out before any child's
   * cancel report. Resolves when those records are durable and the cancels were sent.
   */
  cancel(rec: OrderRecord, now: number, requestId: number): Promise<unknown> {
    const o = rec.order;
    const st = rec.parent!;
    st.cancelRequested = true;
    const writes: Promise<unknown>[] = [];
    const open = (): OrderRecord[] => this.core.store.children(o.orderId).filter((c) => !isTerminal(c.order.status));
    if (open().length > 0 && !isTerminal(o.status)) {
      this.core.move(rec, OrderStatus.PendingCancel);
      writes.push(this.core.publish(rec, { execType: ExecType.PendingCancel, timeUs: now, requestId }));
    }
    const handle = st.handle;
    st.handle = null;
    this.clearTimers(rec);
    handle?.cancel(); // may cancel its own children through the context
    for (const c of open()) if (!cancelOutstanding(c)) writes.push(this.cancelOrder(c, now, requestId));
    this.settle(rec, now);
    return Promise.all(writes);
  }

  // ---------------------------------------------------------------- children's events

  /** The parent of a child order; undefined for direct orders (and parents themselves). */
  parentOf(rec: OrderRecord): OrderRecord | undefined {
    if (rec.order.parentOrderId === '') return undefined;
    const p = this.core.store.get(rec.order.parentOrderId);
    return p?.parent != null ? p : undefined;
  }

  /** A child was accepted: a routed parent still Submitted is accepted with it. */
  childAccepted(child: OrderRecord, timeUs: number): void {
    const parent = this.parentOf(child);
    if (parent === undefined || parent.order.status !== OrderStatus.Submitted) return;
    parent.working = OrderStatus.Accepted;
    this.core.move(parent, OrderStatus.Accepted);
    this.core.publish(parent, { execType: ExecType.New, timeUs });
  }

  /** A child filled: the parent takes the fill, then its algo hears of it. */
  childFilled(child: OrderRecord, e: VenueExecution): void {
    const parent = this.parentOf(child);
    if (parent === undefined) return;
    this.rollUpFill(parent, e);
    parent.parent!.handle?.onChildFill(e.qty);
  }

  /**
   * Takes one child fill into the parent's figures and reports it under the parent (the
   * fill itself is booked once, on the child). Counted in `rolledUpFills`, so recovery can
   * tell a fill the parent has from one a crash kept from it.
   */
  rollUpFill(parent: OrderRecord, e: VenueExecution): Promise<unknown> {
    const p = parent.order;
    p.filledQty += e.qty;
    p.cumNotional += e.price * e.qty;
    p.fees += e.fee;
    parent.parent!.rolledUpFills++;
    const to = p.filledQty >= p.qty ? OrderStatus.Filled : OrderStatus.PartiallyFilled;
    if (!isTerminal(p.status)) parent.working = to;
    this.core.moveFromVenue(parent, to, e);
    const durable = this.core.publish(parent, tradeEvent(e));
    if (isTerminal(p.status)) this.clearTimers(parent);
    return durable;
  }

  /** A child reached a terminal status: tell its algo, and end the parent if it is done. */
  childEnded(child: OrderRecord, timeUs: number): void {
    const parent = this.parentOf(child);
    if (parent === undefined) return;
    parent.parent!.handle?.onChildDone(child.order.orderId, child.order.status);
    this.settle(parent, timeUs);
  }

  // ---------------------------------------------------------------- end

  /**
   * Ends a parent once no child is open and none will come (plan sent, algo done, or cancel
   * requested): Filled if fully filled, Canceled if a cancel was requested, the algo's own
   * outcome (status and OMS_ALGO_* code) if it gave one — or the one recovery set — Rejected
   * if every child was refused (reason: the first child's code), Expired if a child expired,
   * else Canceled.
   */
  settle(rec: OrderRecord, timeUs: number): void {
    const p = rec.order;
    const st = rec.parent!;
    if (isTerminal(p.status) || !(st.complete || st.cancelRequested)) return;
    const children = this.core.store.children(p.orderId);
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
    this.core.move(rec, to);
    this.clearTimers(rec);
    st.handle = null;
    this.core.publish(rec, { execType, timeUs });
  }

  private clearTimers(rec: OrderRecord): void {
    const timers = rec.parent!.timers;
    for (const clear of [...timers]) clear();
    timers.clear();
  }
}
