import type { MeshClock, MeshTimer } from '../mesh-transport';

/**
 * Discrete-event scheduler for the in-process mesh simulation: a binary heap of (time, order)
 * keyed callbacks and the virtual clock they advance. Ties run in scheduling order, so a run
 * is fully deterministic. Cancelled timers stay in the heap and are skipped when popped.
 */
export class EventQueue implements MeshClock {
  private times: number[] = [];
  private orders: number[] = [];
  private fns: ((() => void) | undefined)[] = [];
  private ids: number[] = [];
  private readonly cancelled = new Set<number>();
  private seq = 0;
  private t = 0;
  /** Events run so far. */
  executed = 0;

  now(): number {
    return this.t;
  }

  setTimer(delayMs: number, fn: () => void): MeshTimer {
    return this.at(this.t + Math.max(0, delayMs), fn);
  }

  clearTimer(timer: MeshTimer): void {
    this.cancelled.add(timer as number);
  }

  /** Schedules `fn` at absolute time `time`; returns its id. */
  at(time: number, fn: () => void): number {
    const id = ++this.seq;
    let i = this.times.length;
    this.times.push(time);
    this.orders.push(id);
    this.fns.push(fn);
    this.ids.push(id);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
    return id;
  }

  /** Time of the next event (Infinity when none). */
  peekTime(): number {
    return this.times.length ? this.times[0]! : Infinity;
  }

  /** Runs the next event; false when none is left. */
  step(): boolean {
    if (!this.times.length) return false;
    const time = this.times[0]!;
    const fn = this.fns[0]!;
    const id = this.ids[0]!;
    const last = this.times.length - 1;
    this.swap(0, last);
    this.times.pop(); this.orders.pop(); this.fns.pop(); this.ids.pop();
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.times.length && this.less(l, m)) m = l;
      if (r < this.times.length && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    if (this.cancelled.delete(id)) return true;
    if (time > this.t) this.t = time;
    this.executed++;
    fn();
    return true;
  }

  /** Runs every event up to and including `time`, then sets the clock to `time`. */
  runUntil(time: number): void {
    while (this.times.length && this.times[0]! <= time) this.step();
    if (time > this.t) this.t = time;
  }

  private less(a: number, b: number): boolean {
    return this.times[a]! < this.times[b]! || (this.times[a] === this.times[b] && this.orders[a]! < this.orders[b]!);
  }

  private swap(a: number, b: number): void {
    [this.times[a], this.times[b]] = [this.times[b]!, this.times[a]!];
    [this.orders[a], this.orders[b]] = [this.orders[b]!, this.orders[a]!];
    [this.fns[a], this.fns[b]] = [this.fns[b], this.fns[a]];
    [this.ids[a], this.ids[b]] = [this.ids[b]!, this.ids[a]!];
  }
}
