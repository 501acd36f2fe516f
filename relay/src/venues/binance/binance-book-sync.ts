import { Side } from '@tickmesh/shared';
import type { FeedBook } from '../live/feed-book';
import type { DepthSnapshot, DepthUpdate } from './binance-wire';

/** Diff events kept while a snapshot is on its way; past this the sync starts over (memory bound). */
const MAX_BUFFERED = 10_000;

/** What a sync asks of its venue. */
export interface BookSyncHost {
  /**
   * Fetch a REST depth snapshot and hand it to `sync.snapshot()`, retrying while
   * `sync.awaiting()`. `resync`: the last attempt failed to sync (a gap, an old snapshot), so
   * wait a backoff first — Binance serves snapshots from a cache, and asking again at once
   * would hammer it for the same old answer.
   */
  requestSnapshot(sync: BinanceBookSync, resync: boolean): void;
}

/**
 * One symbol's local book, kept exactly as Binance's "How to manage a local order book
 * correctly" (spot) says:
 *  1. buffer the diff events of the open stream;
 *  2. fetch a depth snapshot; if its lastUpdateId is older than the first buffered event's U,
 *     fetch again (it predates the stream);
 *  3. drop buffered events with u <= lastUpdateId; the first one left must straddle it
 *     (U <= lastUpdateId + 1 <= u) — and the book is live only once such an event arrived
 *     (a snapshot with no event after it yet proves nothing);
 *  4. from then on each event's U is the previous u + 1 (an event with u <= the book's id is
 *     old and ignored); anything else is a gap, and the book starts over from 1.
 * The feed is STALE from the first doubt to the end of the next sync, never a stale book live.
 */
export class BinanceBookSync {
  private buffer: DepthUpdate[] = [];
  private phase: 'down' | 'buffering' | 'synced' = 'down';
  private lastUpdateId = 0;
  /** Bumped at every restart: a snapshot answering an older request is dropped. */
  private generation = 0;
  /** Highest update id seen on the current stream: a snapshot older than it is too old. */
  private streamHighU = 0;
  /** Resyncs caused by gaps, old snapshots, bad values or overflow; for tests and metrics. */
  resyncs = 0;

  constructor(
    readonly exchangeSymbol: string,
    readonly book: FeedBook,
    private readonly host: BookSyncHost,
  ) {}

  /** Synced and proven by an event that continues the snapshot: the book is live. */
  get synced(): boolean {
    return this.phase === 'synced' && this.book.live;
  }

  /** The stream is open (again): buffer from now and fetch a snapshot. */
  streamOpen(): void {
    this.restart(false);
  }

  /** The stream is gone: the book is stale until a new stream syncs it. */
  streamDown(): void {
    this.phase = 'down';
    this.streamHighU = 0;
    this.buffer = [];
    this.generation++;
    this.book.stale();
  }

  /** The generation a snapshot request belongs to (pass it back with the answer). */
  get requestGeneration(): number {
    return this.generation;
  }

  diff(ev: DepthUpdate): void {
    if (this.phase === 'down') return;
    if (ev.u > this.streamHighU) this.streamHighU = ev.u;
    if (this.phase === 'buffering') {
      if (this.buffer.length >= MAX_BUFFERED) return this.restart(true);
      this.buffer.push(ev);
      return;
    }
    if (ev.u <= this.lastUpdateId) return; // old or duplicate: already in the book
    if (ev.U > this.lastUpdateId + 1) return this.restart(true); // a gap: events were lost
    if (!this.apply(ev)) return this.restart(true);
    // The first event that continues the snapshot proves the snapshot was not older than the stream.
    this.book.markLive();
  }

  snapshot(snap: DepthSnapshot, generation: number): void {
    if (generation !== this.generation || this.phase !== 'buffering') return;
    const first = this.buffer[0];
    // Older than the stream we buffer, or than what this stream already showed us: the events
    // in between are lost to us; ask again.
    const tooOld = first ? snap.lastUpdateId < first.U - 1 : snap.lastUpdateId < this.streamHighU;
    if (tooOld) return this.restart(true);
    this.book.clear();
    for (const [p, q] of snap.bids) if (!this.book.level(Side.Buy, p, q)) return this.restart(true);
    for (const [p, q] of snap.asks) if (!this.book.level(Side.Sell, p, q)) return this.restart(true);
    this.lastUpdateId = snap.lastUpdateId;
    const buffered = this.buffer;
    this.buffer = [];
    this.phase = 'synced';
    for (const ev of buffered) {
      this.diff(ev);
      if (this.phase !== 'synced') return; // a gap in the buffer: restarted
    }
    // Live now if the snapshot is at least as new as everything this stream has shown (any
    // later event will arrive and be checked). On a fresh stream that has shown nothing, a
    // snapshot cannot be told from one older than the stream: live at the first event that
    // continues it (diff() does that).
    if (this.streamHighU > 0 && this.lastUpdateId >= this.streamHighU) this.book.markLive();
  }

  /** Whether a snapshot of this generation is still wanted (a failed request is retried only then). */
  awaiting(generation: number): boolean {
    return generation === this.generation && this.phase === 'buffering';
  }

  private apply(ev: DepthUpdate): boolean {
    for (const [p, q] of ev.b) if (!this.book.level(Side.Buy, p, q)) return false;
    for (const [p, q] of ev.a) if (!this.book.level(Side.Sell, p, q)) return false;
    this.lastUpdateId = ev.u;
    return true;
  }

  private restart(resync: boolean): void {
    if (resync) this.resyncs++;
    this.book.stale();
    this.phase = 'buffering';
    this.buffer = [];
    this.generation++;
    this.host.requestSnapshot(this, resync);
  }
}
