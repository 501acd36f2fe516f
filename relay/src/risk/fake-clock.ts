/**
 * Test support: a manual clock with timers, for `RiskDeps.nowMs` and `RiskDeps.setTimer`.
 * Time moves only in `advance`, which runs due timers in time order at their due time, so
 * tests of throttles, windows and halts never depend on real time.
 */
export class FakeClock {
  private timers: Array<{ at: number; seq: number; fn: () => void }> = [];
  private seq = 0;

  constructor(public now = 0) {}

  readonly nowMs = (): number => this.now;

  readonly setTimer = (fn: () => void, delayMs: number): (() => void) => {
    const timer = { at: this.now + delayMs, seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  };

  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, running every timer that falls due on the way. */
  advance(ms: number): void {
    const target = this.now + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.now = due.at;
      due.fn();
    }
    this.now = target;
  }
}
