import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  it('allows the burst, then refuses until time refills it', () => {
    const b = new TokenBucket(10, 20, 0);
    let taken = 0;
    for (let i = 0; i < 50; i++) if (b.take(0)) taken++;
    expect(taken).toBe(20);
    expect(b.take(50)).toBe(false); // 0.5 token refilled
    expect(b.take(100)).toBe(true); // 1 token after 100 ms at 10/s
    expect(b.take(100)).toBe(false);
  });

  it('never refills past the burst', () => {
    const b = new TokenBucket(100, 5, 0);
    let taken = 0;
    for (let i = 0; i < 10; i++) if (b.take(60_000)) taken++;
    expect(taken).toBe(5);
  });
});
