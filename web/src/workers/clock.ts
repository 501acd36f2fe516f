/**
 * The worker's wall clock with sub-millisecond resolution, µs since the Unix epoch: the time
 * origin plus the monotonic clock, so it never goes backwards while the worker lives (receive
 * times in recordings rely on that).
 */
export function wallClockUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}
