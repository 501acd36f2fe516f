/**
 * Wall clock with sub-millisecond resolution, µs since the Unix epoch: the time origin plus the
 * monotonic clock, so it never goes backwards within a process or worker (receive times,
 * batch times and recordings rely on that). `performance` exists in Node and browsers alike.
 */
export function wallClockUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}
