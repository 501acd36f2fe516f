import { formatUnits } from './decimal';
import type { Instrument } from './instrument';
import { MONEY_DECIMALS } from './money';

/**
 * Amounts as a person reads them, in the instrument's units, exact (integer ticks, lots and
 * 1e-8 money through formatUnits, never a float): for the texts of refusals and alerts, which
 * the ticket, the blotter and REST `message` show as they are.
 */

/** "50012.34" -> "50,012.34" (only the integer part is grouped). */
export function groupDigits(text: string): string {
  const neg = text.startsWith('-');
  const body = neg ? text.slice(1) : text;
  const dot = body.indexOf('.');
  const int = dot < 0 ? body : body.slice(0, dot);
  const frac = dot < 0 ? '' : body.slice(dot);
  return `${neg ? '-' : ''}${int.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${frac}`;
}

/** Drops trailing fractional zeros down to `minPlaces` decimals: ("5000.0000", 0) -> "5000". */
function trimZeros(text: string, minPlaces: number): string {
  const dot = text.indexOf('.');
  if (dot < 0) return text;
  let end = text.length;
  while (end > dot + 1 + minPlaces && text[end - 1] === '0') end--;
  return text.slice(0, end === dot + 1 ? dot : end);
}

const isInt = (n: number) => Number.isSafeInteger(n);

/** Lots -> "5,000 BTC", "0.25 BTC" (no trailing zeros). Not an integer: "1.5 lots" as given. */
export function qtyText(inst: Pick<Instrument, 'lotSize' | 'base'>, lots: number): string {
  if (!isInt(lots)) return `${lots} lots`;
  return `${groupDigits(trimZeros(formatUnits(lots, inst.lotSize), 0))} ${inst.base}`;
}

/** Ticks -> "40,000.00" with the tick's decimals, no currency. Not an integer: "1.5 ticks". */
export function priceNumberText(inst: Pick<Instrument, 'tickSize'>, ticks: number): string {
  if (!isInt(ticks)) return `${ticks} ticks`;
  return groupDigits(formatUnits(ticks, inst.tickSize));
}

/** Ticks -> "40,000.00 USD". */
export function priceText(inst: Pick<Instrument, 'tickSize' | 'quote'>, ticks: number): string {
  return `${priceNumberText(inst, ticks)} ${inst.quote}`;
}

/** 1e-8 quote -> "2,500,000.00 USD" (at least 2 decimals, more only when they are not zeros). */
export function moneyText(inst: Pick<Instrument, 'quote'>, e8: number): string {
  if (!isInt(e8)) return `${e8} × 1e-8 ${inst.quote}`;
  return `${groupDigits(trimZeros(formatUnits(e8, `0.${'0'.repeat(MONEY_DECIMALS - 1)}1`), 2))} ${inst.quote}`;
}
