import type { Candle } from '../../md/candles/candle';
import { toUnits, type UnitStep } from './exact-units';

/**
 * One exchange kline (open time in seconds, decimal strings for the prices and the base volume)
 * as a candle in exact ticks and lots; undefined when a value is missing, malformed or off the
 * instrument's grid (never rounded: a wrong candle is worse than a missing one).
 */
export function klineCandle(timeSec: unknown, open: unknown, high: unknown, low: unknown, close: unknown, volume: unknown, price: UnitStep, size: UnitStep): Candle | undefined {
  const t = typeof timeSec === 'string' ? Number(timeSec) : timeSec;
  if (typeof t !== 'number' || !Number.isSafeInteger(t) || t % 60 !== 0) return undefined;
  const px = (v: unknown) => (typeof v === 'string' ? toUnits(v, price) : undefined);
  const o = px(open);
  const h = px(high);
  const l = px(low);
  const c = px(close);
  const v = typeof volume === 'string' ? toUnits(volume, size) : undefined;
  if (o === undefined || h === undefined || l === undefined || c === undefined || v === undefined || h < l) return undefined;
  return { time: t, open: o, high: h, low: l, close: c, volume: v };
}

/**
 * Candles sorted oldest first, one per minute, without the minute of `beforeMs` and later (still
 * trading: the relay's own trades build it).
 */
export function completedMinutes(candles: readonly (Candle | undefined)[], beforeMs: number): Candle[] {
  const limit = Math.floor(beforeMs / 60_000) * 60;
  const sorted = candles.filter((c): c is Candle => c !== undefined && c.time < limit).sort((a, b) => a.time - b.time);
  return sorted.filter((c, i) => i === 0 || c.time > sorted[i - 1]!.time);
}
