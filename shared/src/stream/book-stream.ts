import { FastBook } from '../book/fast-book';
import type { L2Book } from '../book/l2-book';
import type { BookBatch, BookSnapshot, Trade } from '../model/market-data';
import { StreamState } from '../model/market-data';
import { Side } from '../model/side';
import { SequenceTracker } from './sequence-tracker';
import { TradeRing } from './trade-ring';

/** What a viewer may show: a 'stale' book is never presented as live. */
export type BookStreamStatus = 'live' | 'stale' | 'halted';

/** Why the caller must fetch a fresh snapshot. */
export type ResyncReason = 'gap' | 'epoch' | 'checksum';

/** Why a message was dropped without touching the book. */
export type IgnoreReason = 'duplicate' | 'awaiting-snapshot' | 'other-stream';

/**
 * Outcome of feeding one message to a BookStream. Gaps and mismatches are values, not
 * exceptions (DESIGN.md house style 2). 'resync' is returned once per loss of sync; the
 * batches that follow are 'ignored' with 'awaiting-snapshot' until a snapshot arrives, so
 * a caller can request a snapshot on every 'resync' without de-duplicating.
 */
export type BookStreamResult =
  | { readonly action: 'applied' }
  | { readonly action: 'ignored'; readonly reason: IgnoreReason }
  | { readonly action: 'resync'; readonly reason: ResyncReason };

/** Options of `BookStream`. */
export interface BookStreamOptions {
  /** Book to maintain. Default: a new `FastBook()`. */
  book?: L2Book;
  /** Recent trades kept in the ring. Default 100. */
  maxTrades?: number;
  /** Check each snapshot's and batch's checksum against the book. Default true. */
  verifyChecksums?: boolean;
}

// Results are shared frozen constants so the per-batch path allocates nothing.
const APPLIED: BookStreamResult = Object.freeze({ action: 'applied' });
const IGNORED_DUPLICATE: BookStreamResult = Object.freeze({ action: 'ignored', reason: 'duplicate' });
const IGNORED_AWAITING: BookStreamResult = Object.freeze({ action: 'ignored', reason: 'awaiting-snapshot' });
const IGNORED_OTHER: BookStreamResult = Object.freeze({ action: 'ignored', reason: 'other-stream' });
const RESYNC_GAP: BookStreamResult = Object.freeze({ action: 'resync', reason: 'gap' });
const RESYNC_EPOCH: BookStreamResult = Object.freeze({ action: 'resync', reason: 'epoch' });
const RESYNC_CHECKSUM: BookStreamResult = Object.freeze({ action: 'resync', reason: 'checksum' });

/**
 * Client-side state of one market-data stream: its book, its recent trades and whether it
 * may be shown as live. Feed it every BookSnapshot and BookBatch of the stream in arrival
 * order; act on 'resync' results by requesting a snapshot.
 *
 * Status: 'stale' before the first snapshot and from any loss of sync (gap, epoch change,
 * checksum mismatch, `invalidate()`) until the next good snapshot, or while the relay itself
 * flags the stream STALE; otherwise 'halted' while the relay flags HALTED (the book stays
 * valid), else 'live'. The book keeps its last levels while stale so a viewer can still draw
 * them, marked stale.
 */
export class BookStream {
  readonly book: L2Book;
  private readonly tracker = new SequenceTracker();
  private readonly trades: TradeRing;
  private readonly verifyChecksums: boolean;
  /** Last explicit state from the relay; batches with Unspecified leave it unchanged. */
  private wireState: StreamState = StreamState.Live;

  constructor(readonly streamId: number, options: BookStreamOptions = {}) {
    this.book = options.book ?? new FastBook();
    this.trades = new TradeRing(options.maxTrades ?? 100);
    this.verifyChecksums = options.verifyChecksums ?? true;
  }

  get status(): BookStreamStatus {
    if (!this.tracker.hasSnapshot || this.wireState === StreamState.Stale) return 'stale';
    return this.wireState === StreamState.Halted ? 'halted' : 'live';
  }

  /** True only when the book is in sync and the relay reports the stream live. */
  get isLive(): boolean {
    return this.status === 'live';
  }

  /** Epoch of the last snapshot applied (0 before any). */
  get epoch(): number {
    return this.tracker.epoch;
  }

  /** Seq the book is valid at (0 before any snapshot). */
  get seq(): number {
    return this.tracker.lastSeq;
  }

  /**
   * Replaces the book and trades with `snapshot` and resumes from its seq. A snapshot older
   * than the seq already reached in the same epoch (a late reply overtaken by batches) is
   * ignored as a duplicate rather than rewinding the book.
   */
  applySnapshot(snapshot: BookSnapshot): BookStreamResult {
    if (snapshot.streamId !== this.streamId) return IGNORED_OTHER;
    const t = this.tracker;
    if (t.hasSnapshot && snapshot.epoch === t.epoch && snapshot.seq < t.lastSeq) return IGNORED_DUPLICATE;
    // Out of sync until the very end, so a throw on malformed levels leaves the stream stale.
    t.reset();
    const book = this.book;
    book.clear();
    book.applyLevels(Side.Buy, snapshot.bids);
    book.applyLevels(Side.Sell, snapshot.asks);
    this.trades.clear();
    this.trades.pushAll(snapshot.recentTrades);
    this.wireState = snapshot.state === StreamState.Unspecified ? StreamState.Live : snapshot.state;
    if (this.verifyChecksums && book.checksum() !== snapshot.checksum) return RESYNC_CHECKSUM;
    t.onSnapshot(snapshot.epoch, snapshot.seq);
    return APPLIED;
  }

  /** Applies one batch if it is the next in sequence; see `BookStreamResult`. */
  applyBatch(batch: BookBatch): BookStreamResult {
    if (batch.streamId !== this.streamId) return IGNORED_OTHER;
    const t = this.tracker;
    const verdict = t.check(batch.epoch, batch.seq);
    if (verdict === 'awaiting-snapshot') return IGNORED_AWAITING;
    if (verdict === 'duplicate') return IGNORED_DUPLICATE;
    if (verdict === 'gap') return batch.epoch !== t.epoch ? RESYNC_EPOCH : RESYNC_GAP;
    let applied = false;
    try {
      this.book.applyLevels(Side.Buy, batch.bids);
      this.book.applyLevels(Side.Sell, batch.asks);
      applied = true;
    } finally {
      // Malformed levels (a codec bug) throw; the half-applied book must not stay live.
      if (!applied) t.reset();
    }
    this.trades.pushAll(batch.trades);
    if (batch.state !== StreamState.Unspecified) this.wireState = batch.state;
    if (this.verifyChecksums && this.book.checksum() !== batch.checksum) {
      t.reset();
      return RESYNC_CHECKSUM;
    }
    return APPLIED;
  }

  /**
   * Marks the book out of sync (e.g. the transport dropped): stale until the next snapshot.
   */
  invalidate(): void {
    this.tracker.reset();
  }

  /** Recent trades, oldest first, at most `maxTrades`. */
  recentTrades(): Trade[] {
    return this.trades.toArray();
  }

  /** Most recent trade, undefined when none. */
  lastTrade(): Trade | undefined {
    return this.trades.latest();
  }
}
