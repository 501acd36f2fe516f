import { SimVenue } from './sim-venue';

/** Options of {@link defaultSimVenues}. */
export interface DefaultSimVenuesOptions {
  /** Base seed; each venue and symbol mixes in its own label. Default 1. */
  seed?: number;
  /** Symbols both venues list. Default BTC-USD, ETH-USD, SOL-USD. */
  symbols?: readonly string[];
  /** Generator actions per second per instrument. Default 200. */
  updatesPerSecond?: number;
  /** Clock of both venues, µs since the Unix epoch. Default: the wall clock (benches pass a simulated one). */
  nowUs?: () => number;
}

/**
 * The two simulated venues `npm start` runs, different enough that routing matters:
 * - "sim-a": maker -1 bp (rebate), taker 5 bp, prices at the reference level;
 * - "sim-b": maker 0, taker 3 bp, prices 2 bp higher (a persistent premium).
 * Each has independent noise (the venue id is mixed into every market's seed).
 * Accepts a bare seed for convenience.
 */
export function defaultSimVenues(options: number | DefaultSimVenuesOptions = {}): [SimVenue, SimVenue] {
  const o = typeof options === 'number' ? { seed: options } : options;
  const common = { seed: o.seed ?? 1, symbols: o.symbols, updatesPerSecond: o.updatesPerSecond, nowUs: o.nowUs };
  return [
    new SimVenue({ ...common, id: 'sim-a', makerFeeBpsX100: -100, takerFeeBpsX100: 500, priceOffsetBps: 0 }),
    new SimVenue({ ...common, id: 'sim-b', makerFeeBpsX100: 0, takerFeeBpsX100: 300, priceOffsetBps: 2 }),
  ];
}
