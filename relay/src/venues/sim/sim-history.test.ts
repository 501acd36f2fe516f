import { describe, expect, it } from 'vitest';
import { simHistory, type SimHistoryOptions } from './sim-history';
import { SimVenue } from './sim-venue';

const base: SimHistoryOptions = { seed: 42, endPrice: 5_000_000, endTimeSec: 1_800_000_000 - (1_800_000_000 % 60), minutes: 1_440, gridTicks: 10, baseQty: 500, updatesPerSecond: 200 };

describe('simHistory', () => {
  it('is 24 h of consecutive 1-minute candles ending just before the start minute, closing at the start price', () => {
    const h = simHistory(base);
    expect(h.length).toBe(1_440);
    expect(h[h.length - 1]!.time).toBe(base.endTimeSec - 60);
    expect(h[h.length - 1]!.close).toBe(base.endPrice);
    for (let i = 0; i < h.length; i++) {
      const c = h[i]!;
      if (i > 0) {
        expect(c.time - h[i - 1]!.time).toBe(60);
        expect(c.open).toBe(h[i - 1]!.close); // a continuous walk: no gaps between candles
      }
      expect(c.high).toBeGreaterThanOrEqual(Math.max(c.open, c.close));
      expect(c.low).toBeLessThanOrEqual(Math.min(c.open, c.close));
      expect(c.low).toBeGreaterThanOrEqual(1);
      expect(c.volume).toBeGreaterThan(0);
      expect(Number.isInteger(c.open) && Number.isInteger(c.high) && Number.isInteger(c.low) && Number.isInteger(c.close) && Number.isInteger(c.volume)).toBe(true);
    }
  });

  it('is the same for the same seed and different for another', () => {
    expect(simHistory(base)).toEqual(simHistory(base));
    const other = simHistory({ ...base, seed: 43 });
    expect(other).not.toEqual(simHistory(base));
    expect(other[other.length - 1]!.close).toBe(base.endPrice);
  });

  it('moves: a day of it is not flat, and stays within a plausible band (the live flow’s volatility)', () => {
    const h = simHistory(base);
    const closes = h.map((c) => c.close);
    const range = (Math.max(...closes) - Math.min(...closes)) / base.endPrice;
    expect(range).toBeGreaterThan(0.0005);
    expect(range).toBeLessThan(0.2);
  });
});

describe('SimVenue.history', () => {
  it('ends at each market’s opening price and depends on the seed', () => {
    const endMs = 1_800_000_123_456;
    const a = new SimVenue({ id: 'sim-a', seed: 5, updatesPerSecond: 200 });
    const again = new SimVenue({ id: 'sim-a', seed: 5, updatesPerSecond: 200 });
    const b = new SimVenue({ id: 'sim-a', seed: 6, updatesPerSecond: 200 });
    for (const inst of a.instruments()) {
      const h = a.history(inst.symbol, endMs);
      expect(h.length).toBe(1_440);
      expect(h[h.length - 1]!.time).toBe(Math.floor(endMs / 60_000) * 60 - 60);
      // The opening fair price: the primed book's mid is within a few grids of it.
      const m = a.market(inst.symbol)!;
      const mid = (m.engine.bestBid() + m.engine.bestAsk()) / 2;
      expect(Math.abs(h[h.length - 1]!.close - mid) / mid).toBeLessThan(0.001);
      expect(again.history(inst.symbol, endMs)).toEqual(h);
      expect(b.history(inst.symbol, endMs)).not.toEqual(h);
    }
    expect(new SimVenue({ historyMinutes: 0 }).history('BTC-USD', endMs)).toEqual([]);
    expect(a.history('NOPE-USD', endMs)).toEqual([]);
  });
});

describe('SimVenue.history across venues', () => {
  it('gives the venues of a symbol the same price path (shifted by the premium) and their own volumes', () => {
    const endMs = 1_800_000_000_000;
    const [a, b] = [new SimVenue({ id: 'sim-a', seed: 1 }), new SimVenue({ id: 'sim-b', seed: 1, priceOffsetBps: 2 })];
    const ha = a.history('BTC-USD', endMs);
    const hb = b.history('BTC-USD', endMs);
    const shift = hb[hb.length - 1]!.close - ha[ha.length - 1]!.close;
    expect(shift).toBe(1_000); // 2 bp of 50,000.00 in 0.01 ticks
    expect(hb.map((c) => c.close - shift)).toEqual(ha.map((c) => c.close));
    expect(hb.map((c) => c.volume)).not.toEqual(ha.map((c) => c.volume));
  });
});
