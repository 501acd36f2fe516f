/**
 * A trader's price alert ("BTC-USD crosses 50,000"), as the worker keeps and evaluates it.
 * Prices are integer ticks of the symbol's instrument, as everywhere in the worker. What is
 * watched is the last trade of the symbol on any venue.
 */
export interface PriceAlert {
  /** Stable id (the IndexedDB key). */
  id: string;
  symbol: string;
  /** Ticks. */
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

/** What a trader asks for; direction may be left to the worker (from the current price). */
export interface PriceAlertRequest {
  symbol: string;
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

/** True when `observed` has crossed an armed alert's level in its direction. */
export function crosses(alert: PriceAlert, observed: number): boolean {
  return alert.firedAt === 0 && (alert.direction === 'up' ? observed >= alert.price : observed <= alert.price);
}
