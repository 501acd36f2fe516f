import type { BackoffOptions } from './backoff';
import type { VenueCredentials } from './venue-credentials';

/**
 * What every real-exchange adapter is opened with (one shape for all venues, filled by the
 * CLI from `--<venue>-symbols`, `--<venue>-rest-url`, `--<venue>-ws-url` and the keys).
 */
export interface LiveVenueConfig {
  /** Canonical BASE-QUOTE symbols, e.g. BTC-USDT (USDT is not USD: never mapped onto each other). */
  symbols: readonly string[];
  /** REST base URL, no trailing slash (production by default; a fake server in tests). */
  restUrl: string;
  /** WebSocket URL (market data; user data where the venue uses the same host). */
  wsUrl: string;
  /** API keys; undefined = market data only, orders refused with VENUE_NO_CREDENTIALS. */
  credentials?: VenueCredentials;
  /** A stream silent this long is STALE and reconnected. Default: the venue's heartbeat period plus slack. */
  silenceMs?: number;
  /** Reconnect backoff (capped exponential, full jitter). */
  backoff?: BackoffOptions;
  /** Clock for order timestamps and trade times, µs since the epoch. Default wallClockUs. */
  nowUs?: () => number;
  /**
   * Starts every client order id we send, so a report maps back to our order and an order of
   * anyone else on the account (another app, another relay) is told apart: two relays on one
   * account must not both send "o-1". The CLI keeps one per data directory (clientIdPrefixFor).
   * Default "tm-".
   */
  clientIdPrefix?: string;
  /** Warnings and operator alerts (reconciliation finds, resyncs). Default: silent. */
  log?: LiveVenueLog;
}

/** The slice of pino a venue adapter uses; never given a secret. */
export interface LiveVenueLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const silentLog: LiveVenueLog = { info() {}, warn() {}, error() {} };

/** Canonical symbol "BTC-USDT" -> [base, quote]; undefined when not BASE-QUOTE. */
export function splitSymbol(symbol: string): [string, string] | undefined {
  const m = /^([A-Z0-9]{2,10})-([A-Z0-9]{2,10})$/.exec(symbol);
  return m ? [m[1]!, m[2]!] : undefined;
}

/** Opening a venue failed (metadata unreachable, a symbol unlisted or unrepresentable): a stable code, at start. */
export class VenueStartError extends Error {
  constructor(readonly code: string, message: string) {
    super(`${code}: ${message}`);
  }
}
