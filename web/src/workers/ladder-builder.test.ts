import { FastBook, Side } from '@tickmesh/shared';
import { describe, expect, it } from 'vitest';
import { LadderBuilder } from './ladder-builder';

/** Deterministic PRNG (mulberry32) so a failure reproduces. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function naive(books: FastBook[], side: Side, depth: number): { price: number[]; size: number[]; mask: number[] } {
  const sum = new Map<number, { size: number; mask: number }>();
  books.forEach((b, v) => {
    const l = b.levels(side);
    l.price.forEach((p, i) => {
      const e = sum.get(p) ?? { size: 0, mask: 0 };
      e.size += l.size[i]!;
      e.mask |= 1 << v;
      sum.set(p, e);
    });
  });
  const prices = [...sum.keys()].sort((a, b) => (side === Side.Buy ? b - a : a - b)).slice(0, depth);
  return { price: prices, size: prices.map((p) => sum.get(p)!.size), mask: prices.map((p) => sum.get(p)!.mask) };
}

describe('LadderBuilder', () => {
  it('merges any number of venue books exactly as a price map would, at every depth', () => {
    const r = rng(7);
    const builder = new LadderBuilder();
    for (let round = 0; round < 200; round++) {
      const venues = 1 + Math.floor(r() * 4);
      const books = Array.from({ length: venues }, () => {
        const b = new FastBook();
        const levels = Math.floor(r() * 40);
        for (let i = 0; i < levels; i++) {
          b.apply(Side.Buy, 1000 - Math.floor(r() * 60), 1 + Math.floor(r() * 9));
          b.apply(Side.Sell, 1001 + Math.floor(r() * 60), 1 + Math.floor(r() * 9));
        }
        return b;
      });
      const depth = 1 + Math.floor(r() * 30);
      const sources = books.map((book, venueBit) => ({ book, venueBit }));
      // One venue takes the topN path, several the merge path: both must agree with the map.
      builder.build(sources, depth);
      const f = builder.snapshot('live', 0, true);
      for (const [side, price, size, mask] of [
        [Side.Buy, f.bidPrice, f.bidSize, f.bidVenueMask!],
        [Side.Sell, f.askPrice, f.askSize, f.askVenueMask!],
      ] as const) {
        const want = naive(books, side, depth);
        expect(Array.from(price)).toEqual(want.price);
        expect(Array.from(size)).toEqual(want.size);
        expect(Array.from(mask)).toEqual(want.mask);
      }
    }
  });

  it('hands out fresh arrays per snapshot and an empty ladder for no sources', () => {
    const b = new FastBook();
    b.apply(Side.Buy, 10, 1);
    const builder = new LadderBuilder();
    builder.build([{ book: b, venueBit: 0 }], 5);
    const one = builder.snapshot('live', 3, false);
    b.apply(Side.Buy, 11, 2);
    builder.build([{ book: b, venueBit: 0 }], 5);
    const two = builder.snapshot('live', 4, false);
    expect(Array.from(one.bidPrice)).toEqual([10]);
    expect(Array.from(two.bidPrice)).toEqual([11, 10]);
    expect(one.bidPrice.buffer).not.toBe(two.bidPrice.buffer);
    builder.build([], 5);
    expect(builder.snapshot('stale', 0, true).bidPrice.length).toBe(0);
  });
});
