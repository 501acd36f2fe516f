import { fromLots, type Instrument } from './model';

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 2 });

/** A volume in lots as a short quantity of the base currency, for tight columns: 2285501234 lots of 0.0001 -> "228.55K". */
export function compactVolume(inst: Pick<Instrument, 'lotSize'>, lots: number): string {
  return Number.isFinite(lots) ? compact.format(fromLots(inst, lots)) : '–';
}

/** 24 h change in percent from the 24 h open (ticks), or NaN when either price is missing. */
export function changePct(t: { last: number | null; open24h: number | null }): number {
  return t.last === null || t.open24h === null || t.open24h === 0 ? Number.NaN : ((t.last - t.open24h) / t.open24h) * 100;
}
