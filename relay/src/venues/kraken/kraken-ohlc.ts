import type { Candle } from '../../md/candles/candle';
import { completedMinutes, klineCandle } from '../live/kline-candle';
import type { VenueHttp } from '../live/venue-http';
import type { KrakenMarket } from './kraken-symbols';

/** Kraken's public REST allows about one call a second; history calls of several pairs are spaced by this much. */
export const KRAKEN_PUBLIC_SPACING_MS = 1_100;

/**
 * Kraken's `GET /0/public/OHLC` answer (`{ error, result: { <pair>: [[time s, "open", "high",
 * "low", "close", "vwap", "volume", count], …], last } }`, its 720 latest minutes) as candles in
 * exact ticks and lots, oldest first, without the minute still trading. An answer with errors
 * (Kraken's are in the body of a 200) is thrown, so the relay logs it and starts that chart empty.
 */
export function parseOhlc(body: unknown, market: Pick<KrakenMarket, 'restPair' | 'price' | 'size'>, beforeMs: number): Candle[] {
  const b = body as { error?: unknown; result?: Record<string, unknown> } | null;
  if (b === null || typeof b !== 'object') return [];
  if (Array.isArray(b.error) && b.error.length > 0) throw new Error(`kraken OHLC: ${b.error.join('; ').slice(0, 200)}`);
  // The result is keyed by the pair as Kraken names it, which is the AssetPairs key we asked with.
  const rows = b.result?.[market.restPair];
  if (!Array.isArray(rows)) return [];
  const candles = (rows as unknown[]).map((r) => (Array.isArray(r) ? klineCandle(r[0], r[1], r[2], r[3], r[4], r[6], market.price, market.size) : undefined));
  return completedMinutes(candles, beforeMs);
}

/** The last 720 completed minutes of a pair before `endMs`: one public REST call. */
export async function fetchKrakenHistory(http: VenueHttp, market: KrakenMarket, endMs: number): Promise<Candle[]> {
  const body = await http.request<unknown>('GET', '/0/public/OHLC', { query: `pair=${market.restPair}&interval=1` });
  return parseOhlc(body, market, endMs);
}
