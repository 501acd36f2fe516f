import type { Candle } from '../../md/candles/candle';
import { completedMinutes, klineCandle } from '../live/kline-candle';
import type { VenueHttp } from '../live/venue-http';
import type { CoinbaseMarket } from './coinbase-symbols';

/** Candles per request: the Advanced Trade API's maximum (350 minutes, almost 6 h). */
export const COINBASE_CANDLES_LIMIT = 350;

/**
 * The Advanced Trade public candles answer (`{ candles: [{ start: "<unix s>", low, high, open,
 * close, volume }] }`, newest first, every value a decimal string) as candles in exact ticks
 * and lots, oldest first, without the minute still trading or anything off the grid.
 */
export function parseCoinbaseCandles(body: unknown, market: Pick<CoinbaseMarket, 'price' | 'size'>, beforeMs: number): Candle[] {
  const list = (body as { candles?: unknown } | null)?.candles;
  if (!Array.isArray(list)) return [];
  const candles = (list as unknown[]).map((c) => {
    if (c === null || typeof c !== 'object') return undefined;
    const k = c as Record<string, unknown>;
    return klineCandle(k.start, k.open, k.high, k.low, k.close, k.volume, market.price, market.size);
  });
  return completedMinutes(candles, beforeMs);
}

/** The last 350 completed minutes of a product before `endMs`: one public REST call. */
export async function fetchCoinbaseHistory(http: VenueHttp, market: CoinbaseMarket, endMs: number): Promise<Candle[]> {
  // Bucket opens of the 350 completed minutes: the last is the minute before the one trading now.
  const end = Math.floor(endMs / 60_000) * 60 - 60;
  const start = end - (COINBASE_CANDLES_LIMIT - 1) * 60;
  const query = `start=${start}&end=${end}&granularity=ONE_MINUTE&limit=${COINBASE_CANDLES_LIMIT}`;
  const body = await http.request<unknown>('GET', `/api/v3/brokerage/market/products/${encodeURIComponent(market.productId)}/candles`, { query });
  return parseCoinbaseCandles(body, market, endMs);
}
