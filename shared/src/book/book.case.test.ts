import { describe, expect, it } from 'vitest';
import { mulberry32, randomInt, type RandomSource } from '../model/random';
import { Side } from '../model/side';
import { FastBook } from './fast-book';
import type { L2Book } from './l2-book';
import { ReferenceBook } from './reference-book';

/** Contract suite: every case runs against every L2Book implementation. */
const implementations: Array<[string, () => L2Book]> = [
  ['FastBook', () => new FastBook()],
  ['FastBook (capacity 2)', () => new FastBook({ initialCapacity: 2 })],
  ['ReferenceBook', () => new ReferenceBook()],
];

const { Buy, Sell } = Side;

function snapshot(book: L2Book) {
  return {
    bids: book.levels(Buy),
    asks: book.levels(Sell),
    bestBid: book.bestBid(),
    bestAsk: book.bestAsk(),
    bestBidSize: book.bestBidSize(),
    bestAskSize: book.bestAskSize(),
    crossed: book.isCrossed(),
    checksum: book.checksum(),
    stateHash: book.stateHash(),
  };
}

/**
 * A feed-like stream: a random-walk mid, most updates within a few levels of the top,
 * deletes of present and missing levels, occasional deep levels and momentary crosses.
 */
function* feed(rand: RandomSource, count: number): Generator<[Side, number, number]> {
  let mid = 1_000_000;
  for (let k = 0; k < count; k++) {
    if (rand() < 0.02) mid += randomInt(rand, -3, 3);
    const side = rand() < 0.5 ? Buy : Sell;
    const r = rand();
    const distance = r < 0.8 ? randomInt(rand, 0, 10) : r < 0.97 ? randomInt(rand, 0, 200) : randomInt(rand, 0, 2000);
    // distance -1 occasionally crosses the book, as a feed book briefly may.
    const offset = rand() < 0.01 ? -1 : distance + 1;
    const price = side === Buy ? mid - offset : mid + offset;
    const size = rand() < 0.3 ? 0 : randomInt(rand, 1, rand() < 0.05 ? 2 ** 40 : 1000);
    yield [side, price, size];
  }
}

