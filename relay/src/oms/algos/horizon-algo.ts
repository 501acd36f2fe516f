import { ErrorCode, OrderStatus, TimeInForce, type Order } from '@tickmesh/shared';
import type { AlgoContext, AlgoRouter } from './algo-port';
import type { ResolvedAlgoOptions } from './algo-options';
import { ChildAlgo, type ClipOutcome } from './child-algo';

/**
 * A time-boxed algo (TWAP, VWAP): sends IOC clips on a clock from `t0` until `t0 +
 * horizon`, then stops. IOC children end within a venue round trip, so at the horizon the
 * algo waits for a clip still in flight (up to `horizonGraceMs`, then cancels it) and
 * reports `Expired` with whatever is unfilled abandoned.
 */
export abstract class HorizonAlgo extends ChildAlgo {
  protected readonly t0: number;
  protected readonly horizonMs: number;
  private ending = false;

  constructor(
    parent: Order,
    ctx: AlgoContext,
    protected readonly options: ResolvedAlgoOptions,
    router: AlgoRouter | undefined,
  ) {
    super(parent, ctx, router);
    this.t0 = ctx.nowMs();
    this.horizonMs = parent.durationMs > 0 ? parent.durationMs : options.defaultDurationMs;
    this.at(this.t0 + this.horizonMs, () => this.horizonReached());
  }

  /**
   * Sends `qty` as an IOC clip at the parent's limit (market parents: market; the router
   * turns it into limits within its protection band). A clip the router cannot place (no
   * liquidity within the limit) is simply a slice that filled nothing.
   */
  protected sendSlice(qty: number): void {
    this.sendClip(qty, this.parent.price, this.parent.orderType, TimeInForce.IOC);
  }

  /** Tells the OMS when the next slice is due (`atMs`, 0 = none to come) and when the horizon closes. */
  protected announce(atMs: number): void {
    if (!this.ended) this.ctx.scheduled?.(atMs, this.t0 + this.horizonMs);
  }

  /** Last chance to send before the horizon closes (VWAP's final interval). */
  protected beforeHorizon(): void {}

  protected clipEnded(_outcome: ClipOutcome): void {
    // A rejected or denied slice is not fatal: its lots roll into the next slice.
    if (this.ending) this.expire();
  }

  private horizonReached(): void {
    this.beforeHorizon();
    if (this.ended) return;
    this.announce(0);
    this.ending = true;
    if (!this.childWorking) return this.expire();
    this.at(this.t0 + this.horizonMs + this.options.horizonGraceMs, () =>
      this.finish(OrderStatus.Expired, ErrorCode.OMS_ALGO_HORIZON_ENDED, true),
    );
  }

  private expire(): void {
    this.finish(OrderStatus.Expired, ErrorCode.OMS_ALGO_HORIZON_ENDED, false);
  }
}
