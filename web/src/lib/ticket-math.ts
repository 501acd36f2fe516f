import { formatUnits, toLots, toTicks, type Instrument } from './model';

/**
 * Ticket inputs are floats typed by a person; orders travel in integer ticks and lots. These
 * helpers are the single place where the two meet, so the ticket, the ladder click and the
 * blotter's modify agree on rounding.
 */

/** Parses "50,012.345" or " 0.01 " to a finite positive number, else null. */
export function parseDecimalInput(text: string): number | null {
  const cleaned = text.replace(/[,\s_]/g, '');
  if (cleaned === '' || !/^\d*\.?\d*(e[-+]?\d+)?$/i.test(cleaned)) return null;
  const v = Number(cleaned);
  return Number.isFinite(v) && v > 0 ? v : null;
}

export interface Rounded {
  /** Integer ticks or lots. */
  units: number;
  /** The rounded value as the input should now show it, e.g. "50012.35". */
  text: string;
}

/** Rounds a typed price to the nearest tick; null when it is not a positive number or rounds to 0. */
export function roundPrice(inst: Pick<Instrument, 'tickSize'>, text: string): Rounded | null {
  const v = parseDecimalInput(text);
  if (v === null) return null;
  const units = toTicks(inst, v);
  if (!Number.isSafeInteger(units) || units <= 0) return null;
  return { units, text: formatUnits(units, inst.tickSize) };
}

/** Rounds a typed quantity to the nearest lot; null when it is not positive or rounds to 0 lots. */
export function roundQty(inst: Pick<Instrument, 'lotSize'>, text: string): Rounded | null {
  const v = parseDecimalInput(text);
  if (v === null) return null;
  const units = toLots(inst, v);
  if (!Number.isSafeInteger(units) || units <= 0) return null;
  return { units, text: formatUnits(units, inst.lotSize) };
}