describe.each(implementations)('L2Book contract: %s', (_name, create) => {
  it('reports an empty book', () => {
    const book = create();
    expect(book.bestBid()).toBeNaN();
    expect(book.bestAsk()).toBeNaN();
    expect(book.bestBidSize()).toBe(0);
    expect(book.bestAskSize()).toBe(0);
    expect(book.depth(Buy)).toBe(0);
    expect(book.depth(Sell)).toBe(0);
    expect(book.priceAt(Buy, 0)).toBeNaN();
    expect(book.sizeAt(Sell, 0)).toBe(0);
    expect(book.sizeAtPrice(Buy, 100)).toBe(0);
    expect(book.levels(Buy)).toEqual({ price: [], size: [] });
    expect(book.topN(Sell, 5, new Float64Array(5), new Float64Array(5))).toBe(0);
    expect(book.isCrossed()).toBe(false);
    expect(book.checksum()).toBe(0);
    expect(book.stateHash()).toMatch(/^[0-9a-f]{16}$/);
    book.validateInternalState();
  });

  it('keeps both sides best first', () => {
    const book = create();
    for (const p of [100, 98, 99, 97]) book.apply(Buy, p, p - 90);
    for (const p of [103, 101, 102]) book.apply(Sell, p, p - 100);
    expect(book.levels(Buy)).toEqual({ price: [100, 99, 98, 97], size: [10, 9, 8, 7] });
    expect(book.levels(Sell)).toEqual({ price: [101, 102, 103], size: [1, 2, 3] });
    expect(book.levels(Buy, 2)).toEqual({ price: [100, 99], size: [10, 9] });
    expect([book.bestBid(), book.bestBidSize(), book.bestAsk(), book.bestAskSize()]).toEqual([100, 10, 101, 1]);
    expect([book.priceAt(Buy, 3), book.sizeAt(Buy, 3), book.priceAt(Buy, 4), book.sizeAt(Buy, 4)]).toEqual([97, 7, NaN, 0]);
    expect([book.priceAt(Sell, 1), book.sizeAt(Sell, 1), book.priceAt(Sell, -1)]).toEqual([102, 2, NaN]);
    expect([book.sizeAtPrice(Buy, 98), book.sizeAtPrice(Sell, 103), book.sizeAtPrice(Sell, 100)]).toEqual([8, 3, 0]);
    expect([book.depth(Buy), book.depth(Sell), book.isCrossed()]).toEqual([4, 3, false]);
    book.validateInternalState();
  });

  it('replaces sizes absolutely and deletes on size 0', () => {
    const book = create();
    book.apply(Buy, 100, 5);
    book.apply(Buy, 100, 7);
    expect(book.sizeAtPrice(Buy, 100)).toBe(7);
    book.apply(Buy, 100, 0);
    expect(book.depth(Buy)).toBe(0);
    expect(book.bestBid()).toBeNaN();
  });

  it('treats deleting a missing level as a no-op', () => {
    const book = create();
    book.apply(Sell, 105, 3);
    const before = snapshot(book);
    book.apply(Sell, 104, 0);
    book.apply(Sell, 106, 0);
    book.apply(Buy, 105, 0);
    expect(snapshot(book)).toEqual(before);
    book.validateInternalState();
  });

  it('re-adds a deleted level', () => {
    const book = create();
    book.apply(Buy, 100, 5);
    book.apply(Buy, 99, 4);
    book.apply(Buy, 100, 0);
    book.apply(Buy, 100, 6);
    expect(book.levels(Buy)).toEqual({ price: [100, 99], size: [6, 4] });
    book.validateInternalState();
  });

  it('grows past its initial capacity and keeps every level', () => {
    const book = create();
    const rand = mulberry32(7);
    const prices = Array.from({ length: 3000 }, (_, i) => i * 3);
    for (let i = prices.length - 1; i > 0; i--) {
      const j = randomInt(rand, 0, i);
      [prices[i], prices[j]] = [prices[j]!, prices[i]!];
    }
    for (const p of prices) {
      book.apply(Buy, p, p + 1);
      book.apply(Sell, p + 10_000, p + 2);
    }
    expect(book.depth(Buy)).toBe(3000);
    expect(book.depth(Sell)).toBe(3000);
    expect([book.bestBid(), book.priceAt(Buy, 2999), book.bestAsk(), book.priceAt(Sell, 2999)]).toEqual([8997, 0, 10_000, 18_997]);
    expect(book.sizeAtPrice(Buy, 1500)).toBe(1501);
    book.validateInternalState();
    for (const p of prices) book.apply(Buy, p, 0);
    expect(book.depth(Buy)).toBe(0);
    book.validateInternalState();
  });

  it('handles runs of inserts and deletes at the top, at the bottom and in the middle', () => {
    const book = create();
    const oracle = new ReferenceBook();
    const both = (side: Side, price: number, size: number) => {
      book.apply(side, price, size);
      oracle.apply(side, price, size);
    };
    for (let i = 0; i < 300; i++) both(Buy, 1000 + i, 1 + i); // each a new best bid
    for (let i = 1; i <= 300; i++) both(Buy, 1000 - i, i); // each a new worst bid
    for (let i = 0; i < 300; i += 2) both(Buy, 850 + i, 0); // holes in the middle
    for (let i = 0; i < 300; i += 2) both(Buy, 851 + i, 5); // and refills
    for (let i = 0; i < 200; i++) both(Sell, 5000 - i, 1 + i); // each a new best ask
    for (let i = 0; i < 200; i++) both(Sell, 5000 - i, i % 3 === 0 ? 0 : 7); // delete from the top down
    for (let i = 0; i < 290; i++) both(Buy, 700 + i, 0); // delete from the bottom up
    expect(snapshot(book)).toEqual(snapshot(oracle));
    book.validateInternalState();
  });

  it('reports a crossed or locked book without rejecting it', () => {
    const book = create();
    book.apply(Buy, 100, 1);
    book.apply(Sell, 101, 1);
    expect(book.isCrossed()).toBe(false);
    book.apply(Sell, 100, 1);
    expect(book.isCrossed()).toBe(true);
    book.apply(Buy, 102, 1);
    expect(book.isCrossed()).toBe(true);
    book.validateInternalState();
    book.apply(Buy, 102, 0);
    book.apply(Sell, 100, 0);
    expect(book.isCrossed()).toBe(false);
    book.apply(Sell, 101, 0);
    expect(book.isCrossed()).toBe(false); // one empty side is never crossed
  });

  it('clears both sides and stays usable', () => {
    const book = create();
    const empty = snapshot(book);
    book.apply(Buy, 100, 1);
    book.apply(Sell, 101, 1);
    book.clear();
    expect(snapshot(book)).toEqual(empty);
    book.apply(Sell, 99, 2);
    expect(book.levels(Sell)).toEqual({ price: [99], size: [2] });
    book.validateInternalState();
  });

  it('rejects invalid prices and sizes with RangeError and leaves the book unchanged', () => {
    const book = create();
    book.apply(Buy, 100, 1);
    const before = snapshot(book);
    const bad: Array<[number, number]> = [
      [-1, 1], [1.5, 1], [NaN, 1], [Infinity, 1], [2 ** 53, 1],
      [100, -1], [100, 0.5], [100, NaN], [100, 2 ** 53], [100, -Infinity],
    ];
    for (const [price, size] of bad) {
      expect(() => book.apply(Buy, price, size)).toThrow(RangeError);
      expect(() => book.apply(Sell, price, size)).toThrow(RangeError);
    }
    expect(() => book.apply(3 as Side, 100, 1)).toThrow(RangeError);
    expect(() => book.applyLevels(Buy, { price: [1, 2], size: [1] })).toThrow(RangeError);
    expect(snapshot(book)).toEqual(before);
  });

  it('accepts the extremes of the safe integer range', () => {
    const book = create();
    const max = Number.MAX_SAFE_INTEGER;
    book.apply(Buy, 0, max);
    book.apply(Sell, max, 1);
    book.apply(Sell, 0, 3);
    expect(book.levels(Buy)).toEqual({ price: [0], size: [max] });
    expect(book.levels(Sell)).toEqual({ price: [0, max], size: [3, 1] });
    expect(Object.is(book.bestAsk(), 0)).toBe(true);
    book.validateInternalState();
  });

  it('applies LevelChanges in order, typed arrays included', () => {
    const book = create();
    book.applyLevels(Buy, { price: [100, 99, 100], size: [1, 2, 3] });
    book.applyLevels(Sell, { price: Float64Array.of(101, 102, 101), size: Float64Array.of(4, 5, 0) });
    expect(book.levels(Buy)).toEqual({ price: [100, 99], size: [3, 2] });
    expect(book.levels(Sell)).toEqual({ price: [102], size: [5] });
  });

  it('copies topN best first, bounded by n and by the output arrays', () => {
    const book = create();
    for (let p = 1; p <= 10; p++) book.apply(Sell, 100 + p, p);
    const price = new Float64Array(4);
    const size = new Float64Array(4);
    expect(book.topN(Sell, 3, price, size)).toBe(3);
    expect([...price.subarray(0, 3)]).toEqual([101, 102, 103]);
    expect([...size.subarray(0, 3)]).toEqual([1, 2, 3]);
    expect(book.topN(Sell, 50, price, size)).toBe(4);
    expect([...price]).toEqual([101, 102, 103, 104]);
    expect(book.topN(Buy, 50, price, size)).toBe(0);
    expect(book.topN(Sell, 0, price, size)).toBe(0);
  });

  it('treats fractional, zero, negative and NaN counts in topN and levels as floors, with no levels for NaN', () => {
    const book = create();
    for (let p = 1; p <= 5; p++) book.apply(Buy, 100 - p, p);
    const price = new Float64Array(8);
    const size = new Float64Array(8);
    expect([book.topN(Buy, 2.5, price, size), book.topN(Buy, -1, price, size), book.topN(Buy, NaN, price, size)]).toEqual([2, 0, 0]);
    expect(book.levels(Buy, 2.5)).toEqual({ price: [99, 98], size: [1, 2] });
    for (const d of [0, -3, NaN]) expect(book.levels(Buy, d)).toEqual({ price: [], size: [] });
    expect(book.levels(Buy, Infinity).price).toHaveLength(5);
  });

  it('hashes content, not history', () => {
    const a = create();
    const b = create();
    a.apply(Buy, 100, 1);
    a.apply(Buy, 99, 2);
    a.apply(Sell, 101, 3);
    b.apply(Sell, 105, 9);
    b.apply(Sell, 101, 3);
    b.apply(Buy, 99, 2);
    b.apply(Buy, 98, 2);
    b.apply(Buy, 100, 1);
    b.apply(Buy, 98, 0);
    b.apply(Sell, 105, 0);
    expect(b.stateHash()).toBe(a.stateHash());
    expect(b.checksum()).toBe(a.checksum());
    b.apply(Buy, 99, 3);
    expect(b.stateHash()).not.toBe(a.stateHash());
    expect(b.checksum()).not.toBe(a.checksum());
    // The same level on the other side is a different book.
    const c = create();
    const d = create();
    c.apply(Buy, 100, 1);
    d.apply(Sell, 100, 1);
    expect(c.stateHash()).not.toBe(d.stateHash());
  });

  it('checksums only the top 25 levels per side; stateHash covers all', () => {
    const book = create();
    for (let i = 0; i < 30; i++) {
      book.apply(Buy, 1000 - i, 1 + i);
      book.apply(Sell, 1001 + i, 1 + i);
    }
    const checksum = book.checksum();
    const hash = book.stateHash();
    book.apply(Buy, 1000 - 25, 99); // 26th bid
    book.apply(Sell, 1001 + 29, 0); // 30th ask
    expect(book.checksum()).toBe(checksum);
    expect(book.stateHash()).not.toBe(hash);
    book.apply(Sell, 1001 + 24, 99); // 25th ask
    expect(book.checksum()).not.toBe(checksum);
  });

  it('matches the reference book level by level on a 100k-update seeded stream', () => {
    const book = create();
    const oracle = new ReferenceBook();
    let n = 0;
    let crossedSeen = 0;
    for (const [side, price, size] of feed(mulberry32(20240611), 100_000)) {
      book.apply(side, price, size);
      oracle.apply(side, price, size);
      if (++n % 2_000 === 0) {
        expect(snapshot(book)).toEqual(snapshot(oracle));
        expect([book.depth(Buy), book.depth(Sell)]).toEqual([oracle.depth(Buy), oracle.depth(Sell)]);
        book.validateInternalState();
        if (book.isCrossed()) crossedSeen++;
      }
    }
    expect(snapshot(book)).toEqual(snapshot(oracle));
    book.validateInternalState();
    expect(book.depth(Buy)).toBeGreaterThan(500); // the stream reaches deep levels
    expect(crossedSeen).toBeGreaterThan(0); // crosses were exercised, not just allowed
    // Rebuilding from the final levels gives the same hash: it depends on content only.
    const rebuilt = create();
    rebuilt.applyLevels(Buy, book.levels(Buy));
    rebuilt.applyLevels(Sell, book.levels(Sell));
    expect(rebuilt.stateHash()).toBe(book.stateHash());
    expect(rebuilt.checksum()).toBe(book.checksum());
  });
});
