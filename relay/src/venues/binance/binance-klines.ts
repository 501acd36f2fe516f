import type { VenueHttp } from '../live/venue-http';
import { completedMinutes, klineCandle } from '../live/kline-candle';
import type { Candle } from '../../md/candles/candle';
import type { BinanceMarket } from './binance-symbols';

/** Klines per request: Binance's maximum, weight 2 of the 6000 per minute. About 16.7 h of 1 m. */
export const KLINES_LIMIT = 1000;

/**
 * A page of Binance 1-minute klines (`GET /api/v3/klines`: rows of
 * `[openTime ms, "open", "high", "low", "close", "volume", closeTime, …]`) as candles in exact
 * ticks and lots, oldest first. Rows at or after `beforeMs`'s minute (the one still trading) are
 * left out, as is any row that is malformed or off the tick or lot grid (never rounded).
 */
export function parseKlines(rows: unknown, market: Pick<BinanceMarket, 'price' | 'size'>, beforeMs: number): Candle[] {
  if (!Array.isArray(rows)) return [];
  const candles = (rows as unknown[]).map((r) =>
    Array.isArray(r) && typeof r[0] === 'number' && r[0] % 1000 === 0 ? klineCandle(r[0] / 1000, r[1], r[2], r[3], r[4], r[5], market.price, market.size) : undefined,
  );
  return completedMinutes(candles, beforeMs);
}

/** The last KLINES_LIMIT completed minutes of a market before `endMs`: one REST call. */
export async function fetchBinanceHistory(http: VenueHttp, market: BinanceMarket, endMs: number): Promise<Candle[]> {
  const endTime = Math.floor(endMs / 60_000) * 60_000 - 1;
  const rows = await http.request<unknown>('GET', '/api/v3/klines', { query: `symbol=${market.exchangeSymbol}&interval=1m&endTime=${endTime}&limit=${KLINES_LIMIT}` });
  return parseKlines(rows, market, endMs);
}
