import { OrderType, TimeInForce, oppositeSide, type Order, type OrderStatus } from '@tickmesh/shared';
import type { ConditionalContext, ConditionalHandle, ResumeState } from './conditional-port';
import { OcoPair } from './oco-pair';

/**
 * A bracket: the entry goes out at once (the order's own type and price; the order was
 * risk-checked as placed). Once the entry ended with something filled — fully, or part
 * filled and then ended by the venue — the exits are armed as an opposite-side OCO sized to
 * what filled: a take-profit limit at `takeProfitPrice` and the stop-loss. Exits before the
 * entry ended would be sized to a fill still growing; a trader who cancels the bracket while
 * the entry is working cancels the exits with it (none are armed).
 */
export class BracketOrder implements ConditionalHandle {
  private readonly entryIds = new Set<string>();
  private entryFilled: number;
  private exits: OcoPair | null = null;
  private canceled = false;

  constructor(
    private readonly order: Order,
    private readonly ctx: ConditionalContext,
    private readonly level: number,
    private readonly resume?: ResumeState,
  ) {
    this.entryFilled = order.filledQty;
  }

  start(): this {
    // A bracket resumed after a restart was already armed: its entry is done.
    if (this.resume !== undefined) {
      this.armExits();
      return this;
    }
    const o = this.order;
    const market = o.orderType === OrderType.Market;
    const ids = this.ctx.sendChild({
      side: o.side, venue: o.venue, price: market ? 0 : o.price, qty: o.qty, orderType: o.orderType,
      timeInForce: market ? TimeInForce.IOC : o.timeInForce, riskCheck: false,
    });
    for (const id of ids) this.entryIds.add(id);
    if (ids.length === 0) this.ctx.done();
    return this;
  }

  onChildFill(qty: number, childOrderId: string): void {
    if (this.entryIds.has(childOrderId)) this.entryFilled += qty;
    else this.exits?.onFill(qty, childOrderId);
  }

  onChildDone(childOrderId: string, status: OrderStatus): void {
    if (this.entryIds.delete(childOrderId)) {
      if (this.entryIds.size > 0 || this.canceled) return;
      if (this.entryFilled === 0) return this.ctx.done();
      return this.armExits();
    }
    this.exits?.onDone(childOrderId, status);
  }

  cancel(): void {
    this.canceled = true;
    this.exits?.cancel();
  }

  private armExits(): void {
    const o = this.order;
    const c = o.conditional!;
    const side = oppositeSide(o.side);
    this.exits = new OcoPair(
      this.ctx,
      c,
      {
        side,
        venue: o.venue,
        qty: this.entryFilled,
        limitPrice: c.takeProfitPrice,
        timeInForce: TimeInForce.GTC,
        riskCheckLimit: true,
        stopLevel: this.level,
        filledBefore: this.resume?.exitFilled ?? 0,
        adoptLimit: this.resume?.open.filter((k) => k.side === side && k.price === c.takeProfitPrice).map((k) => k.orderId),
      },
      () => this.ctx.done(),
    );
    this.exits.start();
  }
}
