/**
 * Counts risk denials per account and says when one account collects `threshold` of them
 * within `windowMs`: a runaway algo, a stuck retry loop or someone probing the limits. After an
 * alert the account is quiet for `windowMs`, so a storm yields one alert per window, not one
 * per order. Each account keeps a ring of its last `threshold` denial times.
 */
export class DenialMonitor {
  private readonly accounts = new Map<string, { times: Float64Array; next: number; count: number; quietUntil: number }>();

  /** threshold 0 = off. */
  constructor(
    private readonly threshold: number,
    private readonly windowMs: number,
  ) {}

  /** Records one denial; true when it completes a burst that deserves an alert. */
  record(account: string, nowMs: number): boolean {
    if (this.threshold === 0) return false;
    let a = this.accounts.get(account);
    if (a === undefined) {
      a = { times: new Float64Array(this.threshold), next: 0, count: 0, quietUntil: Number.NEGATIVE_INFINITY };
      this.accounts.set(account, a);
    }
    a.times[a.next] = nowMs;
    a.next = (a.next + 1) % this.threshold;
    if (a.count < this.threshold) a.count++;
    // After the write, `next` points at the oldest of the last `threshold` denials.
    const oldest = a.times[a.next];
    if (a.count < this.threshold || nowMs - oldest > this.windowMs || nowMs < a.quietUntil) return false;
    a.quietUntil = nowMs + this.windowMs;
    return true;
  }
}
