import { describe, expect, it } from 'vitest';
import { bpsText, shapeLadder } from './ladder-rows';

const btc = { tickSize: '0.01', lotSize: '0.0001' };
const f = (a: number[]) => Float64Array.from(a);

describe('shapeLadder', () => {
  const levels = {
    bidPrice: f([100_00, 99_99, 99_98]),
    bidSize: f([10_000, 20_000, 40_000]),
    askPrice: f([100_02, 100_03]),
    askSize: f([5_000, 80_000]),
  };

  it('puts the best ask last (just above the spread) and the best bid first (just below)', () => {
    const r = shapeLadder(levels, btc);
    expect(r.asks.map((x) => x.price)).toEqual(['100.03', '100.02']);
    expect(r.bids.map((x) => x.price)).toEqual(['100.00', '99.99', '99.98']);
    expect(Math.min(...r.asks.map((x) => x.ticks))).toBeGreaterThan(Math.max(...r.bids.map((x) => x.ticks)));
  });

  it('sums sizes from the touch outwards and scales bars to the largest level shown', () => {
    const r = shapeLadder(levels, btc);
    expect(r.bids.map((x) => x.cum)).toEqual(['1.0000', '3.0000', '7.0000']);
    expect(r.asks.map((x) => x.cum)).toEqual(['8.5000', '0.5000']);
    expect(r.asks[0]!.bar).toBe(1);
    expect(r.bids[0]!.bar).toBeCloseTo(0.125);
  });

  it('reports the spread in price and basis points', () => {
    const r = shapeLadder(levels, btc);
    expect(r.spread?.ticks).toBe(2);
    expect(r.spread?.price).toBe('0.02');
    expect(r.spread?.bps).toBeCloseTo(2, 1);
  });

  it('limits depth, stops at empty levels and has no spread with an empty side', () => {
    const r = shapeLadder({ ...levels, bidSize: f([10_000, 0, 40_000]) }, btc, 1);
    expect(r.bids).toHaveLength(1);
    expect(r.asks).toHaveLength(1);
    const empty = shapeLadder({ ...levels, askPrice: f([]), askSize: f([]) }, btc);
    expect(empty.asks).toHaveLength(0);
    expect(empty.spread).toBeNull();
  });
});

describe('bpsText', () => {
  it('keeps two significant digits below 10 bps, so a tight spread never reads 0.0', () => {
    // BTC at 50,000 with a 0.16 spread: 0.032 bps (the "0.0 bps").
    expect(bpsText((16 / 5_000_000) * 10_000)).toBe('0.032');
    expect(bpsText(2.04)).toBe('2.0');
    expect(bpsText(0.5)).toBe('0.50');
    expect(bpsText(13.7)).toBe('14');
    expect(bpsText(0)).toBe('0');
    expect(bpsText(-0.0322)).toBe('-0.032');
  });

  it('is what the ladder shows beside the spread', () => {
    const r = shapeLadder({ bidPrice: f([5_000_000]), bidSize: f([1]), askPrice: f([5_000_016]), askSize: f([1]) }, btc);
    expect(r.spread?.bpsText).toBe('0.032');
  });
});
