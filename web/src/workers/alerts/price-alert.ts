/**
 * A trader's price alert ("BTC-USD on sim-a crosses 50,000"), as the worker keeps and
 * evaluates it. What is watched is the last trade of one instrument (symbol on a venue): the
 * same symbol trades at different prices on different venues, so "the last price of BTC-USD"
 * has no one meaning, and a level between two venues' prices would be crossed and not crossed
 * at once. Prices are integer ticks of that instrument, as everywhere in the worker.
 */
export interface PriceAlert {
  /** Stable id (the IndexedDB key). */
  id: string;
  symbol: string;
  /**
   * The venue whose trades are watched. '' only for alerts stored before alerts had a venue:
   * those watch every venue of the symbol, as they did when set.
   */
  venue: string;
  /** Ticks of the instrument (symbol, venue). */
  price: number;
  /**
   * 'up': fires when the price reaches `price` from below; 'down': from above. Chosen from the
   * price when the alert was set (a level above the market is crossed going up).
   */
  direction: 'up' | 'down';
  createdAt: number;
  /** When it fired (ms), and the price that crossed; 0 while armed. */
  firedAt: number;
  firedPrice: number;
}

/**
 * What a trader asks for; direction may be left to the worker (from the current price), and
 * the venue too (the symbol's first listed venue, the one the panel rounds levels with).
 */
export interface PriceAlertRequest {
  symbol: string;
  venue?: string;
  price: number;
  direction?: 'up' | 'down';
}

/** Stable codes of a refused alert (shown by the panel; never thrown). */
export const PriceAlertCode = {
  ALERT_INVALID_PRICE: 'ALERT_INVALID_PRICE',
  ALERT_UNKNOWN_SYMBOL: 'ALERT_UNKNOWN_SYMBOL',
  ALERT_NO_PRICE: 'ALERT_NO_PRICE',
  ALERT_TOO_MANY: 'ALERT_TOO_MANY',
  ALERT_NOT_FOUND: 'ALERT_NOT_FOUND',
  ALERT_STORAGE: 'ALERT_STORAGE',
} as const;

/** Alerts one browser keeps at most (armed and fired). */
export const MAX_PRICE_ALERTS = 200;

/** True when a trade of `symbol` on `venue` is what `alert` watches. */
export function watchesTrade(alert: PriceAlert, symbol: string, venue: string): boolean {
  return alert.symbol === symbol && (alert.venue === venue || alert.venue === '');
}

/** True when `observed` has crossed an armed alert's level in its direction. */
export function crosses(alert: PriceAlert, observed: number): boolean {
  return alert.firedAt === 0 && (alert.direction === 'up' ? observed >= alert.price : observed <= alert.price);
}
