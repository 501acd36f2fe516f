import { auth } from './auth.svelte';
import { fetchTickers, MarketRestError, type Ticker } from './market-rest';

/** How often the watchlist asks the relay for every stream's figures (ms). */
export const WATCHLIST_REFRESH_MS = 2_000;

/**
 * Every listed stream's last price and 24 h change and volume (GET /api/tickers), refreshed
 * every WATCHLIST_REFRESH_MS while a watchlist is on screen. Polled rather than streamed: the
 * worker subscribes to the desk's symbol only, and one small JSON answer every 2 s for all
 * instruments costs less than a subscription to every book.
 */
class Watchlist {
  tickers = $state.raw<Ticker[]>([]);
  /** The last failure's code ('' = the last refresh worked). */
  error = $state('');
  private timer: ReturnType<typeof setTimeout> | undefined;
  private users = 0;
  private abort: AbortController | undefined;

  /** Starts refreshing (counted: each start needs its stop). */
  start(): void {
    if (this.users++ === 0) void this.refresh();
  }

  stop(): void {
    if (--this.users > 0) return;
    this.users = 0;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.abort?.abort();
  }

  private async refresh(): Promise<void> {
    this.abort = new AbortController();
    try {
      // Replay only (no session): nothing to ask the relay; look again later, a sign-in may come.
      if (!auth.grant) throw new MarketRestError(0, 'SIGNED_OUT', 'no session');
      this.tickers = await fetchTickers(this.abort.signal);
      this.error = '';
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') return;
      this.error = e instanceof MarketRestError ? e.code : 'OFFLINE';
    }
    if (this.users > 0) this.timer = setTimeout(() => void this.refresh(), WATCHLIST_REFRESH_MS);
  }
}

export const watchlist = new Watchlist();
