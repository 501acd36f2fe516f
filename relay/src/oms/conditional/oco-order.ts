import { type Order, type OrderStatus } from '@tickmesh/shared';
import type { ConditionalContext, ConditionalHandle, ResumeState } from './conditional-port';
import { OcoPair } from './oco-pair';

/** An OCO order: its limit leg at the order's price and its stop (see OcoPair), same side and qty. */
export class OcoOrder implements ConditionalHandle {
  private readonly pair: OcoPair;

  constructor(order: Order, private readonly ctx: ConditionalContext, level: number, resume?: ResumeState) {
    const c = order.conditional!;
    this.pair = new OcoPair(
      ctx,
      c,
      {
        side: order.side,
        venue: order.venue,
        qty: order.qty,
        limitPrice: order.price,
        timeInForce: order.timeInForce,
        riskCheckLimit: false,
        stopLevel: level,
        filledBefore: order.filledQty,
        // After a restart: a limit leg the venue kept (same side, at the order's price) is the one still working.
        adoptLimit: resume?.open.filter((k) => k.side === order.side && k.price === order.price).map((k) => ({ orderId: k.orderId, leaves: k.qty - k.filledQty })),
      },
      () => this.ctx.done(),
    );
  }

  start(): this {
    this.pair.start();
    return this;
  }

  onChildFill(qty: number, childOrderId: string): void {
    this.pair.onFill(qty, childOrderId);
  }

  onChildDone(childOrderId: string, status: OrderStatus): void {
    this.pair.onDone(childOrderId, status);
  }

  cancel(): void {
    this.pair.cancel();
  }
}
