import { decimalPlaces, scaledInteger } from './decimal';

/** A tradable instrument on one venue. Prices are integer ticks, sizes integer lots. */
export interface Instrument {
  /** Relay-assigned id of the (venue, symbol) market-data stream. 0 until registered. */
  streamId: number;
  symbol: string;
  venue: string;
  base: string;
  quote: string;
  /** Decimal string, e.g. "0.01". */
  tickSize: string;
  /** Decimal string, e.g. "0.0001". */
  lotSize: string;
  minQty: number;
  maxQty: number;
  /** Fees in hundredths of a basis point of notional; negative is a rebate. */
  makerFeeBpsX100: number;
  takerFeeBpsX100: number;
}

/** Float price at the UI edge -> integer ticks (rounded to the nearest tick). */
export function toTicks(inst: Pick<Instrument, 'tickSize'>, price: number): number {
  return Math.round(price / Number(inst.tickSize));
}

/** Integer ticks -> float price for display and legacy JSON. */
export function fromTicks(inst: Pick<Instrument, 'tickSize'>, ticks: number): number {
  const places = decimalPlaces(inst.tickSize);
  return (ticks * scaledInteger(inst.tickSize, places)) / 10 ** places;
}

/** Float quantity at the UI edge -> integer lots (rounded to the nearest lot). */
export function toLots(inst: Pick<Instrument, 'lotSize'>, qty: number): number {
  return Math.round(qty / Number(inst.lotSize));
}

/** Integer lots -> float quantity for display and legacy JSON. */
export function fromLots(inst: Pick<Instrument, 'lotSize'>, lots: number): number {
  const places = decimalPlaces(inst.lotSize);
  return (lots * scaledInteger(inst.lotSize, places)) / 10 ** places;
}

/** Key of one market-data stream: a symbol on a venue. */
export function streamKey(venue: string, symbol: string): string {
  return `${venue}:${symbol}`;
}

/** The venues listing `instruments`, each once, in listing order (bit i of a ladder venue mask = the i-th). */
export function venuesOf(instruments: readonly Pick<Instrument, 'venue'>[]): string[] {
  const venues: string[] = [];
  for (const i of instruments) if (!venues.includes(i.venue)) venues.push(i.venue);
  return venues;
}
