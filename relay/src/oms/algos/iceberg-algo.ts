import { ErrorCode, OrderStatus, type Order } from '@tickmesh/shared';
import type { AlgoContext, AlgoRouter } from './algo-port';
import { ChildAlgo, type ClipOutcome } from './child-algo';

/**
 * Iceberg: one clip resting at the parent's limit, showing `displayQty` lots (the last one
 * only what is left), with the parent's time in force (GTC or Day), on the parent's venue;
 * for venue '' the router places it (any part marketable on arrival takes first, the rest
 * rests at the cheapest maker venue). When a clip is completely filled the next is sent,
 * until the parent is filled. A clip that ends otherwise (canceled outside the algo,
 * rejected, denied, expired, or a taking leg that missed) ends the algo: refilling would
 * just repeat the failure, and not knowing why, stopping is the safe side.
 */
export class IcebergAlgo extends ChildAlgo {
  private readonly displayQty: number;
  private pumping = false;
  private again = false;

  constructor(parent: Order, ctx: AlgoContext, router?: AlgoRouter) {
    super(parent, ctx, router);
    this.displayQty = Math.min(parent.displayQty, parent.qty);
    // Through a timer so the OMS holds the handle before the first child reports.
    this.at(ctx.nowMs(), () => this.refill());
  }

  protected clipEnded(outcome: ClipOutcome): void {
    if (outcome.filled >= outcome.qty) return this.refill();
    const expired = outcome.statuses.includes(OrderStatus.Expired);
    this.finish(expired ? OrderStatus.Expired : OrderStatus.Canceled, ErrorCode.OMS_ALGO_CHILD_ENDED, false);
  }

  /**
   * Trampoline: a venue that fills a clip synchronously inside `sendChild` calls back into
   * `clipEnded` → `refill`; looping here instead of recursing keeps the stack flat however
   * many clips fill at once.
   */
  private refill(): void {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        if (this.ended || this.childWorking || this.remainingQty === 0) break;
        const p = this.parent;
        const sent = this.sendClip(Math.min(this.displayQty, this.remainingQty), p.price, p.orderType, p.timeInForce);
        // A resting limit always routes; a failure here (symbol or venue gone) is final.
        if (typeof sent === 'string') this.finish(OrderStatus.Canceled, sent, false);
      } while (this.again);
    } finally {
      this.pumping = false;
    }
  }
}
