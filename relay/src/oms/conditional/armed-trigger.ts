import { TriggerWatch, type OrderConditional, type Side, type TriggerType } from '@tickmesh/shared';
import type { ConditionalContext } from './conditional-port';

/**
 * One trigger armed on the relay's market data: a TriggerWatch (the pure rule, shared with
 * the browser's paper trading) fed by the context's price source, reporting an armed level,
 * each tightening of a trailing level and the firing. Fires at most once.
 */
export class ArmedTrigger {
  private readonly watch: TriggerWatch;
  private unwatch: (() => void) | null = null;
  private ended = false;

  /**
   * @param level the level to arm at: the order's own, or after a restart the journaled one
   *   (a trailing stop resumes where it had tightened to, never looser).
   */
  constructor(
    private readonly ctx: ConditionalContext,
    readonly type: TriggerType,
    side: Side,
    private readonly c: OrderConditional,
    level: number,
    private readonly onFire: (type: TriggerType, price: number) => void,
  ) {
    this.watch = new TriggerWatch(type, side, c, level);
  }

  get level(): number {
    return this.watch.level;
  }

  /**
   * Arms on the current price first: a level the market is already through fires now (both
   * the arming and the firing are on record), and a trailing stop starts one trail behind it.
   */
  arm(): void {
    if (this.ended) return;
    const now = this.ctx.price(this.c.triggerSource);
    const ev = Number.isNaN(now) ? null : this.watch.update(now);
    this.ctx.armed(this.watch.level);
    if (ev === 'fired') return this.fire(now);
    this.unwatch = this.ctx.watch(this.c.triggerSource, (p) => this.onPrice(p));
  }

  /** Stops watching; the trigger will not fire. */
  disarm(): void {
    this.ended = true;
    this.unwatch?.();
    this.unwatch = null;
  }

  private onPrice(price: number): void {
    if (this.ended) return;
    const ev = this.watch.update(price);
    if (ev === 'fired') this.fire(price);
    else if (ev === 'moved') this.ctx.levelMoved(this.watch.level);
  }

  private fire(price: number): void {
    this.disarm();
    this.ctx.fired(this.type, price);
    this.onFire(this.type, price);
  }
}
