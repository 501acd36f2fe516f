import { describe, expect, it } from 'vitest';
import type { Trade } from '../model/market-data';
import { Side } from '../model/side';
import { TradeRing } from './trade-ring';

const trade = (tradeId: number): Trade => ({ tradeId, price: 100, size: 1, aggressor: Side.Buy, timeUs: tradeId });

describe('TradeRing', () => {
  it('keeps the newest trades, oldest first', () => {
    const ring = new TradeRing(3);
    expect(ring.toArray()).toEqual([]);
    expect(ring.latest()).toBeUndefined();
    ring.pushAll([trade(1), trade(2)]);
    expect(ring.toArray().map((t) => t.tradeId)).toEqual([1, 2]);
    ring.pushAll([trade(3), trade(4), trade(5)]);
    expect(ring.toArray().map((t) => t.tradeId)).toEqual([3, 4, 5]);
    expect(ring.size).toBe(3);
    expect(ring.latest()?.tradeId).toBe(5);
    ring.push(trade(6));
    expect(ring.toArray().map((t) => t.tradeId)).toEqual([4, 5, 6]);
  });

  it('clears', () => {
    const ring = new TradeRing(2);
    ring.pushAll([trade(1), trade(2), trade(3)]);
    ring.clear();
    expect([ring.size, ring.toArray().length, ring.latest()]).toEqual([0, 0, undefined]);
    ring.push(trade(9));
    expect(ring.toArray().map((t) => t.tradeId)).toEqual([9]);
  });

  it('rejects a capacity below 1', () => {
    expect(() => new TradeRing(0)).toThrow(RangeError);
    expect(() => new TradeRing(1.5)).toThrow(RangeError);
  });
});
