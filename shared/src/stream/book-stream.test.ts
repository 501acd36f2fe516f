import { describe, expect, it } from 'vitest';
import { ReferenceBook } from '../book/reference-book';
import type { BookBatch, BookSnapshot, LevelChanges, Trade } from '../model/market-data';
import { StreamState } from '../model/market-data';
import { mulberry32, randomInt } from '../model/random';
import { Side } from '../model/side';
import { BookStream } from './book-stream';

const STREAM = 42;

/** Relay-side model of one stream: a reference book that emits snapshots and batches. */
class Publisher {
  readonly book = new ReferenceBook();
  epoch = 1;
  seq = 0;
  private tradeId = 0;

  snapshot(state: StreamState = StreamState.Live): BookSnapshot {
    return {
      streamId: STREAM,
      epoch: this.epoch,
      seq: this.seq,
      bids: this.book.levels(Side.Buy),
      asks: this.book.levels(Side.Sell),
      recentTrades: [],
      checksum: this.book.checksum(),
      state,
      timeUs: 0,
    };
  }

  batch(bids: LevelChanges, asks: LevelChanges, opts: { trades?: number; state?: StreamState } = {}): BookBatch {
    this.book.applyLevels(Side.Buy, bids);
    this.book.applyLevels(Side.Sell, asks);
    const trades: Trade[] = [];
    for (let i = 0; i < (opts.trades ?? 0); i++) {
      trades.push({ tradeId: ++this.tradeId, price: 100, size: 1, aggressor: Side.Sell, timeUs: this.tradeId });
    }
    return {
      streamId: STREAM,
      epoch: this.epoch,
      seq: ++this.seq,
      bids,
      asks,
      trades,
      checksum: this.book.checksum(),
      state: opts.state ?? StreamState.Unspecified,
      timeUs: 0,
    };
  }
}

const none: LevelChanges = { price: [], size: [] };

function seeded(): { pub: Publisher; stream: BookStream } {
  const pub = new Publisher();
  pub.batch({ price: [100, 99], size: [5, 6] }, { price: [101, 102], size: [7, 8] });
  const stream = new BookStream(STREAM);
  expect(stream.applySnapshot(pub.snapshot())).toEqual({ action: 'applied' });
  return { pub, stream };
}

