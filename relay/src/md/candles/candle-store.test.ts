import { describe, expect, it } from 'vitest';
import { TIMEFRAME_NAMES, TIMEFRAMES, type Candle } from './candle';
import { mergeVenues, rollUp } from './candle-rollup';
import { CandleStore } from './candle-store';

/** n consecutive 1-minute candles from `start`, prices walking by ±1..3 ticks. */
function minutes(start: number, n: number): Candle[] {
  const out: Candle[] = [];
  let p = 1000;
  for (let m = 0; m < n; m++) {
    const open = p;
    p += ((m * 7919) % 7) - 3;
    out.push({ time: start + m * 60, open, high: Math.max(open, p) + 1, low: Math.min(open, p) - 1, close: p, volume: 1 + (m % 5) });
  }
  return out;
}

describe('rollUp', () => {
  it('builds wider candles: first open, last close, extremes, summed volume', () => {
    const m = minutes(0, 10);
    const five = rollUp(m, 300);
    expect(five.map((c) => c.time)).toEqual([0, 300]);
    const first = m.slice(0, 5);
    expect(five[0]).toEqual({
      time: 0,
      open: first[0]!.open,
      close: first[4]!.close,
      high: Math.max(...first.map((c) => c.high)),
      low: Math.min(...first.map((c) => c.low)),
      volume: first.reduce((s, c) => s + c.volume, 0),
    });
  });
});

describe('mergeVenues', () => {
  it('sums volume and widens extremes per bucket; open and close from the first venue that has the bucket', () => {
    const a: Candle[] = [{ time: 60, open: 10, high: 12, low: 9, close: 11, volume: 1 }];
    const b: Candle[] = [
      { time: 0, open: 20, high: 20, low: 20, close: 20, volume: 5 },
      { time: 60, open: 13, high: 15, low: 8, close: 14, volume: 2 },
    ];
    expect(mergeVenues([a, b])).toEqual([
      { time: 0, open: 20, high: 20, low: 20, close: 20, volume: 5 },
      { time: 60, open: 10, high: 15, low: 8, close: 11, volume: 3 },
    ]);
  });
});

describe('CandleStore', () => {
  it('puts every trade into every timeframe', () => {
    const s = new CandleStore();
    const t0 = 1_700_000_000; // a multiple of 60 but not of 3600
    s.trade(1, 100, 2, t0 * 1e6);
    s.trade(1, 110, 3, (t0 + 61) * 1e6);
    for (const tf of TIMEFRAME_NAMES) {
      const list = s.candles(1, tf, -Infinity, Infinity, 100);
      const w = TIMEFRAMES[tf];
      const sameBucket = Math.floor(t0 / w) === Math.floor((t0 + 61) / w);
      expect(list.length, tf).toBe(sameBucket ? 1 : 2);
      expect(list.reduce((v, c) => v + c.volume, 0), tf).toBe(5);
      expect(list[list.length - 1]!.close, tf).toBe(110);
    }
    expect(s.candles(2, '1m', -Infinity, Infinity, 10)).toEqual([]);
  });

  it('seeds 1 m history as given and rolls it up to 5 m … 1 d, leaving 1 s live only', () => {
    const s = new CandleStore();
    const hist = minutes(86_400 * 100, 1_440);
    s.seed(7, hist);
    expect(s.candles(7, '1m', -Infinity, Infinity, 5_000)).toEqual(hist);
    expect(s.candles(7, '1s', -Infinity, Infinity, 5_000)).toEqual([]);
    const total = hist.reduce((v, c) => v + c.volume, 0);
    for (const tf of ['5m', '15m', '1h', '1d'] as const) {
      const list = s.candles(7, tf, -Infinity, Infinity, 5_000);
      expect(list.length, tf).toBe(Math.ceil((1_440 * 60) / TIMEFRAMES[tf]));
      expect(list.reduce((v, c) => v + c.volume, 0), tf).toBe(total);
      expect(list[list.length - 1]!.close, tf).toBe(hist[hist.length - 1]!.close);
    }
  });

  it('bounds memory per timeframe by its capacity', () => {
    const s = new CandleStore({ capacity: { '1s': 10 } });
    for (let i = 0; i < 1_000; i++) s.trade(1, 100, 1, i * 1e6);
    expect(s.candles(1, '1s', -Infinity, Infinity, 5_000).length).toBe(10);
  });

  it('gives the 24 h ticker from the 1-minute candles of the last day only', () => {
    const s = new CandleStore();
    const now = 86_400 * 200;
    const hist = minutes(now - 2 * 86_400, 2 * 1_440); // two days, ending just before now
    s.seed(3, hist);
    const day = hist.filter((c) => c.time >= now - 86_400 + 60);
    const t = s.ticker(3, now + 1);
    expect(t.open).toBe(day[0]!.open);
    expect(t.last).toBe(hist[hist.length - 1]!.close);
    expect(t.high).toBe(Math.max(...day.map((c) => c.high)));
    expect(t.low).toBe(Math.min(...day.map((c) => c.low)));
    expect(t.volume).toBe(day.reduce((v, c) => v + c.volume, 0));
    expect(Number.isNaN(s.ticker(4, now).last)).toBe(true);
  });
});
