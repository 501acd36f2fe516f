/**
 * Brute-force guard: counts failed attempts per key (a remote address) in fixed one-minute
 * windows and refuses further attempts once a key reaches the limit, until its window ends.
 * Only failures count, so a client using valid keys is never slowed down. Memory is bounded:
 * stale windows are dropped, and past `maxKeys` the oldest key is forgotten first (an
 * attacker rotating addresses gains nothing a single address would not already have).
 */
export class FailedAttemptLimiter {
  private readonly windows = new Map<string, { startMs: number; failures: number }>();

  /**
   * @param maxFailures failures allowed per key per window.
   * @param windowMs window length. Default 60 000 ms.
   * @param now clock in ms. Default `Date.now`.
   * @param maxKeys keys tracked at once. Default 10 000.
   */
  constructor(
    private readonly maxFailures: number,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 10_000,
  ) {}

  /** Milliseconds until `key` may try again, or 0 when it may try now. */
  retryAfterMs(key: string): number {
    const w = this.current(key);
    if (!w || w.failures < this.maxFailures) return 0;
    return Math.max(1, w.startMs + this.windowMs - this.now());
  }

  /** Records one failed attempt by `key`. */
  fail(key: string): void {
    const w = this.current(key);
    if (w) {
      w.failures++;
      return;
    }
    if (this.windows.size >= this.maxKeys) this.evict();
    this.windows.set(key, { startMs: this.now(), failures: 1 });
  }

  private current(key: string): { startMs: number; failures: number } | undefined {
    const w = this.windows.get(key);
    if (w && this.now() - w.startMs >= this.windowMs) {
      this.windows.delete(key);
      return undefined;
    }
    return w;
  }

  private evict(): void {
    const now = this.now();
    for (const [k, w] of this.windows) if (now - w.startMs >= this.windowMs) this.windows.delete(k);
    // Maps iterate in insertion order: the first key is the oldest window.
    if (this.windows.size >= this.maxKeys) this.windows.delete(this.windows.keys().next().value!);
  }
}