describe('BookStream', () => {
  it('is stale and ignores batches until the first snapshot', () => {
    const pub = new Publisher();
    const stream = new BookStream(STREAM);
    expect(stream.status).toBe('stale');
    expect(stream.isLive).toBe(false);
    expect(stream.applyBatch(pub.batch({ price: [100], size: [1] }, none))).toEqual({ action: 'ignored', reason: 'awaiting-snapshot' });
    expect(stream.book.depth(Side.Buy)).toBe(0);
  });

  it('applies a snapshot and then consecutive batches', () => {
    const { pub, stream } = seeded();
    expect(stream.status).toBe('live');
    expect([stream.epoch, stream.seq]).toEqual([1, 1]);
    expect(stream.book.levels(Side.Buy)).toEqual({ price: [100, 99], size: [5, 6] });
    expect(stream.applyBatch(pub.batch({ price: [100, 98], size: [0, 3] }, { price: [101], size: [9] }))).toEqual({ action: 'applied' });
    expect(stream.book.levels(Side.Buy)).toEqual({ price: [99, 98], size: [6, 3] });
    expect(stream.book.levels(Side.Sell)).toEqual({ price: [101, 102], size: [9, 8] });
    expect(stream.seq).toBe(2);
    expect(stream.isLive).toBe(true);
  });

  it('ignores a duplicate batch', () => {
    const { pub, stream } = seeded();
    const b = pub.batch({ price: [97], size: [1] }, none);
    expect(stream.applyBatch(b)).toEqual({ action: 'applied' });
    expect(stream.applyBatch(b)).toEqual({ action: 'ignored', reason: 'duplicate' });
    expect(stream.isLive).toBe(true);
    expect(stream.book.stateHash()).toBe(pub.book.stateHash());
  });

  it('turns stale on a gap, asks once for a resync, and recovers from a snapshot', () => {
    const { pub, stream } = seeded();
    pub.batch({ price: [97], size: [1] }, none); // lost
    expect(stream.applyBatch(pub.batch({ price: [96], size: [1] }, none))).toEqual({ action: 'resync', reason: 'gap' });
    expect(stream.status).toBe('stale');
    expect(stream.isLive).toBe(false);
    expect(stream.applyBatch(pub.batch({ price: [95], size: [1] }, none))).toEqual({ action: 'ignored', reason: 'awaiting-snapshot' });
    expect(stream.status).toBe('stale');
    expect(stream.applySnapshot(pub.snapshot())).toEqual({ action: 'applied' });
    expect(stream.isLive).toBe(true);
    expect(stream.book.stateHash()).toBe(pub.book.stateHash());
    expect(stream.applyBatch(pub.batch({ price: [94], size: [1] }, none))).toEqual({ action: 'applied' });
  });

  it('asks for a resync with reason epoch when the relay restarts', () => {
    const { pub, stream } = seeded();
    pub.epoch = 2;
    pub.seq = 0;
    expect(stream.applyBatch(pub.batch(none, { price: [103], size: [1] }))).toEqual({ action: 'resync', reason: 'epoch' });
    expect(stream.status).toBe('stale');
    expect(stream.applySnapshot(pub.snapshot())).toEqual({ action: 'applied' });
    expect([stream.epoch, stream.seq, stream.status]).toEqual([2, 1, 'live']);
  });

  it('turns stale on a batch checksum mismatch', () => {
    const { pub, stream } = seeded();
    const b = pub.batch({ price: [100], size: [4] }, none);
    expect(stream.applyBatch({ ...b, checksum: (b.checksum + 1) >>> 0 })).toEqual({ action: 'resync', reason: 'checksum' });
    expect(stream.status).toBe('stale');
    expect(stream.applyBatch(pub.batch({ price: [99], size: [4] }, none))).toEqual({ action: 'ignored', reason: 'awaiting-snapshot' });
  });

  it('rejects a snapshot whose checksum does not match its levels', () => {
    const { pub } = seeded();
    const stream = new BookStream(STREAM);
    const snap = pub.snapshot();
    expect(stream.applySnapshot({ ...snap, checksum: (snap.checksum ^ 1) >>> 0 })).toEqual({ action: 'resync', reason: 'checksum' });
    expect(stream.status).toBe('stale');
    expect(stream.applyBatch(pub.batch({ price: [99], size: [4] }, none))).toEqual({ action: 'ignored', reason: 'awaiting-snapshot' });
  });

  it('skips checksum checks when disabled', () => {
    const { pub } = seeded();
    const stream = new BookStream(STREAM, { verifyChecksums: false });
    expect(stream.applySnapshot({ ...pub.snapshot(), checksum: 0 })).toEqual({ action: 'applied' });
    expect(stream.applyBatch({ ...pub.batch({ price: [98], size: [1] }, none), checksum: 0 })).toEqual({ action: 'applied' });
    expect(stream.isLive).toBe(true);
  });

  it('ignores a snapshot older than the seq it already reached', () => {
    const { pub, stream } = seeded();
    const old = pub.snapshot();
    stream.applyBatch(pub.batch({ price: [98], size: [1] }, none));
    expect(stream.applySnapshot(old)).toEqual({ action: 'ignored', reason: 'duplicate' });
    expect(stream.seq).toBe(2);
    expect(stream.book.stateHash()).toBe(pub.book.stateHash());
  });

  it('ignores messages of another stream', () => {
    const { pub, stream } = seeded();
    expect(stream.applyBatch({ ...pub.batch(none, none), streamId: 7 })).toEqual({ action: 'ignored', reason: 'other-stream' });
    expect(stream.applySnapshot({ ...pub.snapshot(), streamId: 7 })).toEqual({ action: 'ignored', reason: 'other-stream' });
  });

  it('follows the relay state: halted keeps the book, stale is never live, unspecified keeps the state', () => {
    const { pub, stream } = seeded();
    stream.applyBatch(pub.batch(none, none, { state: StreamState.Halted }));
    expect(stream.status).toBe('halted');
    stream.applyBatch(pub.batch(none, none));
    expect(stream.status).toBe('halted');
    stream.applyBatch(pub.batch(none, none, { state: StreamState.Stale }));
    expect([stream.status, stream.isLive]).toEqual(['stale', false]);
    stream.applyBatch(pub.batch(none, none, { state: StreamState.Live }));
    expect(stream.status).toBe('live');
    stream.applyBatch(pub.batch(none, none, { state: StreamState.Halted }));
    pub.seq++; // gap while halted: out of sync wins over halted
    expect(stream.applyBatch(pub.batch(none, none))).toEqual({ action: 'resync', reason: 'gap' });
    expect(stream.status).toBe('stale');
  });

  it('invalidate() makes the book stale until the next snapshot', () => {
    const { pub, stream } = seeded();
    stream.invalidate();
    expect(stream.status).toBe('stale');
    expect(stream.applyBatch(pub.batch(none, none))).toEqual({ action: 'ignored', reason: 'awaiting-snapshot' });
    stream.applySnapshot(pub.snapshot());
    expect(stream.status).toBe('live');
  });

  it('keeps a bounded ring of recent trades, seeded by the snapshot', () => {
    const pub = new Publisher();
    const stream = new BookStream(STREAM, { maxTrades: 3 });
    const seedTrade: Trade = { tradeId: 100, price: 1, size: 1, aggressor: Side.Buy, timeUs: 1 };
    stream.applySnapshot({ ...pub.snapshot(), recentTrades: [seedTrade] });
    expect(stream.recentTrades().map((t) => t.tradeId)).toEqual([100]);
    stream.applyBatch(pub.batch(none, none, { trades: 2 }));
    stream.applyBatch(pub.batch(none, none, { trades: 2 }));
    expect(stream.recentTrades().map((t) => t.tradeId)).toEqual([2, 3, 4]);
    expect(stream.lastTrade()?.tradeId).toBe(4);
    expect(new BookStream(STREAM).recentTrades()).toEqual([]);
  });

  it('goes stale and rethrows when a batch carries invalid levels', () => {
    const { pub, stream } = seeded();
    const b = pub.batch(none, none);
    expect(() => stream.applyBatch({ ...b, bids: { price: [-1], size: [1] } })).toThrow(RangeError);
    expect(stream.status).toBe('stale');
  });

  it('tracks a long random stream with gaps, staying equal to the publisher whenever live', () => {
    const rand = mulberry32(99);
    const pub = new Publisher();
    const stream = new BookStream(STREAM);
    stream.applySnapshot(pub.snapshot());
    let resyncs = 0;
    for (let i = 0; i < 5_000; i++) {
      const changes = (base: number, dir: number): LevelChanges => {
        const n = randomInt(rand, 0, 4);
        const price: number[] = [];
        const size: number[] = [];
        for (let k = 0; k < n; k++) {
          price.push(base + dir * randomInt(rand, 0, 20));
          size.push(rand() < 0.3 ? 0 : randomInt(rand, 1, 50));
        }
        return { price, size };
      };
      const b = pub.batch(changes(1000, -1), changes(1001, 1));
      if (rand() < 0.01) continue; // dropped on the way
      const r = stream.applyBatch(b);
      if (r.action === 'resync') {
        resyncs++;
        expect(stream.applySnapshot(pub.snapshot())).toEqual({ action: 'applied' });
      }
      if (stream.isLive) expect(stream.book.checksum()).toBe(pub.book.checksum());
    }
    expect(resyncs).toBeGreaterThan(10);
    expect(stream.book.stateHash()).toBe(pub.book.stateHash());
    stream.book.validateInternalState();
  });
});
