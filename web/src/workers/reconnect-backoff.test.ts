import { describe, expect, it } from 'vitest';
import { reconnectDelayMs } from './reconnect-backoff';

describe('reconnectDelayMs', () => {
  it('doubles from 250 ms to the 10 s cap; jitter only adds', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 20, 2000].map((a) => reconnectDelayMs(a, () => 0))).toEqual([250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
    expect(reconnectDelayMs(0, () => 0.999)).toBeLessThanOrEqual(375);
    expect(reconnectDelayMs(5, () => 0.999)).toBe(10_000);
  });
});
