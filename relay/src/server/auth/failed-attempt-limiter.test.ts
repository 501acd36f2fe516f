import { describe, expect, it } from 'vitest';
import { FailedAttemptLimiter } from './failed-attempt-limiter';

describe('FailedAttemptLimiter', () => {
  it('blocks a key at the limit until its window ends, and keys are independent', () => {
    let now = 1_000_000;
    const limiter = new FailedAttemptLimiter(2, 60_000, () => now);
    expect(limiter.retryAfterMs('a')).toBe(0);
    limiter.fail('a');
    expect(limiter.retryAfterMs('a')).toBe(0);
    limiter.fail('a');
    expect(limiter.retryAfterMs('a')).toBe(60_000);
    expect(limiter.retryAfterMs('b')).toBe(0);
    now += 59_999;
    expect(limiter.retryAfterMs('a')).toBe(1);
    now += 1;
    expect(limiter.retryAfterMs('a')).toBe(0);
  });

  it('stays bounded: past maxKeys the oldest window is forgotten', () => {
    const now = 0;
    const limiter = new FailedAttemptLimiter(1, 60_000, () => now, 3);
    for (const k of ['a', 'b', 'c', 'd']) limiter.fail(k);
    expect(limiter.retryAfterMs('a')).toBe(0);
    expect(['b', 'c', 'd'].map((k) => limiter.retryAfterMs(k) > 0)).toEqual([true, true, true]);
  });
});
