import { describe, expect, it } from 'vitest';
import { depthCurve } from './depth-curve';

describe('depthCurve', () => {
  it('sums each side from the touch outwards over a range symmetric around the mid', () => {
    const c = depthCurve({ bidPrice: [99, 98, 90], bidSize: [1, 2, 3], askPrice: [101, 103], askSize: [4, 5] });
    expect(c.bids).toEqual({ price: [99, 98, 90], cum: [1, 3, 6] });
    expect(c.asks).toEqual({ price: [101, 103], cum: [4, 9] });
    expect(c.mid).toBe(100);
    // The asks reach 3 ticks from the mid, the bids 10: the chart shows ±3.
    expect([c.minPrice, c.maxPrice]).toEqual([97, 103]);
    // Within ±3 the bids hold 3 lots, the asks 9.
    expect(c.maxCum).toBe(9);
  });

  it('stops at an empty level and copes with a one-sided book', () => {
    const c = depthCurve({ bidPrice: [99, 98], bidSize: [1, 0], askPrice: [], askSize: [] });
    expect(c.bids.price).toEqual([99]);
    expect(Number.isNaN(c.mid)).toBe(true);
    expect(c.maxCum).toBe(1);
  });
});
