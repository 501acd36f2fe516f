import type { Candle } from './candle';

/**
 * Candles of a wider timeframe from narrower ones (oldest first, any width dividing
 * `seconds`): open of the first, close of the last, extremes and summed volume. Used to turn
 * 1-minute history into 5 m … 1 d, so every timeframe of a stream tells the same story.
 */
export function rollUp(candles: readonly Candle[], seconds: number): Candle[] {
  const out: Candle[] = [];
  let cur: Candle | undefined;
  for (const c of candles) {
    const time = Math.floor(c.time / seconds) * seconds;
    if (cur === undefined || time !== cur.time) {
      cur = { time, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume };
      out.push(cur);
      continue;
    }
    if (c.high > cur.high) cur.high = c.high;
    if (c.low < cur.low) cur.low = c.low;
    cur.close = c.close;
    cur.volume += c.volume;
  }
  return out;
}

/**
 * One series from the same timeframe of several venues (the consolidated view): per bucket the
 * extremes and summed volume of every venue; open and close are those of the first list (in
 * venue listing order) that has the bucket, since venues' prices differ by their premium and
 * mixing two venues' opens and closes would draw jumps that never traded.
 */
export function mergeVenues(lists: readonly (readonly Candle[])[]): Candle[] {
  const byTime = new Map<number, Candle>();
  for (const list of lists) {
    for (const c of list) {
      const m = byTime.get(c.time);
      if (m === undefined) {
        byTime.set(c.time, { ...c });
        continue;
      }
      if (c.high > m.high) m.high = c.high;
      if (c.low < m.low) m.low = c.low;
      m.volume += c.volume;
    }
  }
  return [...byTime.values()].sort((a, b) => a.time - b.time);
}
