import { OrderStatus, OrderType, TimeInForce, type Order } from '@tickmesh/shared';
import { ArmedTrigger } from './armed-trigger';
import type { ConditionalContext, ConditionalHandle } from './conditional-port';

/**
 * Stop-market, stop-limit, take-profit (market or limit) and trailing stop: armed at once;
 * when the trigger fires the order's own type and price go out as one child for what is
 * left (risk-checked again then), and the order ends with that child. A market child goes
 * IOC (what does not fill at once is not left resting); a limit child keeps the order's
 * time in force.
 */
export class StopOrder implements ConditionalHandle {
  private readonly trigger: ArmedTrigger;

  constructor(
    private readonly order: Order,
    private readonly ctx: ConditionalContext,
    level: number,
  ) {
    const c = order.conditional!;
    this.trigger = new ArmedTrigger(ctx, c.triggerType, order.side, c, level, () => this.release());
  }

  start(): this {
    this.trigger.arm();
    return this;
  }

  onChildFill(): void {}

  onChildDone(_childOrderId: string, _status: OrderStatus): void {}

  cancel(): void {
    this.trigger.disarm();
  }

  private release(): void {
    const o = this.order;
    const market = o.orderType === OrderType.Market;
    this.ctx.sendChild({
      side: o.side,
      venue: o.venue,
      price: market ? 0 : o.price,
      qty: o.qty - o.filledQty,
      orderType: o.orderType,
      timeInForce: market ? TimeInForce.IOC : o.timeInForce,
      riskCheck: true,
    });
    this.ctx.done();
  }
}
