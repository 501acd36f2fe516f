import { OrderType, TimeInForce, oppositeSide, type Order, type OrderStatus } from '@tickmesh/shared';
import type { ConditionalContext, ConditionalHandle, ResumeState } from './conditional-port';
import { OcoPair } from './oco-pair';

/**
 * A bracket: the entry goes out at once (the order's own type and price; the order was
 * risk-checked as placed). From the entry's first fill the exits are armed as an
 * opposite-side OCO — a take-profit limit at `takeProfitPrice` and the stop-loss — sized to
 * what filled, and each further entry fill grows them to the new filled qty: a part fill is
 * a position now, and an entry that works for long (a GTC limit) must not leave it without
 * exits meanwhile. The bracket shows PendingTrigger once the entry ended (filled, or ended
 * part-filled by the venue); while it works the order shows the entry's PartiallyFilled.
 * When an exit fires or the take-profit ends, what is left of the entry is canceled: the
 * trade is over, and a later entry fill would be a position with no exits.
 *
 * After a restart (`resume`) the same state is rebuilt: the entry children a venue kept are
 * adopted and keep working, the exits are armed for what the entry filled so far, and the
 * take-profit children a venue kept are adopted (only what they do not cover is sent).
 */
export class BracketOrder implements ConditionalHandle {
  private readonly entryIds = new Set<string>();
  private entryFilled: number;
  private exits: OcoPair | null = null;
  private canceled = false;
  /** Fills of one venue answer (a market entry walking the book) grow the exits once. */
  private syncPending = false;
  /** What the exits see: the order is shown armed only once the entry ended (see above). */
  private readonly exitCtx: ConditionalContext;

  constructor(
    private readonly order: Order,
    private readonly ctx: ConditionalContext,
    private readonly level: number,
    private readonly resume?: ResumeState,
  ) {
    this.entryFilled = order.filledQty;
    this.exitCtx = {
      ...ctx,
      armed: (lvl) => {
        if (this.entryIds.size === 0) ctx.armed(lvl);
      },
      fired: (trigger, price) => {
        this.cancelEntry();
        ctx.fired(trigger, price);
      },
    };
  }

  start(): this {
    const o = this.order;
    if (this.resume !== undefined) {
      // Entry children still open are the ones their venue kept (lost ones were closed first).
      for (const k of this.resume.open) if (k.side === o.side) this.entryIds.add(k.orderId);
      if (this.entryFilled > 0) this.armExits();
      else if (this.entryIds.size === 0) this.ctx.done();
      return this;
    }
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
    if (!this.entryIds.has(childOrderId)) return this.exits?.onFill(qty, childOrderId);
    this.entryFilled += qty;
    if (this.syncPending) return;
    this.syncPending = true;
    queueMicrotask(() => this.syncExits());
  }

  onChildDone(childOrderId: string, status: OrderStatus): void {
    if (!this.entryIds.delete(childOrderId)) return this.exits?.onDone(childOrderId, status);
    if (this.entryIds.size > 0 || this.canceled) return;
    this.syncExits();
    if (this.exits === null) return this.ctx.done();
    // The entry is over and the exits still wait: the order is armed now.
    if (this.exits.live) this.ctx.armed(this.exits.level);
  }

  cancel(): void {
    this.canceled = true;
    this.exits?.cancel();
  }

  /** Arms the exits for what the entry filled, or grows them to it. */
  private syncExits(): void {
    this.syncPending = false;
    if (this.canceled || this.entryFilled === 0) return;
    if (this.exits === null) this.armExits();
    else this.exits.grow(this.entryFilled);
  }

  private cancelEntry(): void {
    for (const id of this.entryIds) this.ctx.cancelChild(id);
  }

  private armExits(): void {
    const o = this.order;
    const c = o.conditional!;
    const side = oppositeSide(o.side);
    this.exits = new OcoPair(
      this.exitCtx,
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
        adoptLimit: this.resume?.open
          .filter((k) => k.side === side && k.orderType === OrderType.Limit && k.price === c.takeProfitPrice)
          .map((k) => ({ orderId: k.orderId, leaves: k.qty - k.filledQty })),
      },
      () => {
        this.cancelEntry();
        this.ctx.done();
      },
    );
    this.exits.start();
  }
}
