import { BookStream, type BookBatch, type BookSnapshot, type BookStreamResult, type Instrument, type Trade } from '@tickmesh/shared';

/** One subscribed market-data stream: its instrument, its book and the last trade handed on. */
export interface StreamEntry {
  readonly instrument: Instrument;
  readonly stream: BookStream;
  /** Bit of the stream's venue in ladder venue masks (the venue's index in the relay's list). */
  readonly venueBit: number;
  /** Id and time (µs) of the newest trade passed to `onTrade`, to drop the repeats a snapshot carries. */
  lastTradeId: number;
  lastTradeUs: number;
}

/** Called for each trade of a stream seen for the first time, oldest first. */
export type TradeSink = (entry: StreamEntry, trade: Trade) => void;

/**
 * The worker's books: one shared `BookStream` (checksums verified) per subscribed stream.
 * Feeds snapshots and batches in, asks for a snapshot on every 'resync' (subscribing to a held
 * stream again makes the relay re-send it) and hands each trade on once.
 *
 * Trades are taken from every frame of a stream whatever the book's state (a trade happened
 * even if our book is out of sync); a resync snapshot repeats recent trades, so a trade is
 * passed on only when its id or its time is past the newest one already passed.
 */
export class StreamBooks {
  private readonly byId = new Map<number, StreamEntry>();
  private list: StreamEntry[] = [];
  /** Snapshots requested after a gap, epoch change or checksum mismatch. */
  resyncs = 0;
  /** Snapshots and batches applied to a book. */
  applied = 0;

  constructor(
    private readonly requestSnapshot: (streamId: number) => void,
    private readonly onTrade: TradeSink,
  ) {}

  /** The streams held, in instrument order. */
  get entries(): readonly StreamEntry[] {
    return this.list;
  }

  get(streamId: number): StreamEntry | undefined {
    return this.byId.get(streamId);
  }

  /**
   * Holds exactly the streams of `instruments` (bit = index in `venues`). A stream already held
   * under the same id, venue and symbol keeps its book and trade marks; others start empty and
   * stale until their snapshot.
   */
  setStreams(instruments: readonly Instrument[], venues: readonly string[]): void {
    const next: StreamEntry[] = [];
    for (const inst of instruments) {
      const held = this.byId.get(inst.streamId);
      if (held && held.instrument.venue === inst.venue && held.instrument.symbol === inst.symbol) {
        next.push(held);
        continue;
      }
      next.push({ instrument: inst, stream: new BookStream(inst.streamId, { verifyChecksums: true }), venueBit: Math.max(0, venues.indexOf(inst.venue)), lastTradeId: 0, lastTradeUs: 0 });
    }
    this.byId.clear();
    for (const e of next) this.byId.set(e.instrument.streamId, e);
    this.list = next;
  }

  /** Marks every book out of sync (the transport dropped): stale until its next snapshot. */
  invalidateAll(): void {
    for (const e of this.list) e.stream.invalidate();
  }

  applySnapshot(msg: BookSnapshot): BookStreamResult | undefined {
    const e = this.byId.get(msg.streamId);
    if (e === undefined) return undefined; // a late frame of a stream no longer viewed
    const r = e.stream.applySnapshot(msg);
    this.passTrades(e, msg.recentTrades);
    return this.settle(e, r);
  }

  applyBatch(msg: BookBatch): BookStreamResult | undefined {
    const e = this.byId.get(msg.streamId);
    if (e === undefined) return undefined;
    const r = e.stream.applyBatch(msg);
    this.passTrades(e, msg.trades);
    return this.settle(e, r);
  }

  private settle(e: StreamEntry, r: BookStreamResult): BookStreamResult {
    if (r.action === 'applied') this.applied++;
    else if (r.action === 'resync') {
      this.resyncs++;
      this.requestSnapshot(e.instrument.streamId);
    }
    return r;
  }

  private passTrades(e: StreamEntry, trades: readonly Trade[]): void {
    for (let i = 0; i < trades.length; i++) {
      const t = trades[i]!;
      if (!(t.tradeId > e.lastTradeId || t.timeUs > e.lastTradeUs)) continue;
      if (t.tradeId > e.lastTradeId) e.lastTradeId = t.tradeId;
      if (t.timeUs > e.lastTradeUs) e.lastTradeUs = t.timeUs;
      this.onTrade(e, t);
    }
  }
}
