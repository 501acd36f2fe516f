import { describe, expect, it } from 'vitest';
import { Side } from '../model/side';
import { FastBook } from './fast-book';
import type { SortedLadder } from './sorted-ladder';

/** FastBook internals the contract suite cannot reach: the invariant checker itself. */
describe('FastBook.validateInternalState', () => {
  const internals = (book: FastBook) => book as unknown as { bids: SortedLadder; asks: SortedLadder };

  it('throws on unsorted keys', () => {
    const book = new FastBook();
    book.apply(Side.Buy, 100, 1);
    book.apply(Side.Buy, 101, 1);
    const bids = internals(book).bids;
    bids.keys[bids.start] = 102;
    expect(() => book.validateInternalState()).toThrow(Error);
  });

  it('throws on a zero or fractional size', () => {
    const book = new FastBook();
    book.apply(Side.Sell, 100, 1);
    const asks = internals(book).asks;
    asks.sizes[asks.start] = 0;
    expect(() => book.validateInternalState()).toThrow(Error);
    asks.sizes[asks.start] = 0.5;
    expect(() => book.validateInternalState()).toThrow(Error);
  });

  it('throws on a level range beyond capacity', () => {
    const book = new FastBook({ initialCapacity: 2 });
    internals(book).bids.end = 3;
    expect(() => book.validateInternalState()).toThrow(Error);
  });
});
