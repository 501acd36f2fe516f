import type { Candle } from '../workers/terminal-api';
import { auth } from './auth.svelte';

/** One stream's last 24 h as GET /api/tickers answers it (ticks, lots; null = never traded). */
export interface Ticker {
  venue: string;
  symbol: string;
  last: number | null;
  open24h: number | null;
  high24h: number | null;
  low24h: number | null;
  volume24h: number;
  /** An open market-data anomaly at this venue (smart routing avoids it meanwhile); null or absent (older relays) when none. */
  anomaly?: TickerAnomaly | null;
}

/** Why a venue's book is not to be trusted now: an `MD_ANOMALY_*` code, the relay's sentence, since when (µs). */
export interface TickerAnomaly {
  code: string;
  message: string;
  sinceUs: number;
}

/** A failed /api call, with the relay's stable code. */
export class MarketRestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The relay's market-data queries the desk reads on the main thread: small JSON answers (a
 * page of candles, the tickers), fetched with the tab's grant. The worker keeps the WebSocket;
 * these never touch the books.
 */
async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const token = auth.grant?.token;
  const res = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal });
  const body = (await res.json().catch(() => ({}))) as T & { code?: string; message?: string };
  if (!res.ok) throw new MarketRestError(res.status, body.code ?? `HTTP_${res.status}`, body.message ?? `${path} answered ${res.status}`);
  return body;
}

/** Query of {@link fetchCandles}: venue '' = every venue of the symbol merged. */
export interface CandleRequest {
  symbol: string;
  venue: string;
  tf: string;
  /** Newest bucket open to include, seconds (default: now). */
  to?: number;
  limit: number;
}

/** GET /api/candles: the newest `limit` candles up to `to`, oldest first. */
export async function fetchCandles(q: CandleRequest, signal?: AbortSignal): Promise<Candle[]> {
  const p = new URLSearchParams({ symbol: q.symbol, tf: q.tf, limit: String(q.limit) });
  if (q.venue) p.set('venue', q.venue);
  if (q.to !== undefined) p.set('to', String(q.to));
  return (await getJson<{ candles: Candle[] }>(`/api/candles?${p}`, signal)).candles;
}

/** GET /api/tickers: every listed stream's last price and 24 h figures. */
export async function fetchTickers(signal?: AbortSignal): Promise<Ticker[]> {
  return (await getJson<{ tickers: Ticker[] }>('/api/tickers', signal)).tickers;
}
