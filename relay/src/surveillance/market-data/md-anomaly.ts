import type { ErrorCode } from '@tickmesh/shared';

export type MdAnomalyCode =
  | typeof ErrorCode.MD_ANOMALY_DIVERGENCE
  | typeof ErrorCode.MD_ANOMALY_PRICE_SPIKE
  | typeof ErrorCode.MD_ANOMALY_FROZEN_FEED
  | typeof ErrorCode.MD_ANOMALY_CROSSED_BOOK
  | typeof ErrorCode.MD_ANOMALY_LOCKED_BOOK;

/**
 * A market-data anomaly: the rule that fired, at which venue and in which symbol, how sure
 * (score 0..1), a sentence for the operator and the figures it rests on (prices in quote
 * units, not ticks, so venues with different tick sizes compare; durations in ms).
 */
export interface MdAnomaly {
  code: MdAnomalyCode;
  venue: string;
  symbol: string;
  timeUs: number;
  score: number;
  message: string;
  evidence: Record<string, number | string>;
}

/**
 * An anomaly whose episode is still open at its venue and symbol (the book still diverges,
 * is still crossed, the feed still silent): that venue's prices for the symbol are not to be
 * trusted until it closes. The smart order router routes around it; /api/tickers shows it.
 * A price spike is one print, not a state, and never makes a venue suspect.
 */
export type MdSuspect = Pick<MdAnomaly, 'code' | 'venue' | 'symbol' | 'message'> & { sinceUs: number };

/** The open episode `a` started. */
export const suspectOf = (a: MdAnomaly): MdSuspect => ({ code: a.code, venue: a.venue, symbol: a.symbol, message: a.message, sinceUs: a.timeUs });

/** Rounds a figure for evidence and messages: enough digits to explain, not float noise. */
export const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Signed distance of `price` from `reference` in basis points. */
export const bpsFrom = (price: number, reference: number) => ((price - reference) / reference) * 10_000;
