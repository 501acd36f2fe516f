import { refreshAtMs } from './jwt-claims';

/** Options of `TokenKeeper`. */
export interface TokenKeeperOptions {
  /** Share of the token's life after which it is refreshed. Default 0.8. */
  refreshShare?: number;
  /** Wait before retrying a failed refresh, ms (while the token is still valid). Default 5,000. */
  retryMs?: number;
  /** Wall clock, ms. Default `Date.now`. */
  now?: () => number;
}

/**
 * Holds the access token and swaps in a fresh one (from `refresh`) at 80% of its life, so a
 * long session never reconnects with an expired token. The open WebSocket is not touched: the
 * relay checks the token at the upgrade only, so the new token matters from the next
 * (re)connect and REST call on.
 */
export class TokenKeeper {
  private current: string;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private readonly share: number;
  private readonly retryMs: number;
  private readonly now: () => number;
  /** Successful refreshes (test and status hook). */
  refreshes = 0;

  constructor(
    token: string,
    private readonly refresh: () => Promise<{ token: string }>,
    options: TokenKeeperOptions = {},
  ) {
    this.current = token;
    this.share = options.refreshShare ?? 0.8;
    this.retryMs = options.retryMs ?? 5000;
    this.now = options.now ?? Date.now;
    this.schedule();
  }

  get token(): string {
    return this.current;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    const at = refreshAtMs(this.current, this.now(), this.share);
    if (at === undefined) return; // not a JWT with exp: nothing to refresh before
    this.arm(Math.max(0, at - this.now()));
  }

  private arm(delayMs: number): void {
    clearTimeout(this.timer);
    // setTimeout's limit is 2^31-1 ms; a longer life just re-arms when it fires.
    this.timer = setTimeout(() => void this.run(), Math.min(delayMs, 2 ** 31 - 1));
  }

  private async run(): Promise<void> {
    if (this.stopped) return;
    const before = this.current;
    try {
      const r = await this.refresh();
      if (this.stopped) return;
      if (typeof r.token === 'string' && r.token !== '') {
        this.current = r.token;
        this.refreshes++;
      }
      if (this.current !== before) this.schedule();
      else this.arm(this.retryMs);
    } catch {
      // Retry while the old token may still be good; once it has expired a refresh cannot
      // succeed (the relay refuses expired tokens), so stop trying.
      const at = refreshAtMs(before, this.now(), 1);
      if (!this.stopped && (at === undefined || at > this.now())) this.arm(this.retryMs);
    }
  }
}
