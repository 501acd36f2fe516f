import type { Ticker, TickerAnomaly } from './market-rest';

const words: Record<string, string> = {
  MD_ANOMALY_DIVERGENCE: 'diverging',
  MD_ANOMALY_FROZEN_FEED: 'frozen feed',
  MD_ANOMALY_CROSSED_BOOK: 'crossed book',
  MD_ANOMALY_LOCKED_BOOK: 'locked book',
};

/** A few words for an open anomaly's code, for a venue picker's option; the code itself when unknown. */
export function anomalyWords(code: string): string {
  return words[code] ?? code;
}

/** The open anomaly of `venue`'s `symbol` among the tickers, if any. */
export function venueAnomaly(tickers: readonly Ticker[], symbol: string, venue: string): TickerAnomaly | undefined {
  return tickers.find((t) => t.symbol === symbol && t.venue === venue)?.anomaly ?? undefined;
}
