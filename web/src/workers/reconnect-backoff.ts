/** Options of `reconnectDelayMs`. */
export interface BackoffOptions {
  /** Delay before the first retry, ms. Default 250. */
  initialMs: number;
  /** Largest delay, ms (jitter included). Default 10,000. */
  maxMs: number;
  /** Extra random share added on top of the exponential delay: 0.5 = up to +50%. Default 0.5. */
  jitter: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({ initialMs: 250, maxMs: 10_000, jitter: 0.5 });

/**
 * Delay before reconnect attempt `attempt` (0 = first retry after a drop): initialMs × 2^attempt
 * plus up to `jitter` of that at random, capped at maxMs. Jitter spreads the reconnects of many
 * browsers that lost the same relay, so a restarted relay is not hit by all of them at once;
 * it only ever adds, so the first retry is never sooner than initialMs.
 */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random, options: BackoffOptions = DEFAULT_BACKOFF): number {
  // 2^attempt overflows to Infinity long after the cap; Math.min keeps the result finite.
  const base = Math.min(options.maxMs, options.initialMs * 2 ** Math.max(0, attempt));
  return Math.min(options.maxMs, Math.round(base * (1 + options.jitter * random())));
}
