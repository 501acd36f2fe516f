/** When and how much a TWAP sends: `count` slices `intervalMs` apart within `horizonMs`. */
export interface SliceSchedule {
  count: number;
  intervalMs: number;
  horizonMs: number;
}

/**
 * Plans `wanted` slices over `horizonMs`, at least `minIntervalMs` apart and never more
 * slices than lots (a 0-lot slice would only waste a timer): count = min(wanted, qty,
 * floor(horizon / minInterval)), at least 1; interval = floor(horizon / count).
 */
export function planSlices(qty: number, horizonMs: number, wanted: number, minIntervalMs: number): SliceSchedule {
  const count = Math.max(1, Math.min(wanted, qty, Math.floor(horizonMs / minIntervalMs)));
  return { count, intervalMs: Math.floor(horizonMs / count), horizonMs };
}

/**
 * Lots scheduled by the end of slice `i` (0-based): an even share per slice, the last slice
 * taking the remainder of the integer division.
 */
export function scheduledThrough(qty: number, count: number, i: number): number {
  return i >= count - 1 ? qty : Math.floor(qty / count) * (i + 1);
}
