import { decimalPlaces, scaledInteger } from '../model/decimal';

/**
 * Integer units (ticks, lots) <-> floats for the UI edge and legacy JSON, with the decimal
 * step parsed once instead of per value. Results equal `fromTicks`/`toTicks` (and the lot
 * variants) in shared/src/model/instrument.ts: same arithmetic, cached operands.
 */
export interface UnitScale {
  /** units * step, e.g. 5000001 ticks of "0.01" -> 50000.01. */
  toFloat(units: number): number;
  /** value / step rounded to the nearest unit. */
  toUnits(value: number): number;
}

// Steps come from instruments, so the cache stays small; the bound only guards hostile input.
const MAX_CACHED = 1024;
const cache = new Map<string, UnitScale>();

export function unitScale(step: string): UnitScale {
  let s = cache.get(step);
  if (s === undefined) {
    const places = decimalPlaces(step);
    const scaled = scaledInteger(step, places);
    const divisor = 10 ** places;
    const stepValue = Number(step);
    s = {
      toFloat: (units) => (units * scaled) / divisor,
      toUnits: (value) => Math.round(value / stepValue),
    };
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(step, s);
  }
  return s;
}
