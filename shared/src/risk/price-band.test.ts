import { describe, expect, it } from 'vitest';
import { Side } from '../model/side';
import { bandHigh, bandLow, marketProtectionPrice } from './price-band';

describe('price band', () => {
  it.each([
    // [ref, bps, low, high]
    [10_000, 500, 9_500, 10_500],
    [10_000, 0, 10_000, 10_000],
    [333, 500, 317, 349], // 316.35 -> 317, 349.65 -> 349: edges round inward
    [1, 500, 1, 1],
    [10_000, 10_000, 1, 20_000], // 100%: the low edge stops at one tick
    [10_000, 25_000, 1, 35_000],
    [4_000_000_000_000, 500, 3_800_000_000_000, 4_200_000_000_000],
  ])('ref %d ± %d bps = [%d, %d]', (ref, bps, low, high) => {
    expect(bandLow(ref, bps)).toBe(low);
    expect(bandHigh(ref, bps)).toBe(high);
  });

  it.each([Number.NaN, 0, -5])('an unknown reference (%d) has no band', (ref) => {
    expect(bandLow(ref, 500)).toBeNaN();
    expect(bandHigh(ref, 500)).toBeNaN();
    expect(marketProtectionPrice(Side.Buy, ref, 500)).toBeNaN();
  });

  it('is exact where ref × (10,000 + bps) passes 2^53', () => {
    const ref = 2 ** 45 + 1;
    expect(bandHigh(ref, 500)).toBe(Number((BigInt(ref) * 10_500n) / 10_000n));
    expect(bandLow(ref, 500)).toBe(Number((BigInt(ref) * 9_500n + 9_999n) / 10_000n));
  });

  it('protects a market buy at the top and a market sell at the bottom', () => {
    expect(marketProtectionPrice(Side.Buy, 10_000, 500)).toBe(10_500);
    expect(marketProtectionPrice(Side.Sell, 10_000, 500)).toBe(9_500);
  });
});
