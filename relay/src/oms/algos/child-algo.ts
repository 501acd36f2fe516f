import { Algo, ErrorCode, OrderStatus, type Order, type OrderType, type TimeInForce } from '@tickmesh/shared';
import type { AlgoContext, AlgoDone, AlgoHandle, AlgoRouter } from './algo-port';

const TERMINAL: ReadonlySet<OrderStatus> = new Set<OrderStatus>([
  OrderStatus.Filled,
  OrderStatus.Canceled,
  OrderStatus.Expired,
  OrderStatus.Rejected,
  OrderStatus.Denied,
]);

/** How a clip (one slice or iceberg child, possibly split into venue legs) ended. */
export interface ClipOutcome {
  /** Lots the clip asked for. */
  qty: number;
  /** Lots filled while the clip worked. */
  filled: number;
  /** Terminal status of every leg, in the order they ended. */
  statuses: OrderStatus[];
}

/**
 * What every algo shares: fill accounting, timers that die with the algo, and at most one
 * clip working at a time. One clip at a time is what lets an algo attribute `onChildDone`
 * without knowing child ids (the port never tells it): the clip's legs are counted and the
 * clip ends when they all have. It also bounds exposure: a clip is at most the remaining
 * quantity, so fills can never exceed the parent.
 */
export abstract class ChildAlgo implements AlgoHandle {
  private filled: number;
  private sent = 0;
  /** Legs of the working clip not yet ended. */
  private legs = 0;
  private clipQty = 0;
  private clipFilledBefore = 0;
  private clipStatuses: OrderStatus[] = [];
  private done: AlgoDone | undefined;
  private readonly timers = new Set<() => void>();

  constructor(
    protected readonly parent: Order,
    protected readonly ctx: AlgoContext,
    private readonly router: AlgoRouter | undefined,
  ) {
    // A recovered parent may already carry fills from before a restart.
    this.filled = parent.filledQty;
  }

  /** Lots filled so far (including any the parent had when the algo started). */
  get filledQty(): number {
    return this.filled;
  }

  /** Lots sent as children so far. */
  get sentQty(): number {
    return this.sent;
  }

  /** Lots still to fill. */
  get remainingQty(): number {
    return Math.max(0, this.parent.qty - this.filled);
  }

  /** True while a clip has a leg working. */
  get childWorking(): boolean {
    return this.legs > 0;
  }

  /** How the algo ended, undefined while it runs. */
  get result(): AlgoDone | undefined {
    return this.done;
  }

  onChildFill(qty: number): void {
    if (this.done) return;
    this.filled += qty;
    if (this.filled >= this.parent.qty) this.finish(OrderStatus.Filled, '', false);
  }

  onChildDone(_childOrderId: string, status: OrderStatus): void {
    // Non-terminal reports (Accepted, PartiallyFilled …) do not free the slot.
    if (this.done || this.legs === 0 || !TERMINAL.has(status)) return;
    this.clipStatuses.push(status);
    if (--this.legs > 0) return;
    this.clipEnded({ qty: this.clipQty, filled: this.filled - this.clipFilledBefore, statuses: this.clipStatuses });
  }

  /** The parent was canceled: nothing more is sent and the working clip is canceled. */
  cancel(): void {
    if (!this.done) this.finish(OrderStatus.Canceled, ErrorCode.OMS_ALGO_CANCELED, true, true);
  }

  /** Reacts to every leg of the working clip having ended (the slot is already free). */
  protected abstract clipEnded(outcome: ClipOutcome): void;

  /**
   * Sends one clip, the caller having checked that none is working. With a router and the
   * parent on venue '' the clip is split into venue legs here, each one child. Returns the
   * number of legs sent: 0 when the router found nothing to do (a missed IOC slice), or
   * the router's failure code.
   */
  protected sendClip(qty: number, price: number, orderType: OrderType, timeInForce: TimeInForce): number | string {
    let legs: Array<{ venue: string; price: number; qty: number; orderType: OrderType; timeInForce: TimeInForce }>;
    if (this.router && this.parent.venue === '') {
      const res = this.router.route({ ...this.parent, price, qty, orderType, timeInForce, algo: Algo.None, displayQty: 0, durationMs: 0 });
      if (!res.ok) return res.reason.code;
      legs = res.value.map((c) => ({
        venue: c.venue,
        price: c.price,
        qty: c.qty,
        orderType: c.orderType ?? orderType,
        timeInForce: c.timeInForce ?? timeInForce,
      }));
    } else {
      legs = [{ venue: this.parent.venue, price, qty, orderType, timeInForce }];
    }
    if (legs.length === 0) return 0;
    // All state first: the OMS may report fills and done synchronously from inside sendChild,
    // and the clip must not look finished after its first leg.
    this.legs = legs.length;
    this.clipQty = qty;
    this.clipFilledBefore = this.filled;
    this.clipStatuses = [];
    for (const leg of legs) {
      this.sent += leg.qty;
      this.ctx.sendChild(leg);
    }
    return legs.length;
  }

  /** Runs `fn` at absolute time `atMs` (ms on the context clock) unless the algo has ended. */
  protected at(atMs: number, fn: () => void): void {
    let fired = false;
    const holder: { cancel?: () => void } = {};
    holder.cancel = this.ctx.setTimer(Math.max(0, atMs - this.ctx.nowMs()), () => {
      fired = true;
      if (holder.cancel) this.timers.delete(holder.cancel);
      if (!this.done) fn();
    });
    if (!fired) this.timers.add(holder.cancel);
  }

  protected get ended(): boolean {
    return this.done !== undefined;
  }

  /**
   * Ends the algo once: no timer fires afterwards, `cancelWorking` cancels a working clip,
   * then the OMS hears it. Marked done before cancelling, so a synchronous cancel report is
   * not mistaken for a clip ending on its own. `ctx.done()` is skipped when the OMS started
   * the end itself (`fromCancel`).
   */
  protected finish(status: OrderStatus, reasonCode: string, cancelWorking: boolean, fromCancel = false): void {
    if (this.done) return;
    this.done = { status, reasonCode, filledQty: this.filled };
    for (const cancel of this.timers) cancel();
    this.timers.clear();
    if (cancelWorking && this.legs > 0) this.ctx.cancelChildren();
    if (!fromCancel) this.ctx.done?.();
    this.ctx.onDone?.(this.done);
  }
}
