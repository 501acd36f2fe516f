import { ErrorCode, ExecType, OrderStatus, type TriggerType } from '@tickmesh/shared';
import { startConditional, type ConditionalChild, type ConditionalContext, type ResumeState } from './conditional/index';
import { cancelOutstanding, snapshot, type OmsCore } from './oms-core';
import type { OrderRecord } from './order-record';
import { canTransition, isTerminal, orderStatusName } from './order-transitions';
import type { CancelOrder, ParentOrders } from './parent-orders';

const noop = (): void => {};

/**
 * Conditional orders (stop, take-profit, trailing, OCO, bracket) as parents the OMS holds:
 * the same seam as the execution algos (ParentOrders: children, roll-up, cancel, settle), with
 * a handle from ./conditional driven by the relay's market data (core.triggers) instead of
 * timers. Nothing of a conditional order reaches a venue before its trigger fires (OCO:
 * the limit leg; bracket: the entry), so it works with every browser closed.
 */
export class ConditionalParents {
  constructor(
    private readonly core: OmsCore,
    private readonly parents: ParentOrders,
    private readonly cancelOrder: CancelOrder,
  ) {}

  /**
   * Submits the (risk-checked) order and starts its handle. `resume`: re-arms an order that
   * was armed before a restart (no new Submitted record; the handle adopts surviving legs).
   */
  start(rec: OrderRecord, now: number, requestId: number, resume?: ResumeState): Promise<unknown> {
    const writes = resume === undefined ? [this.core.submitted(rec, now, requestId)] : [];
    const st = rec.parent!;
    const handle = startConditional(snapshot(rec), this.context(rec, writes), resume);
    // The handle may have ended the order from inside start (a trigger already crossed, a refused leg).
    if (!isTerminal(rec.order.status) && !st.cancelRequested) st.handle = handle;
    return Promise.all(writes);
  }

  private context(rec: OrderRecord, startWrites: Promise<unknown>[]): ConditionalContext {
    const core = this.core;
    const o = rec.order;
    const st = rec.parent!;
    const ended = () => isTerminal(o.status) || st.cancelRequested;
    // Reports made while starting are awaited by newOrder; later ones are the journal's alone.
    let starting = true;
    queueMicrotask(() => (starting = false));
    const track = (w: Promise<unknown>) => {
      if (starting) startWrites.push(w);
      else w.catch(core.onError);
    };
    const moveTo = (to: OrderStatus): boolean => {
      if (o.status === to) return true;
      if (!canTransition(o.status, to)) {
        core.alert(ErrorCode.OMS_INVALID_TRANSITION, o.account, o.symbol, `${o.orderId}: conditional ${orderStatusName[o.status]} cannot become ${orderStatusName[to]}`, core.nowUs());
        return false;
      }
      core.move(rec, to);
      rec.working = to;
      return true;
    };
    return {
      sendChild: (child) => this.sendChild(rec, child, track),
      cancelChild: (orderId) => {
        const c = core.store.get(orderId);
        if (c !== undefined && !isTerminal(c.order.status) && !cancelOutstanding(c)) track(this.cancelOrder(c, core.nowUs(), 0));
      },
      price: (source) => core.deps.marketPrice?.(o.symbol, o.venue, source) ?? Number.NaN,
      watch: (source, fn) => {
        if (ended()) return noop;
        const stop = core.triggers.watch(o.symbol, o.venue, source, fn);
        // Kept with the parent's timers: whatever ends the parent stops its watches too.
        st.timers.add(stop);
        return () => {
          st.timers.delete(stop);
          stop();
        };
      },
      armed: (level) => {
        const t = o.trigger!;
        if (ended() || (o.status === OrderStatus.PendingTrigger && t.triggerPrice === level)) return;
        const first = o.status === OrderStatus.Submitted;
        t.triggerPrice = level;
        if (!moveTo(OrderStatus.PendingTrigger)) return;
        track(core.publish(rec, { execType: first ? ExecType.New : ExecType.Status, timeUs: core.nowUs() }));
      },
      levelMoved: (level) => {
        if (ended()) return;
        o.trigger!.triggerPrice = level;
        track(core.publish(rec, { execType: ExecType.Status, timeUs: core.nowUs() }));
      },
      fired: (trigger: TriggerType, price: number) => {
        if (ended()) return;
        const t = o.trigger!;
        t.firedTrigger = trigger;
        t.firedPrice = price;
        if (!moveTo(OrderStatus.Triggered)) return;
        track(core.publish(rec, { execType: ExecType.Triggered, timeUs: core.nowUs() }));
      },
      done: (outcome) => {
        if (outcome !== undefined) st.outcome = { ...outcome };
        st.complete = true;
        this.parents.scheduleSettle(rec);
      },
    };
  }

  /**
   * One child, or for venue '' one per leg the router plans. The risk check runs once, on the
   * child as the trader's order would be, before routing; a refused or unroutable child is
   * created Denied, so the refusal is on the record and the handle hears of it.
   */
  private sendChild(rec: OrderRecord, child: ConditionalChild, track: (w: Promise<unknown>) => void): string[] {
    const core = this.core;
    const now = core.nowUs();
    const o = rec.order;
    const req = { side: child.side, venue: child.venue, price: child.price, qty: child.qty, orderType: child.orderType, timeInForce: child.timeInForce };
    if (child.venue !== '') {
      const { id, written } = this.parents.spawnChild(rec, req, false, now, { riskCheck: child.riskCheck });
      track(written);
      return [id];
    }
    const intent = { ...snapshot(rec), ...req, conditional: undefined, algo: o.algo, displayQty: 0, durationMs: 0 };
    if (child.riskCheck) {
      const risk = core.deps.risk.checkNew(intent);
      track(core.append({
        kind: 'risk', timeUs: now, account: o.account, orderId: o.orderId, clientOrderId: o.clientOrderId,
        accepted: risk.ok, code: risk.ok ? '' : risk.reason.code, message: risk.ok ? '' : risk.reason.message,
      }));
      if (!risk.ok) {
        const { id, written } = this.parents.spawnChild(rec, req, false, now, { refusal: risk.reason });
        track(written);
        return [id];
      }
    }
    const plan = core.deps.router.route(intent);
    if (!plan.ok || plan.value.length === 0) {
      const refusal = plan.ok ? { code: ErrorCode.OMS_NO_ROUTE, message: 'empty routing plan' } : plan.reason;
      const { id, written } = this.parents.spawnChild(rec, req, false, now, { refusal });
      track(written);
      return [id];
    }
    return plan.value.map((leg) => {
      const { id, written } = this.parents.spawnChild(
        rec,
        { side: child.side, venue: leg.venue, price: leg.price, qty: leg.qty, orderType: leg.orderType ?? child.orderType, timeInForce: leg.timeInForce ?? child.timeInForce },
        false,
        now,
      );
      track(written);
      return id;
    });
  }
}
