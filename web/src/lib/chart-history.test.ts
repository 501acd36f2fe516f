import { describe, expect, it } from 'vitest';
import { ChartHistory, timeframeName } from './chart-history';
import type { Candle } from '../workers/terminal-api';

const c = (time: number, open: number, high: number, low: number, close: number, volume: number): Candle => ({ time, open, high, low, close, volume });

describe('ChartHistory', () => {
  it('merges the live candle of the bucket the history ended in: relay open, widened extremes, live close, larger volume', () => {
    const h = new ChartHistory();
    h.reset([]);
    h.setHistory([c(0, 10, 12, 9, 11, 5), c(60, 11, 13, 10, 12, 8)]);
    expect(h.applyLive(c(60, 12, 15, 11, 14, 3))).toEqual(c(60, 11, 15, 10, 14, 8));
    expect(h.applyLive(c(60, 12, 15, 9, 13, 20))).toEqual(c(60, 11, 15, 9, 13, 20));
    expect(h.applyLive(c(120, 13, 13, 13, 13, 1))).toEqual(c(120, 13, 13, 13, 13, 1));
    expect(h.candles.map((x) => x.time)).toEqual([0, 60, 120]);
    // Older than the newest shown: not drawable as an update.
    expect(h.applyLive(c(60, 1, 1, 1, 1, 1))).toBeUndefined();
  });

  it('applies live candles that arrived before the history on top of it', () => {
    const h = new ChartHistory();
    h.reset([c(60, 12, 14, 12, 13, 2)]);
    expect(h.hasHistory).toBe(false);
    h.applyLive(c(120, 13, 13, 13, 13, 1));
    h.setHistory([c(0, 10, 10, 10, 10, 1), c(60, 11, 12, 10, 12, 9)]);
    expect(h.candles).toEqual([c(0, 10, 10, 10, 10, 1), c(60, 11, 14, 10, 13, 9), c(120, 13, 13, 13, 13, 1)]);
  });

  it('prepends only older candles when scrolled back', () => {
    const h = new ChartHistory();
    h.reset([]);
    h.setHistory([c(120, 1, 1, 1, 1, 1), c(180, 1, 1, 1, 1, 1)]);
    expect(h.prepend([c(0, 1, 1, 1, 1, 1), c(60, 1, 1, 1, 1, 1), c(120, 9, 9, 9, 9, 9)])).toBe(2);
    expect(h.candles.map((x) => x.time)).toEqual([0, 60, 120, 180]);
    expect(h.candles[2]!.open).toBe(1);
    expect(h.oldestTime).toBe(0);
  });
});

describe('timeframeName', () => {
  it('names the relay’s timeframes and nothing else', () => {
    expect(timeframeName(60)).toBe('1m');
    expect(timeframeName(86_400)).toBe('1d');
    expect(timeframeName(120)).toBeUndefined();
  });
});
