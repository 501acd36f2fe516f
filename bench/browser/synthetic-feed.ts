/**
 * A seeded market-data feed for browser benches: valid ServerMessage frames (a snapshot, then
 * book batches with true checksums and some trades) for several streams, interleaved with
 * receive times, as a relay would send them. Runs in the page (no node:*).
 */
import { encodeBookBatch, encodeBookSnapshot, FastBook, mulberry32, randomInt, Side, StreamState, type Instrument, type Trade } from '@tickmesh/shared';

export interface FeedFrame {
  streamId: number;
  timeUs: number;
  bytes: Uint8Array;
  /** Level changes plus trades in the frame. */
  ticks: number;
}

export interface FeedOptions {
  streams: number;
  /** Receive-time span of the feed, seconds. */
  seconds: number;
  /** Frames per second per stream. */
  rate: number;
  seed?: number;
}

export function instrumentsOf(streams: number): Instrument[] {
  return Array.from({ length: streams }, (_, i) => ({
    streamId: i + 1, symbol: 'BTC-USD', venue: `sim-${String.fromCharCode(97 + i)}`, base: 'BTC', quote: 'USD', tickSize: '0.01', lotSize: '0.0001',
    minQty: 1, maxQty: 100_000_000, makerFeeBpsX100: 0, takerFeeBpsX100: 0,
  }));
}

/** Frames of every stream merged by receive time (streams take turns within a tick of the clock). */
export function syntheticFeed(o: FeedOptions): FeedFrame[] {
  const rand = mulberry32(o.seed ?? 20_261_125);
  const startUs = 1_764_000_000_000_000;
  const stepUs = Math.round(1_000_000 / o.rate);
  const books = Array.from({ length: o.streams }, () => new FastBook());
  const seqs = new Array<number>(o.streams).fill(0);
  let tradeId = 1;
  const mid = 5_000_000;
  const out: FeedFrame[] = [];
  const frames = Math.round(o.seconds * o.rate);
  for (let k = 0; k < frames; k++) {
    for (let s = 0; s < o.streams; s++) {
      const book = books[s]!;
      const timeUs = startUs + k * stepUs + s;
      const streamId = s + 1;
      if (k === 0) {
        for (let i = 1; i <= 50; i++) {
          book.apply(Side.Buy, mid - i, randomInt(rand, 1, 20_000));
          book.apply(Side.Sell, mid + i, randomInt(rand, 1, 20_000));
        }
        const bytes = encodeBookSnapshot({
          streamId, epoch: 1, seq: 0, bids: book.levels(Side.Buy), asks: book.levels(Side.Sell), recentTrades: [],
          checksum: book.checksum(), state: StreamState.Live, timeUs,
        });
        out.push({ streamId, timeUs, bytes, ticks: 100 });
        continue;
      }
      const bids = change(rand, book, Side.Buy, mid);
      const asks = change(rand, book, Side.Sell, mid);
      const trades: Trade[] = [];
      if (rand() < 0.3) trades.push({ tradeId: tradeId++, price: mid + (rand() < 0.5 ? -1 : 1), size: randomInt(rand, 1, 5_000), aggressor: rand() < 0.5 ? Side.Buy : Side.Sell, timeUs });
      const seq = ++seqs[s]!;
      const bytes = encodeBookBatch({ streamId, epoch: 1, seq, bids, asks, trades, checksum: book.checksum(), state: StreamState.Unspecified, timeUs });
      out.push({ streamId, timeUs, bytes, ticks: bids.price.length + asks.price.length + trades.length });
    }
  }
  return out;
}

/** 1–4 absolute level changes near the top of one side, applied to `book` too (sizes 0 delete). */
function change(rand: () => number, book: FastBook, side: Side, mid: number): { price: number[]; size: number[] } {
  const n = randomInt(rand, 1, 4);
  const offsets = new Set<number>();
  while (offsets.size < n) offsets.add(randomInt(rand, 1, 30));
  const price: number[] = [];
  const size: number[] = [];
  for (const o of [...offsets].sort((a, b) => a - b)) {
    const p = side === Side.Buy ? mid - o : mid + o;
    const sz = rand() < 0.2 ? 0 : randomInt(rand, 1, 20_000);
    price.push(p);
    size.push(sz);
    book.apply(side, p, sz);
  }
  return { price, size };
}
