/** One OHLCV candle (shared with the browser, which draws the JSON as it comes). */
import type { Candle } from '@tickmesh/shared';
export type { Candle };

/** Timeframes the relay aggregates, by their name on the wire (`tf=`), with their width in seconds. */
export const TIMEFRAMES = { '1s': 1, '1m': 60, '5m': 300, '15m': 900, '1h': 3_600, '1d': 86_400 } as const;

export type Timeframe = keyof typeof TIMEFRAMES;

export const TIMEFRAME_NAMES = Object.keys(TIMEFRAMES) as Timeframe[];

export function isTimeframe(name: string): name is Timeframe {
  return Object.hasOwn(TIMEFRAMES, name);
}

/**
 * Candles kept per stream and timeframe: 1 h of 1 s, 2 days of 1 m, 7 days of 5 m, 30 days of
 * 15 m, 90 days of 1 h, ~2.7 years of 1 d. About 14.5 k candles (700 KiB) per stream.
 */
export const DEFAULT_CANDLE_CAPACITY: Readonly<Record<Timeframe, number>> = {
  '1s': 3_600,
  '1m': 2_880,
  '5m': 2_016,
  '15m': 2_880,
  '1h': 2_160,
  '1d': 1_000,
};
