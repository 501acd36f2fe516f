/**
 * Capped exponential backoff with full jitter (AWS's "full jitter": a uniform delay in
 * [0, min(cap, base·2^attempt)]), so a fleet of relays reconnecting after one exchange outage
 * spreads out instead of arriving together. A server's Retry-After wins when it is longer.
 */
export interface BackoffOptions {
  /** First ceiling. Default 250 ms. */
  baseMs?: number;
  /** Largest delay. Default 30 s. */
  maxMs?: number;
  /** Uniform [0, 1). Default Math.random (tests inject a fixed one). */
  random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.baseMs = options.baseMs ?? 250;
    this.maxMs = options.maxMs ?? 30_000;
    this.random = options.random ?? Math.random;
  }

  /** The delay before the next attempt; each call raises the ceiling until reset(). */
  next(retryAfterMs = 0): number {
    const ceiling = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.max(retryAfterMs, Math.floor(this.random() * ceiling));
  }

  /** After a success: the next failure starts from the base again. */
  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
