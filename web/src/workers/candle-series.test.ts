import { Side, type Trade } from '@tickmesh/shared';
import { describe, expect, it } from 'vitest';
import { CandleSeries } from './candle-series';

const t = (sec: number, price: number, size = 1, tradeId = 0): Trade => ({ tradeId, price, size, aggressor: Side.Buy, timeUs: Math.round(sec * 1e6) });

describe('CandleSeries', () => {
  it('builds OHLCV per bucket and reports only changed candles, oldest first', () => {
    const c = new CandleSeries({ seconds: 60 });
    c.add(t(60, 100, 2));
    c.add(t(70, 105, 1));
    c.add(t(80, 95, 3));
    c.add(t(119, 101, 1));
    expect(c.takeChanged()).toEqual([{ time: 60, open: 100, high: 105, low: 95, close: 101, volume: 7 }]);
    expect(c.takeChanged()).toEqual([]);
    c.add(t(121, 102));
    expect(c.takeChanged()).toEqual([{ time: 120, open: 102, high: 102, low: 102, close: 102, volume: 1 }]);
  });

  it('a late-arriving trade goes to its own (older) bucket, where open and close follow trade time, and may fill a gap', () => {
    const c = new CandleSeries({ seconds: 1 });
    c.add(t(10.5, 100));
    c.add(t(12.1, 110));
    c.add(t(10.9, 90, 5)); // late, from another venue
    c.add(t(11.2, 95)); // late, into an empty bucket
    expect(c.takeChanged()).toEqual([
      // 10.9 s is after 10.5 s: it is the bucket's close although it arrived after 12.1 s.
      { time: 10, open: 100, high: 100, low: 90, close: 90, volume: 6 },
      { time: 11, open: 95, high: 95, low: 95, close: 95, volume: 1 },
      { time: 12, open: 110, high: 110, low: 110, close: 110, volume: 1 },
    ]);
    c.add(t(10.2, 80)); // late again, but earliest in its bucket: the new open
    expect(c.takeChanged()).toEqual([{ time: 10, open: 80, high: 100, low: 80, close: 90, volume: 7 }]);
    c.add(t(5, 1)); // older than everything kept: dropped
    expect(c.takeChanged()).toEqual([]);
  });

  it('keeps at most maxCandles', () => {
    const c = new CandleSeries({ seconds: 1, maxCandles: 500 });
    for (let i = 0; i < 600; i++) c.add(t(i, 100 + i));
    const all = c.takeAll();
    expect(all).toHaveLength(500);
    expect(all[0]!.time).toBe(100);
    expect(all[499]!.time).toBe(599);
  });
});
