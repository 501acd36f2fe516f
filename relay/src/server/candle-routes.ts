import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, fail, type Instrument, type Result } from '@tickmesh/shared';
import { isTimeframe, mergeVenues, TIMEFRAME_NAMES, TIMEFRAMES, type Candle, type Timeframe } from '../md/candles/index';
import type { MarketDataService } from '../md/market-data-service';
import type { MdSuspect } from '../surveillance/market-data/index';
import { replyFailure, replyJson, requirePrincipal, type AuthService } from './auth/index';

/** Limits of {@link createCandleRoutes}. */
export interface CandleRouteOptions {
  /** Candles answered when `limit` is not given. Default 1500 (a day of 1 m and then some). */
  defaultLimit?: number;
  /** Largest `limit` accepted; more is refused with MD_LIMIT_TOO_LARGE. Default 5000. */
  maxLimit?: number;
  /** The open market-data anomaly of a stream (MdAnomalyMonitor.suspectOf), shown on its ticker. Default: none known here. */
  anomalyOf?: (venue: string, symbol: string) => MdSuspect | undefined;
}

/** A parsed GET /api/candles query. */
export interface CandleQuery {
  symbol: string;
  /** '' = every venue listing the symbol, merged (the consolidated view). */
  venue: string;
  tf: Timeframe;
  /** Bucket open times, seconds since the epoch, inclusive. */
  from: number;
  to: number;
  limit: number;
}

/** An optional integer parameter: undefined when absent, NaN when present but not a safe integer. */
function intParam(url: URL, name: string): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : Number.NaN;
}

/**
 * Validates a candles query against what the relay lists. Failures, each with its code:
 * no symbol or a non-integer from/to/limit, or a limit below 1 (CODEC_INVALID_FIELD);
 * a venue not listed (VENUE_UNKNOWN); a symbol not listed there (MD_UNKNOWN_SYMBOL); a
 * timeframe other than 1s 1m 5m 15m 1h 1d (MD_UNKNOWN_TIMEFRAME); from after to
 * (MD_INVALID_RANGE); limit above `maxLimit` (MD_LIMIT_TOO_LARGE).
 */
export function parseCandleQuery(url: URL, instruments: readonly Instrument[], options: CandleRouteOptions = {}): Result<CandleQuery> {
  const maxLimit = options.maxLimit ?? 5_000;
  const symbol = url.searchParams.get('symbol') ?? '';
  const venue = url.searchParams.get('venue') ?? '';
  const tf = url.searchParams.get('tf') ?? '1m';
  if (symbol === '') return fail(ErrorCode.CODEC_INVALID_FIELD, 'symbol is required');
  if (venue !== '' && !instruments.some((i) => i.venue === venue)) return fail(ErrorCode.VENUE_UNKNOWN, `no venue ${venue}`);
  if (!instruments.some((i) => i.symbol === symbol && (venue === '' || i.venue === venue))) return fail(ErrorCode.MD_UNKNOWN_SYMBOL, `no symbol ${symbol}${venue ? ` on ${venue}` : ''}`);
  if (!isTimeframe(tf)) return fail(ErrorCode.MD_UNKNOWN_TIMEFRAME, `tf is one of ${TIMEFRAME_NAMES.join(' ')}`);
  const from = intParam(url, 'from');
  const to = intParam(url, 'to');
  const limit = intParam(url, 'limit');
  if (Number.isNaN(from) || Number.isNaN(to) || Number.isNaN(limit)) return fail(ErrorCode.CODEC_INVALID_FIELD, 'from, to (seconds since the epoch) and limit are integers');
  if (from !== undefined && to !== undefined && from > to) return fail(ErrorCode.MD_INVALID_RANGE, 'from is after to');
  if (limit !== undefined && limit < 1) return fail(ErrorCode.CODEC_INVALID_FIELD, 'limit is at least 1');
  if (limit !== undefined && limit > maxLimit) return fail(ErrorCode.MD_LIMIT_TOO_LARGE, `limit is at most ${maxLimit}`);
  return { ok: true, value: { symbol, venue, tf, from: from ?? 0, to: to ?? Number.MAX_SAFE_INTEGER, limit: limit ?? options.defaultLimit ?? 1_500 } };
}

/** The candles a query asks for: one stream's, or every venue's of the symbol merged. */
export function candlesFor(md: MarketDataService, q: CandleQuery): Candle[] {
  const streams = md.instruments().filter((i) => i.symbol === q.symbol && (q.venue === '' || i.venue === q.venue));
  const lists = streams.map((i) => md.candles.candles(i.streamId, q.tf, q.from, q.to, q.limit));
  if (lists.length === 1) return lists[0]!;
  const merged = mergeVenues(lists);
  return merged.slice(Math.max(0, merged.length - q.limit));
}

/**
 * GET /api/candles (OHLCV history; README "REST") and GET /api/tickers (every stream's last
 * 24 h: the watchlist). Any signed-in role may read them. Returns false for other paths.
 */
export function createCandleRoutes(auth: AuthService, md: MarketDataService, options: CandleRouteOptions = {}) {
  return async function candleRoutes(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (req.method !== 'GET' || (url.pathname !== '/api/candles' && url.pathname !== '/api/tickers')) return false;
    const p = await requirePrincipal(auth, req, 'market-data');
    if (!p.ok) return replyFailure(res, p.reason), true;
    if (url.pathname === '/api/tickers') {
      const nowSec = Date.now() / 1000;
      const tickers = md.instruments().map((i) => {
        const t = md.candles.ticker(i.streamId, nowSec);
        const num = (n: number) => (Number.isFinite(n) ? n : null);
        const a = options.anomalyOf?.(i.venue, i.symbol);
        // `anomaly`: why this venue's book is not to be trusted now (smart routing avoids it); null when nothing is open.
        const anomaly = a === undefined ? null : { code: a.code, message: a.message, sinceUs: a.sinceUs };
        return { venue: i.venue, symbol: i.symbol, last: num(t.last), open24h: num(t.open), high24h: num(t.high), low24h: num(t.low), volume24h: t.volume, time: num(t.time), anomaly };
      });
      replyJson(res, 200, { tickers });
      return true;
    }
    const q = parseCandleQuery(url, md.instruments(), options);
    if (!q.ok) return replyFailure(res, q.reason), true;
    const { symbol, venue, tf } = q.value;
    replyJson(res, 200, { symbol, venue, tf, seconds: TIMEFRAMES[tf], candles: candlesFor(md, q.value) });
    return true;
  };
}
