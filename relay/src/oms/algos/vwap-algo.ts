import type { Order } from '@tickmesh/shared';
import type { AlgoContext, AlgoRouter } from './algo-port';
import type { ResolvedAlgoOptions } from './algo-options';
import { HorizonAlgo } from './horizon-algo';
import { planSlices } from './slice-schedule';

/** Absorbs float error such as 0.1 * 30 = 3.0000000000000004 or 0.29 * 100 = 28.999999999999996. */
const EPSILON = 1e-9;

/**
 * VWAP by participation: every interval (the TWAP grid, first one interval after start, the
 * last at the horizon) sends one IOC child of `participationRate` × the lots the market
 * traded since the last child, at least 1 lot and at most the remaining quantity. No market
 * volume, no child: participating in a silent market would make the algo the whole market.
 * There is no catch-up: the algo follows the market's pace and expires with the rest unfilled.
 * While a child is working the interval is skipped and its volume counts towards the next.
 */
export class VwapAlgo extends HorizonAlgo {
  private lastVolume: number;
  private readonly intervalMs: number;
  private readonly ticks: number;

  constructor(parent: Order, ctx: AlgoContext, options: ResolvedAlgoOptions, router?: AlgoRouter) {
    super(parent, ctx, options, router);
    this.lastVolume = ctx.marketVolume(parent.symbol);
    const plan = planSlices(Number.MAX_SAFE_INTEGER, this.horizonMs, options.slices, options.minIntervalMs);
    this.intervalMs = plan.intervalMs;
    this.ticks = plan.count;
    if (this.ticks > 1) this.at(this.t0 + this.intervalMs, () => this.tick(1));
    this.announce(this.nextAfter(0));
  }

  /** Interval `k` of `ticks`; the last one runs from the horizon handler, so it never races it. */
  private tick(k: number): void {
    if (k + 1 < this.ticks) this.at(this.t0 + (k + 1) * this.intervalMs, () => this.tick(k + 1));
    this.participate();
    this.announce(this.nextAfter(k));
  }

  /** When the interval after `k` is due: the next tick, or the horizon, whose handler runs the last one. */
  private nextAfter(k: number): number {
    return k + 1 < this.ticks ? this.t0 + (k + 1) * this.intervalMs : this.t0 + this.horizonMs;
  }

  protected override beforeHorizon(): void {
    this.participate();
  }

  private participate(): void {
    if (this.childWorking) return;
    const volume = this.ctx.marketVolume(this.parent.symbol);
    const traded = volume - this.lastVolume;
    if (traded <= 0) return;
    this.lastVolume = volume;
    const qty = Math.min(this.remainingQty, Math.max(1, Math.floor(this.options.participationRate * traded + EPSILON)));
    if (qty > 0) this.sendSlice(qty);
  }
}
