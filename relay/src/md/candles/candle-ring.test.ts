import { describe, expect, it } from 'vitest';
import { CandleRing } from './candle-ring';

describe('CandleRing', () => {
  it('aggregates trades into OHLCV buckets of its width', () => {
    const r = new CandleRing(60, 10);
    r.trade(120.0, 100, 1);
    r.trade(130.5, 105, 2);
    r.trade(150, 98, 3);
    r.trade(179.999, 101, 4);
    r.trade(180, 200, 5); // next bucket opens at exactly 180
    expect(r.range(-Infinity, Infinity, 10)).toEqual([
      { time: 120, open: 100, high: 105, low: 98, close: 101, volume: 10 },
      { time: 180, open: 200, high: 200, low: 200, close: 200, volume: 5 },
    ]);
  });

  it('keeps only the newest `capacity` candles', () => {
    const r = new CandleRing(1, 3);
    for (let s = 0; s < 10; s++) r.trade(s, 1000 + s, 1);
    expect(r.size).toBe(3);
    expect(r.range(-Infinity, Infinity, 100).map((c) => c.time)).toEqual([7, 8, 9]);
    expect(r.firstTime).toBe(7);
  });

  it('puts a late trade into its earlier bucket (extremes and volume, not open or close) and drops one older than every bucket', () => {
    const r = new CandleRing(60, 2);
    r.trade(60, 100, 1);
    r.trade(120, 110, 1);
    r.trade(180, 120, 1); // bucket 60 falls out
    r.trade(130, 90, 2); // late, into bucket 120
    r.trade(61, 1, 100); // older than every kept bucket
    expect(r.range(-Infinity, Infinity, 10)).toEqual([
      { time: 120, open: 110, high: 110, low: 90, close: 110, volume: 3 },
      { time: 180, open: 120, high: 120, low: 120, close: 120, volume: 1 },
    ]);
  });

  it('answers the newest `limit` candles within [from, to], oldest first', () => {
    const r = new CandleRing(60, 100);
    for (let m = 0; m < 50; m++) r.trade(m * 60, m, 1);
    expect(r.range(600, 1200, 100).map((c) => c.time / 60)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    expect(r.range(600, 1200, 3).map((c) => c.time / 60)).toEqual([18, 19, 20]);
    expect(r.range(-Infinity, 59 * 60, 2).map((c) => c.time / 60)).toEqual([48, 49]);
    expect(r.range(5000 * 60, Infinity, 10)).toEqual([]);
  });

  it('prepends history older than the live candles, which win where both have a bucket', () => {
    const r = new CandleRing(60, 4);
    r.trade(300, 7, 1); // live, bucket 300
    r.prepend([
      { time: 120, open: 1, high: 2, low: 1, close: 2, volume: 1 },
      { time: 180, open: 2, high: 3, low: 2, close: 3, volume: 1 },
      { time: 240, open: 3, high: 4, low: 3, close: 4, volume: 1 },
      { time: 300, open: 99, high: 99, low: 99, close: 99, volume: 99 },
    ]);
    expect(r.range(-Infinity, Infinity, 10).map((c) => [c.time, c.close])).toEqual([
      [120, 2],
      [180, 3],
      [240, 4],
      [300, 7],
    ]);
    r.trade(360, 8, 1); // full: the oldest goes
    expect(r.firstTime).toBe(180);
  });

  it('refuses a pushed candle that is not after the newest (history must be in order)', () => {
    const r = new CandleRing(60, 4);
    r.push(120, 1, 1, 1, 1, 1);
    expect(() => r.push(120, 1, 1, 1, 1, 1)).toThrow();
  });
});
