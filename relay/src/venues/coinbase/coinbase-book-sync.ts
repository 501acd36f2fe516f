import { Side } from '@tickmesh/shared';
import type { FeedBook } from '../live/feed-book';
import type { CoinbaseMessage, L2Event } from './coinbase-wire';

/** What a sync asks of its venue. */
export interface BookSyncHost {
  /** The connection can no longer be trusted (a gap, a value off the grid): reconnect, which resubscribes. */
  resync(why: string): void;
}

/** What the sync made of one message. */
export type Verdict = 'apply' | 'duplicate' | 'resync';

/**
 * The books of one Coinbase connection, kept as Advanced Trade's level2 channel works:
 *  1. after subscribing, each product gets one `snapshot` event (its whole book), then
 *     `update` events with the new absolute size of each changed level ("0" removes it);
 *  2. every message of the connection, whatever its channel, carries the next sequence_num;
 *     a number skipped means a message was lost, so every book of the connection may be
 *     wrong: all go STALE at once and the connection is replaced (resubscribing gives new
 *     snapshots, and the new connection counts from its own start);
 *  3. a number already seen (a repeat or a late straggler) is dropped, never applied twice;
 *  4. a price or size that is not whole ticks/lots cannot be represented: resync, never a
 *     level rounded to the wrong price.
 * A book is LIVE only between its snapshot and the first doubt.
 */
export class CoinbaseBookSync {
  private lastSeq: number | undefined;
  private readonly phase = new Map<string, 'down' | 'awaiting' | 'synced'>();
  /** Resyncs (gaps and unrepresentable values), repeats dropped; for tests and metrics. */
  resyncs = 0;
  gaps = 0;
  duplicates = 0;

  constructor(
    readonly books: ReadonlyMap<string, FeedBook>,
    private readonly host: BookSyncHost,
  ) {
    for (const id of books.keys()) this.phase.set(id, 'down');
  }

  /** Whether the product's book is synced (LIVE). */
  synced(productId: string): boolean {
    return this.phase.get(productId) === 'synced';
  }

  get allSynced(): boolean {
    for (const p of this.phase.values()) if (p !== 'synced') return false;
    return true;
  }

  /** A new connection is open and subscribed: its numbering starts afresh; books wait for snapshots. */
  streamOpen(): void {
    this.lastSeq = undefined;
    for (const id of this.phase.keys()) this.phase.set(id, 'awaiting');
  }

  /** The connection is gone: every book is stale until the next one syncs it. */
  streamDown(): void {
    this.lastSeq = undefined;
    for (const [id, book] of this.books) {
      this.phase.set(id, 'down');
      book.stale();
    }
  }

  /**
   * Checks a message's place in the connection's numbering and applies it when it is an
   * l2_data message. 'apply' = in order (the caller handles other channels), 'duplicate' =
   * already seen, dropped; 'resync' = the books are stale and the host is reconnecting.
   */
  message(msg: CoinbaseMessage): Verdict {
    const seq = msg.sequence_num;
    if (this.lastSeq !== undefined) {
      if (seq <= this.lastSeq) {
        this.duplicates++;
        return 'duplicate';
      }
      if (seq !== this.lastSeq + 1) {
        this.gaps++;
        this.fail(`sequence gap: ${this.lastSeq} then ${seq}`);
        return 'resync';
      }
    }
    this.lastSeq = seq;
    if (msg.channel === 'malformed') {
      this.fail(`seq ${seq}: a book or trades message we cannot read`);
      return 'resync';
    }
    if (msg.channel !== 'l2_data') return 'apply';
    for (const ev of msg.events) {
      if (!this.event(ev)) {
        this.fail(`${ev.product_id}: a level not in whole ticks/lots`);
        return 'resync';
      }
    }
    return 'apply';
  }

  private event(ev: L2Event): boolean {
    const book = this.books.get(ev.product_id);
    const phase = this.phase.get(ev.product_id);
    if (!book || phase === undefined || phase === 'down') return true; // not ours, or a late frame of a dead connection
    if (ev.type === 'snapshot') {
      book.stale();
      book.clear();
      for (const u of ev.updates) if (!this.level(book, u.side, u.price_level, u.new_quantity)) return false;
      this.phase.set(ev.product_id, 'synced');
      book.markLive();
      return true;
    }
    // An update before the product's snapshot cannot be placed; Coinbase sends the snapshot first.
    if (phase !== 'synced') return true;
    for (const u of ev.updates) if (!this.level(book, u.side, u.price_level, u.new_quantity)) return false;
    return true;
  }

  private level(book: FeedBook, side: string, price: string, qty: string): boolean {
    if (side === 'bid') return book.level(Side.Buy, price, qty);
    // The docs name asks "offer"; "ask" is read too (some SDK examples use it).
    if (side === 'offer' || side === 'ask') return book.level(Side.Sell, price, qty);
    book.unrepresentable++;
    return false;
  }

  private fail(why: string): void {
    this.resyncs++;
    // Every book of the connection first, before anything else can read them as live.
    for (const [id, book] of this.books) {
      this.phase.set(id, 'down');
      book.stale();
    }
    this.lastSeq = undefined;
    this.host.resync(why);
  }
}
