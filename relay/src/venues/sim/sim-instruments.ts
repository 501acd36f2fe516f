/** How the simulator lists and seeds one symbol. */
export interface SimInstrumentSpec {
  symbol: string;
  base: string;
  quote: string;
  /** Decimal strings, as on Instrument. */
  tickSize: string;
  lotSize: string;
  /** Opening fair price in quote units. */
  startPrice: number;
  /** Typical order size in base units (the generator's sizes are log-normal around it). */
  typicalQty: number;
  /** Largest accepted order in lots. */
  maxQty: number;
}

/** The simulator's built-in symbols. */
export const DEFAULT_SIM_INSTRUMENTS: readonly SimInstrumentSpec[] = [
  { symbol: 'BTC-USD', base: 'BTC', quote: 'USD', tickSize: '0.01', lotSize: '0.0001', startPrice: 50_000, typicalQty: 0.05, maxQty: 10_000_000 },
  { symbol: 'ETH-USD', base: 'ETH', quote: 'USD', tickSize: '0.01', lotSize: '0.001', startPrice: 3_000, typicalQty: 0.5, maxQty: 10_000_000 },
  { symbol: 'SOL-USD', base: 'SOL', quote: 'USD', tickSize: '0.001', lotSize: '0.01', startPrice: 150, typicalQty: 5, maxQty: 10_000_000 },
];

/** The default symbols, in listing order. */
export const DEFAULT_SIM_SYMBOLS: readonly string[] = DEFAULT_SIM_INSTRUMENTS.map((s) => s.symbol);

/**
 * Spec of `symbol`: a built-in one, or for any other "BASE-QUOTE" symbol a generic market
 * (tick 0.01, lot 0.01, opening at 100) so an operator can list extra symbols.
 */
export function simInstrumentSpec(symbol: string): SimInstrumentSpec {
  const known = DEFAULT_SIM_INSTRUMENTS.find((s) => s.symbol === symbol);
  if (known) return known;
  const [base = symbol, quote = 'USD'] = symbol.split('-');
  return { symbol, base, quote, tickSize: '0.01', lotSize: '0.01', startPrice: 100, typicalQty: 1, maxQty: 10_000_000 };
}
