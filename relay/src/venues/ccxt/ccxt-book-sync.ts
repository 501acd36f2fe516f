import { Side } from '@tickmesh/shared';
import { Backoff, type BackoffOptions } from '../live/backoff';
import type { FeedBook } from '../live/feed-book';
import type { LiveVenueLog } from '../live/live-venue-config';
import { decimalOf, floatToUnits, type CcxtMarket } from './ccxt-symbols';
import { describeError, type CcxtExchange, type CcxtLevel, type CcxtOrderBook, type CcxtTrade } from './ccxt-wire';

/** What a sync asks of its adapter. */
export interface CcxtSyncHost {
  readonly venue: string;
  readonly exchange: CcxtExchange;
  readonly log: LiveVenueLog;
  readonly stopped: boolean;
  backoff?: BackoffOptions;
  /** A watch resolved: new sockets ccxt opened get the silence watchdog now. */
  watched(): void;
  /** Drops the socket that carries `symbol`'s book (ccxt then rejects its watch and we resubscribe). */
  dropBookSocket(ccxtSymbol: string): void;
  /** ccxt said to back off (RateLimitExceeded / DDoSProtection): counted for health. */
  noteRateLimited(): void;
  /** The Retry-After of the venue's last answer, in ms (0 when it gave none). */
  retryAfterMs(): number;
  /** Text with the venue's keys replaced, for logs. */
  scrub(err: unknown): string;
}

/**
 * One symbol's book through ccxt.pro's watchOrderBook, made safe to show: ccxt keeps
 * resolving the last book it has after its own sync broke (a checksum or sequence error it
 * could not raise in time, a stalled socket, a snapshot older than the stream), and the
 * reported failure is a stale book shown as live (ccxt issues 23214, 21731, 6659). Here:
 *  - any rejection of the watch (ccxt's ChecksumError / InvalidNonce on a gap, a closed or
 *    silent socket, a failed snapshot) marks the book STALE at once, drops ccxt's copy and
 *    resubscribes after a backoff;
 *  - after every (re)subscription the first book ccxt resolves is only its snapshot: it is
 *    sent (the feed cleared, every level re-sent) but stays STALE until ccxt has applied an
 *    update on top of it (its nonce moved, or a second resolve where the venue has no nonce),
 *    i.e. until ccxt's own continuity check has passed once;
 *  - every level must be a whole number of ticks and lots (exact, see ccxt-symbols.ts) and the
 *    book uncrossed; anything else is a resync, never a level;
 *  - silence on the socket is the watchdog's (ccxt-watchdog.ts): it drops the socket.
 * The feed gets the changes between two ccxt books (ccxt hands whole books, not deltas).
 */
export class CcxtBookSync {
  private resolves = 0;
  private firstNonce: number | undefined;
  private readonly backoff: Backoff;
  private resyncing = false;
  /** ccxt's previous book, floats as it gave them (price -> amount), and float prices already converted. */
  private prevBids = new Map<number, number>();
  private prevAsks = new Map<number, number>();
  private readonly tickCache = new Map<number, number>();
  /** Resyncs: ccxt errors, closed or silent sockets, off-grid or crossed books; for tests and metrics. */
  resyncs = 0;
  /** Books ccxt resolved (each one diffed into the feed). */
  updates = 0;

  constructor(
    readonly market: CcxtMarket,
    readonly book: FeedBook,
    private readonly host: CcxtSyncHost,
  ) {
    this.backoff = new Backoff({ baseMs: 250, maxMs: 30_000, ...host.backoff });
  }

  /** Live: synced by ccxt and proven by one update on top of its snapshot. */
  get synced(): boolean {
    return this.book.live;
  }

  /** Runs until the host stops: watch, diff, on any failure STALE and resubscribe after a backoff. */
  async run(): Promise<void> {
    const symbol = this.market.ccxtSymbol;
    while (!this.host.stopped) {
      try {
        const ob = await this.host.exchange.watchOrderBook(symbol);
        if (this.host.stopped) return;
        this.host.watched();
        if (this.resyncing) continue; // the socket is being dropped: this book is from before
        this.onBook(ob);
      } catch (err) {
        if (this.host.stopped) return;
        this.down(err);
        // A rate-limit answer's Retry-After wins over the backoff when it is longer.
        await sleep(this.backoff.next(describeError(err).rateLimited ? this.host.retryAfterMs() : 0));
      }
    }
  }

  /** One book ccxt resolved: diffed into the feed, checked, and live once it continued the snapshot. Public for the bench. */
  onBook(ob: CcxtOrderBook): void {
    this.updates++;
    this.resolves++;
    if (this.resolves === 1) {
      this.firstNonce = ob.nonce;
      this.book.stale();
      this.book.clear();
      this.prevBids = new Map();
      this.prevAsks = new Map();
    }
    if (!this.applySide(Side.Buy, ob.bids) || !this.applySide(Side.Sell, ob.asks)) return this.resync(`a level off the ${this.market.price.step} tick / ${this.market.size.step} lot grid`);
    const bid = ob.bids[0]?.[0];
    const ask = ob.asks[0]?.[0];
    if (bid !== undefined && ask !== undefined && bid >= ask) return this.resync(`crossed book (bid ${bid} >= ask ${ask})`);
    if (!this.book.live && this.resolves >= 2 && (ob.nonce === undefined || ob.nonce !== this.firstNonce)) {
      this.book.markLive();
      this.backoff.reset();
    }
  }

