import { Algo, Contingency, ErrorCode, ExecType, OrderStatus, OrderType, type Reason } from '@tickmesh/shared';
import type { VenueExecution } from '../venues/venue-adapter';
import { cancelOutstanding, snapshot, tradeEvent, type OmsCore } from './oms-core';
import type { AlgoChild, AlgoContext } from './oms-ports';
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
 * the parent's qty (OMS_CHILD_EXCEEDS_PARENT). The exception is what a conditional order's
 * trigger releases (ConditionalParents, `riskCheck`): the market may have halted since.
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
      writes.push(this.spawnChild(rec, child, o.postOnly, now).written);
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
        this.spawnChild(rec, child, false, core.nowUs()).written.catch(core.onError);
      },
      cancelChildren: () => {
        const now = core.nowUs();
        for (const c of core.store.children(rec.order.orderId)) {
          if (!isTerminal(c.order.status) && !cancelOutstanding(c)) this.cancelOrder(c, now, 0).catch(core.onError);
        }
      },
      marketVolume: (symbol) => core.deps.marketVolume?.(symbol) ?? 0,
      scheduled: (nextSliceMs, endsMs) => {
        if (isTerminal(rec.order.status) || st.cancelRequested) return;
        rec.order.schedule = { nextSliceUs: nextSliceMs * 1000, endsUs: endsMs * 1000 };
        core.publish(rec, { execType: ExecType.Status, timeUs: core.nowUs() }).catch(core.onError);
      },
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
  scheduleSettle(rec: OrderRecord): void {
    queueMicrotask(() => this.settle(rec, this.core.nowUs()));
  }

  /**
   * Creates, journals and (once durable) sends one child of `parentRec`. A child that would
   * commit more than the parent's qty, arrives after the parent ended or names an unknown
   * venue is created Denied, so the refusal is on the record and the algo learns of it.
   *
   * Children on the parent's side may together commit at most its qty; children on the other
   * side (a bracket's exits) at most what the parent filled. `riskCheck` (children a
   * conditional order's trigger released): the risk engine checks the child first, its
   * decision is journaled, and a refusal creates the child Denied with the risk code.
   * `refusal`: the caller already refused it (a routing failure, a risk check it ran). Returns
   * the child's id at once; `written` resolves once it is durable and was sent.
   */
  spawnChild(
    parentRec: OrderRecord,
    c: AlgoChild,
    postOnly: boolean,
    now: number,
    opts: { riskCheck?: boolean; refusal?: Reason } = {},
  ): { id: string; written: Promise<unknown> } {
    const core = this.core;
    const p = parentRec.order;
    const side = c.side ?? p.side;
    const siblings = core.store.children(p.orderId);
    const n = siblings.length + 1;
    let committed = 0;
    for (const k of siblings) if (k.order.side === side) committed += isTerminal(k.order.status) ? k.order.filledQty : k.order.qty;
    const cap = side === p.side ? p.qty : p.filledQty;
    const { rec, written } = core.create(
      {
        account: p.account,
        clientOrderId: `${p.clientOrderId}.${n}`,
        symbol: p.symbol,
        venue: c.venue,
        side,
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
    let refusal: Reason | null = opts.refusal ?? null;
    if (refusal !== null) {
      // given by the caller
    } else if (isTerminal(p.status) || parentRec.parent!.cancelRequested) refusal = { code: ErrorCode.OMS_ORDER_NOT_OPEN, message: 'parent order ended' };
    else if (!core.venues.has(c.venue)) refusal = { code: ErrorCode.OMS_UNKNOWN_VENUE, message: `unknown venue ${c.venue}` };
    else if (committed + c.qty > cap) refusal = { code: ErrorCode.OMS_CHILD_EXCEEDS_PARENT, message: 'children exceed the parent qty' };
    const writes = [written];
    if (refusal === null && opts.riskCheck === true) {
      const risk = core.deps.risk.checkNew(snapshot(rec));
      writes.push(core.append({
        kind: 'risk', timeUs: now, account: p.account, orderId: rec.order.orderId, clientOrderId: rec.order.clientOrderId,
        accepted: risk.ok, code: risk.ok ? '' : risk.reason.code, message: risk.ok ? '' : risk.reason.message,
      }));
      if (!risk.ok) refusal = risk.reason;
    }
    const id = rec.order.orderId;
    if (refusal !== null) {
      writes.push(core.deny(rec, refusal, now, 0));
      // Never call back into the algo from inside its own sendChild.
      queueMicrotask(() => this.childEnded(rec, now));
      return { id, written: Promise.all(writes) };
    }
    writes.push(core.submitted(rec, now, 0));
    return { id, written: Promise.all(writes).then(() => core.sendToVenue(rec)) };
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
    // A bracket's exits trade the other way: their fills are theirs (booked on the child), not the entry's.
    if (child.order.side === parent.order.side) this.rollUpFill(parent, e);
    parent.parent!.handle?.onChildFill(e.qty, child.order.orderId);
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
    // A bracket whose entry filled is not done: its exits are armed now (PendingTrigger).
    const full = p.conditional?.contingency === Contingency.Bracket ? OrderStatus.PendingTrigger : OrderStatus.Filled;
    const to = p.filledQty >= p.qty ? full : OrderStatus.PartiallyFilled;
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
    const last = children[children.length - 1];
    if (p.filledQty >= p.qty) {
      to = OrderStatus.Filled;
      execType = ExecType.Status;
    } else if (p.status === OrderStatus.Triggered && last?.order.status === OrderStatus.Denied) {
      // A trigger released a child the risk re-check refused (a halted market): Denied, with its code.
      to = OrderStatus.Denied;
      execType = ExecType.Denied;
      p.reasonCode = last.order.reasonCode;
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

  /** Stops the parent's timers and (conditional orders) its market-data watches. */
  clearTimers(rec: OrderRecord): void {
    const timers = rec.parent!.timers;
    for (const clear of [...timers]) clear();
    timers.clear();
  }
}
