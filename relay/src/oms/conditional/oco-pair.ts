import { OrderType, TimeInForce, type OrderConditional, type OrderStatus, type Side } from '@tickmesh/shared';
import { ArmedTrigger } from './armed-trigger';
import type { ConditionalContext } from './conditional-port';

/** The two legs of one OCO: a resting limit leg and a stop held at the relay. */
export interface OcoLegs {
  side: Side;
  venue: string;
  /** Lots the pair may trade in all (an OCO's qty; a bracket's filled entry, see OcoPair.grow). */
  qty: number;
  /** The limit leg's price (an OCO's price; a bracket's take-profit). */
  limitPrice: number;
  timeInForce: TimeInForce;
  /** Risk-check the limit leg (a bracket's exits go out long after the order was checked). */
  riskCheckLimit: boolean;
  /** The stop's armed level (the order's own, or the journaled one after a restart). */
  stopLevel: number;
  /** Lots already filled before this pair started (a restart). Default 0. */
  filledBefore?: number;
  /**
   * Limit-leg children still open from before a restart, with the lots each has left:
   * adopted instead of sent again; only what they leave uncovered of the rest goes out.
   */
  adoptLimit?: Array<{ orderId: string; leaves: number }>;
}

/**
 * One cancels the other. The limit leg rests at the venue at once; the stop waits at the
 * relay. When the stop fires, the limit leg is canceled first and the stop's child goes out
 * for what is left once that cancel is done — so the two can never together trade more than
 * the pair's qty (the limit leg may still fill while its cancel travels). When the limit leg
 * ends on its own — filled, or canceled / expired / rejected by the venue — the stop is
 * disarmed. The stop child is risk-checked (the market may have halted meanwhile).
 * Shared by OCO orders and a bracket's exits.
 */
export class OcoPair {
  private readonly stop: ArmedTrigger;
  private readonly legs: OcoLegs;
  private readonly limitIds = new Set<string>();
  private readonly stopIds = new Set<string>();
  private filled: number;
  private fired = false;
  private ended = false;

  constructor(
    private readonly ctx: ConditionalContext,
    private readonly c: OrderConditional,
    legs: OcoLegs,
    private readonly onEnd: () => void,
  ) {
    // Our own copy: a bracket's exits grow (qty) as its entry fills.
    this.legs = { ...legs };
    this.filled = legs.filledBefore ?? 0;
    this.stop = new ArmedTrigger(ctx, c.triggerType, legs.side, c, legs.stopLevel, () => this.onFire());
  }

  /** True if `orderId` is one of this pair's children. */
  owns(orderId: string): boolean {
    return this.limitIds.has(orderId) || this.stopIds.has(orderId);
  }

  /** The stop's level now (a trailing stop's tightens). */
  get level(): number {
    return this.stop.level;
  }

  /** False once the pair ended (one leg done, or canceled). */
  get live(): boolean {
    return !this.ended;
  }

  start(): void {
    let covered = 0;
    for (const k of this.legs.adoptLimit ?? []) {
      this.limitIds.add(k.orderId);
      covered += k.leaves;
    }
    if (!this.sendLimit(this.legs.qty - this.filled - covered)) return this.end();
    // The limit leg may have been refused synchronously already; its end arrives later (onDone).
    this.stop.arm();
  }

  /**
   * The pair may now trade `qty` in all (a bracket's entry filled more): the limit leg grows
   * by one more child for the difference. Once the stop fired nothing is sent here: its
   * child, when it goes out, is sized to the qty then.
   */
  grow(qty: number): void {
    const more = qty - this.legs.qty;
    if (more <= 0 || this.ended) return;
    this.legs.qty = qty;
    if (!this.fired) this.sendLimit(more);
  }

  onFill(qty: number, _orderId: string): void {
    this.filled += qty;
  }

  onDone(orderId: string, _status: OrderStatus): void {
    if (this.limitIds.delete(orderId)) {
      if (this.limitIds.size > 0) return;
      if (this.fired) return this.sendStop();
      // The limit leg ended on its own (filled, or ended by the venue): the other is canceled.
      this.stop.disarm();
      return this.end();
    }
    if (this.stopIds.delete(orderId) && this.stopIds.size === 0) this.end();
  }

  /** The order was canceled: the stop is disarmed (the OMS cancels the open children). */
  cancel(): void {
    this.stop.disarm();
    this.ended = true;
  }

  private onFire(): void {
    this.fired = true;
    if (this.limitIds.size === 0) return this.sendStop();
    for (const id of this.limitIds) this.ctx.cancelChild(id);
  }

  /** Sends a limit-leg child for `qty` (none for 0); false if nothing could be created. */
  private sendLimit(qty: number): boolean {
    if (qty <= 0) return true;
    const l = this.legs;
    const ids = this.ctx.sendChild({
      side: l.side, venue: l.venue, price: l.limitPrice, qty, orderType: OrderType.Limit, timeInForce: l.timeInForce, riskCheck: l.riskCheckLimit,
    });
    for (const id of ids) this.limitIds.add(id);
    return ids.length > 0;
  }

  private sendStop(): void {
    const rest = this.legs.qty - this.filled;
    if (rest <= 0 || this.ended) return this.end();
    const limit = this.c.stopLimitPrice > 0;
    const ids = this.ctx.sendChild({
      side: this.legs.side,
      venue: this.legs.venue,
      price: limit ? this.c.stopLimitPrice : 0,
      qty: rest,
      orderType: limit ? OrderType.Limit : OrderType.Market,
      timeInForce: limit ? this.legs.timeInForce : TimeInForce.IOC,
      riskCheck: true,
    });
    for (const id of ids) this.stopIds.add(id);
    if (ids.length === 0) this.end();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
  }
}
