/** Options of `AlgoRunner`; every field has a default. */
export interface AlgoRunnerOptions {
  /** TWAP child count and VWAP interval count over the horizon. Default 10. */
  slices?: number;
  /** Horizon used when a parent's `durationMs` is 0. Default 60_000 (60 s). */
  defaultDurationMs?: number;
  /** Shortest time between two TWAP/VWAP children; fewer slices are used to respect it. Default 1_000. */
  minIntervalMs?: number;
  /** VWAP: child size as a fraction of the market volume of the last interval. Default 0.1 (10 %). */
  participationRate?: number;
  /**
   * How long after the horizon a TWAP/VWAP waits for its last in-flight IOC child before it
   * cancels it and reports `Expired` anyway. Default 5_000.
   */
  horizonGraceMs?: number;
}

export type ResolvedAlgoOptions = Required<AlgoRunnerOptions>;

export function resolveAlgoOptions(o: AlgoRunnerOptions = {}): ResolvedAlgoOptions {
  const r: ResolvedAlgoOptions = {
    slices: o.slices ?? 10,
    defaultDurationMs: o.defaultDurationMs ?? 60_000,
    minIntervalMs: o.minIntervalMs ?? 1_000,
    participationRate: o.participationRate ?? 0.1,
    horizonGraceMs: o.horizonGraceMs ?? 5_000,
  };
  // Options come from configuration at startup, so a bad one is a programming error.
  if (!Number.isSafeInteger(r.slices) || r.slices < 1) throw new RangeError(`slices must be a positive integer: ${r.slices}`);
  if (!(r.defaultDurationMs > 0)) throw new RangeError(`defaultDurationMs must be > 0: ${r.defaultDurationMs}`);
  if (!(r.minIntervalMs > 0)) throw new RangeError(`minIntervalMs must be > 0: ${r.minIntervalMs}`);
  if (!(r.participationRate > 0 && r.participationRate <= 1)) {
    throw new RangeError(`participationRate must be in (0, 1]: ${r.participationRate}`);
  }
  if (!(r.horizonGraceMs >= 0)) throw new RangeError(`horizonGraceMs must be >= 0: ${r.horizonGraceMs}`);
  return r;
}
