import type { Order } from '@tickmesh/shared';
import type { AlgoContext, AlgoRouter } from './algo-port';
import type { ResolvedAlgoOptions } from './algo-options';
import { HorizonAlgo } from './horizon-algo';
import { planSlices, scheduledThrough, type SliceSchedule } from './slice-schedule';

/**
 * TWAP: `options.slices` IOC children evenly spaced over the horizon (see `planSlices`), the
 * first at once. Slice i tops the fills up to what the schedule wants by then, so lots a
 * slice did not fill roll into the next one; a slice due while a child is still working is
 * skipped and rolls likewise. Whatever is unfilled at the horizon is abandoned (`Expired`).
 */
export class TwapAlgo extends HorizonAlgo {
  readonly schedule: SliceSchedule;

  constructor(parent: Order, ctx: AlgoContext, options: ResolvedAlgoOptions, router?: AlgoRouter) {
    super(parent, ctx, options, router);
    this.schedule = planSlices(parent.qty, this.horizonMs, options.slices, options.minIntervalMs);
    // Even slice 0 goes through a timer: the OMS must hold the handle before reports arrive.
    this.at(this.t0, () => this.slice(0));
  }

  private slice(i: number): void {
    const { count, intervalMs } = this.schedule;
    const next = i + 1 < count ? this.t0 + (i + 1) * intervalMs : 0;
    if (next > 0) this.at(next, () => this.slice(i + 1));
    if (!this.childWorking) {
      const want = Math.min(scheduledThrough(this.parent.qty, count, i) - this.filledQty, this.remainingQty);
      if (want > 0) this.sendSlice(want);
    }
    this.announce(next);
  }
}