  /**
   * One side of ccxt's book onto the feed: levels gone are removed, changed ones set; false
   * when a level is not exact. ccxt hands the whole book each time, so the previous one's
   * floats are kept and only levels whose float changed are converted (a 400-level book
   * changes a few levels per update).
   */
  private applySide(side: Side, levels: readonly CcxtLevel[]): boolean {
    const buy = side === Side.Buy;
    const prev = buy ? this.prevBids : this.prevAsks;
    const next = new Map<number, number>();
    for (const [p, a] of levels) {
      next.set(p, a);
      if (prev.get(p) === a) continue;
      const price = this.ticksOf(p);
      const size = floatToUnits(a, this.market.size);
      if (price === undefined || size === undefined) {
        this.book.unrepresentable++;
        return false;
      }
      this.book.setLevel(side, price, size);
    }
    for (const p of prev.keys()) {
      if (next.has(p)) continue;
      const price = this.ticksOf(p);
      if (price !== undefined) this.book.setLevel(side, price, 0);
    }
    if (buy) this.prevBids = next;
    else this.prevAsks = next;
    return true;
  }

  /** A float price in ticks, exactly (cached: the same prices come back update after update). */
  private ticksOf(p: number): number | undefined {
    let t = this.tickCache.get(p);
    if (t === undefined) {
      t = floatToUnits(p, this.market.price);
      if (t === undefined) return undefined;
      if (this.tickCache.size > 50_000) this.tickCache.clear();
      this.tickCache.set(p, t);
    }
    return t;
  }

  /** The book may be wrong: STALE now, ccxt's copy dropped so the next watch starts from a new snapshot. */
  private down(err: unknown): void {
    const first = !this.resyncing;
    this.resyncing = false;
    this.book.stale();
    this.resolves = 0;
    delete this.host.exchange.orderbooks[this.market.ccxtSymbol];
    if (first) this.resyncs++;
    const kinds = describeError(err);
    if (kinds.rateLimited) this.host.noteRateLimited();
    this.host.log.warn({ venue: this.host.venue, symbol: this.market.instrument.symbol, error: kinds.kind, why: this.host.scrub(err) }, `${this.host.venue} book stale (ccxt watchOrderBook failed); resubscribing`);
  }

  /** Our checks failed on a book ccxt resolved: STALE, and its socket dropped so ccxt resyncs from scratch. */
  private resync(why: string): void {
    this.resyncs++;
    this.resyncing = true;
    this.book.stale();
    this.resolves = 0;
    delete this.host.exchange.orderbooks[this.market.ccxtSymbol];
    this.host.log.warn({ venue: this.host.venue, symbol: this.market.instrument.symbol, why }, `${this.host.venue} book refused; resyncing`);
    this.host.dropBookSocket(this.market.ccxtSymbol);
  }
}

/**
 * One symbol's trades through ccxt.pro's watchTrades (new trades per resolve), printed on the
 * book's feed once each: ids are the venue's when numeric (Binance's), else a stable 53-bit
 * hash of its string id; a reconnect may repeat the last few, which are skipped.
 */
export class CcxtTradeSync {
  private lastNumeric = -1;
  private readonly recent = new Set<number>();
  private readonly backoff: Backoff;

  constructor(
    readonly market: CcxtMarket,
    readonly book: FeedBook,
    private readonly host: CcxtSyncHost,
  ) {
    this.backoff = new Backoff({ baseMs: 250, maxMs: 30_000, ...host.backoff });
  }

  async run(): Promise<void> {
    while (!this.host.stopped) {
      try {
        const trades = await this.host.exchange.watchTrades(this.market.ccxtSymbol);
        if (this.host.stopped) return;
        this.host.watched();
        this.backoff.reset();
        for (const t of trades) this.print(t);
      } catch (err) {
        if (this.host.stopped) return;
        const limited = describeError(err).rateLimited;
        if (limited) this.host.noteRateLimited();
        await sleep(this.backoff.next(limited ? this.host.retryAfterMs() : 0));
      }
    }
  }

  private print(t: CcxtTrade): void {
    if (t.id === undefined) return;
    const numeric = /^\d{1,15}$/.test(t.id);
    const id = tradeIdOf(t.id);
    if (numeric) {
      if (id <= this.lastNumeric) return;
      this.lastNumeric = id;
    } else {
      if (this.recent.has(id)) return;
      this.recent.add(id);
      if (this.recent.size > 2000) this.recent.delete(this.recent.values().next().value!);
    }
    const price = decimalOf(t.price);
    const size = decimalOf(t.amount);
    if (price === undefined || size === undefined) return;
    this.book.trade(id, price, size, t.side === 'sell' ? Side.Sell : Side.Buy, Math.round((t.timestamp ?? Date.now()) * 1000));
  }
}

/** A venue trade id as our numeric one: the number when it is a plain integer, else a 53-bit FNV-1a hash of the string. */
export function tradeIdOf(id: string): number {
  if (/^\d{1,15}$/.test(id)) return Number(id);
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  return (h1 & 0x1fffff) * 2 ** 32 + h2;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
