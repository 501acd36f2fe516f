import { describe, expect, it, beforeEach } from 'vitest';
import { OrderType, Side, TimeInForce } from '@tickmesh/shared';
import { MatchingEngine } from './matching-engine';
import { EngineResult } from './engine-result';
import { RecordingListener } from './recording-listener';

const { Buy, Sell } = Side;
const { GTC, IOC, FOK, Day } = TimeInForce;

let rec: RecordingListener;
let eng: MatchingEngine;

beforeEach(() => {
  rec = new RecordingListener();
  eng = new MatchingEngine({ listener: rec });
});

/** Places a GTC limit and returns its id. */
function limit(account: number, side: Side, price: number, qty: number, tif: TimeInForce = GTC, postOnly = false): number {
  const id = eng.nextOrderId;
  eng.placeLimit(account, side, price, qty, tif, postOnly);
  return id;
}

function book(side: Side): [number, number][] {
  const out: [number, number][] = [];
  eng.forEachLevel(side, (p, t) => out.push([p, t]));
  return out;
}

describe('MatchingEngine: resting and L2', () => {
  it('rests GTC orders and reports levels, best first', () => {
    limit(1, Buy, 100, 5);
    limit(1, Buy, 101, 3);
    limit(2, Buy, 100, 2);
    limit(3, Sell, 103, 4);
    limit(3, Sell, 102, 1);
    expect(book(Buy)).toEqual([[101, 3], [100, 7]]);
    expect(book(Sell)).toEqual([[102, 1], [103, 4]]);
    expect(eng.bestBid()).toBe(101);
    expect(eng.bestAsk()).toBe(102);
    expect(rec.levels).toEqual([
      { side: Buy, price: 100, size: 5 },
      { side: Buy, price: 101, size: 3 },
      { side: Buy, price: 100, size: 7 },
      { side: Sell, price: 103, size: 4 },
      { side: Sell, price: 102, size: 1 },
    ]);
    expect(rec.orders.every((e) => e.kind === 'accepted')).toBe(true);
    eng.validateInternalState();
  });

  it('assigns increasing order ids, also to rejected orders', () => {
    const a = limit(1, Buy, 100, 1);
    const b = limit(1, Buy, 0, 1);
    const c = limit(1, Buy, 100, 1);
    expect([a, b, c]).toEqual([1, 2, 3]);
    expect(rec.orders[1]).toMatchObject({ id: 2, kind: 'rejected', code: 'VENUE_INVALID_PRICE' });
  });
});

describe('MatchingEngine: validation', () => {
  it.each([
    [0, 'VENUE_INVALID_QTY'],
    [-1, 'VENUE_INVALID_QTY'],
    [1.5, 'VENUE_INVALID_QTY'],
    [NaN, 'VENUE_INVALID_QTY'],
  ])('rejects qty %s', (qty, code) => {
    expect(eng.placeLimit(1, Buy, 100, qty)).toBe(code);
    expect(eng.orderCount).toBe(0);
  });

  it.each([0, -5, 10.5, Infinity])('rejects limit price %s', (price) => {
    expect(eng.placeLimit(1, Buy, price, 1)).toBe(EngineResult.INVALID_PRICE);
    expect(rec.levels).toEqual([]);
  });
});

describe('MatchingEngine: matching', () => {
  it('fills a limit order across several levels at the makers prices, then rests the rest', () => {
    limit(1, Sell, 101, 2);
    limit(2, Sell, 102, 3);
    limit(3, Sell, 104, 5);
    rec.clear();
    const t = limit(9, Buy, 103, 7);
    expect(rec.trades.map((x) => [x.tradeId, x.price, x.qty, x.aggressor])).toEqual([
      [1, 101, 2, Buy],
      [2, 102, 3, Buy],
    ]);
    expect(book(Buy)).toEqual([[103, 2]]);
    expect(book(Sell)).toEqual([[104, 5]]);
    expect(rec.levels).toEqual([
      { side: Sell, price: 101, size: 0 },
      { side: Sell, price: 102, size: 0 },
      { side: Buy, price: 103, size: 2 },
    ]);
    expect(rec.kinds(t)).toEqual(['accepted', 'partially-filled', 'partially-filled']);
    expect(rec.orders.filter((e) => e.id === 1)).toMatchObject([{ kind: 'filled', price: 101, qty: 2, leaves: 0, tradeId: 1, maker: true }]);
    const takerFills = rec.orders.filter((e) => e.id === t && e.kind !== 'accepted');
    expect(takerFills).toMatchObject([
      { qty: 2, leaves: 5, maker: false },
      { qty: 3, leaves: 2, maker: false },
    ]);
    eng.validateInternalState();
  });

  it('respects FIFO time priority within a level and partially fills the last maker', () => {
    const a = limit(1, Sell, 100, 2);
    const b = limit(2, Sell, 100, 2);
    const c = limit(3, Sell, 100, 2);
    rec.clear();
    limit(9, Buy, 100, 3, IOC);
    expect(rec.trades.map((x) => [x.maker, x.qty])).toEqual([
      [a, 2],
      [b, 1],
    ]);
    expect(eng.orderRemaining(b)).toBe(1);
    expect(eng.orderRemaining(c)).toBe(2);
    expect(rec.orders.find((e) => e.id === b)).toMatchObject({ kind: 'partially-filled', leaves: 1 });
    expect(rec.levels).toEqual([{ side: Sell, price: 100, size: 3 }]);
    eng.validateInternalState();
  });

  it('sells hit bids best (highest) first', () => {
    limit(1, Buy, 98, 1);
    limit(1, Buy, 99, 1);
    limit(2, Sell, 90, 2, IOC);
    expect(rec.trades.map((t) => t.price)).toEqual([99, 98]);
    expect(rec.trades.every((t) => t.aggressor === Sell)).toBe(true);
  });

  it('trade ids increase monotonically across commands', () => {
    for (let i = 0; i < 5; i++) limit(1, Sell, 100 + i, 1);
    eng.placeMarket(2, Buy, 2);
    eng.placeMarket(2, Buy, 3);
    expect(rec.trades.map((t) => t.tradeId)).toEqual([1, 2, 3, 4, 5]);
    expect(eng.lastTradeId).toBe(5);
  });
});

describe('MatchingEngine: time in force', () => {
  it('IOC trades what it can and expires the rest without resting', () => {
    limit(1, Sell, 100, 2);
    rec.clear();
    const t = limit(2, Buy, 100, 5, IOC);
    expect(rec.kinds(t)).toEqual(['accepted', 'partially-filled', 'expired']);
    expect(rec.orders.at(-1)).toMatchObject({ kind: 'expired', qty: 3, leaves: 0 });
    expect(eng.depth(Buy)).toBe(0);
    expect(eng.orderCount).toBe(0);
  });

  it('IOC that does not cross expires in full', () => {
    limit(1, Sell, 101, 2);
    const t = limit(2, Buy, 100, 5, IOC);
    expect(rec.kinds(t)).toEqual(['accepted', 'expired']);
    expect(rec.trades).toEqual([]);
  });

  it('FOK fills completely when enough liquidity exists', () => {
    limit(1, Sell, 100, 2);
    limit(1, Sell, 101, 3);
    const t = limit(2, Buy, 101, 5, FOK);
    expect(rec.kinds(t)).toEqual(['accepted', 'partially-filled', 'filled']);
    expect(eng.depth(Sell)).toBe(0);
  });

  it('FOK is rejected before any fill when it cannot fill in full', () => {
    limit(1, Sell, 100, 2);
    limit(1, Sell, 102, 3);
    rec.clear();
    expect(eng.placeLimit(2, Buy, 101, 3, FOK)).toBe(EngineResult.FOK_UNFILLABLE);
    expect(rec.trades).toEqual([]);
    expect(rec.levels).toEqual([]);
    expect(rec.orders).toMatchObject([{ kind: 'rejected', code: 'VENUE_FOK_UNFILLABLE' }]);
    expect(book(Sell)).toEqual([[100, 2], [102, 3]]);
  });

  it('FOK does not count same-account liquidity (it would be canceled by STP)', () => {
    limit(2, Sell, 100, 2);
    limit(1, Sell, 100, 2);
    expect(eng.placeLimit(2, Buy, 100, 3, FOK)).toBe(EngineResult.FOK_UNFILLABLE);
    expect(eng.placeLimit(2, Buy, 100, 2, FOK)).toBe(EngineResult.OK);
  });

  it('Day behaves as GTC (the sim has no session end)', () => {
    limit(1, Buy, 100, 2, Day);
    expect(book(Buy)).toEqual([[100, 2]]);
  });
});

describe('MatchingEngine: market orders', () => {
  it('sweeps levels and expires the remainder', () => {
    limit(1, Sell, 100, 1);
    limit(1, Sell, 150, 1);
    const t = eng.nextOrderId;
    expect(eng.placeMarket(2, Buy, 3)).toBe('OK');
    expect(rec.trades.map((x) => x.price)).toEqual([100, 150]);
    expect(rec.kinds(t)).toEqual(['accepted', 'partially-filled', 'partially-filled', 'expired']);
    expect(rec.orders.find((e) => e.id === t)).toMatchObject({ price: 0 });
  });

  it('is rejected on an empty book', () => {
    limit(1, Buy, 100, 1);
    rec.clear();
    expect(eng.placeMarket(2, Buy, 3)).toBe(EngineResult.NO_LIQUIDITY);
    expect(rec.orders).toMatchObject([{ kind: 'rejected', code: 'VENUE_NO_LIQUIDITY' }]);
    expect(eng.submit(2, Sell, OrderType.Market, IOC, 0, 1)).toBe('OK');
  });
});

describe('MatchingEngine: post-only', () => {
  it('rests when it does not cross', () => {
    limit(1, Sell, 101, 1);
    expect(eng.placeLimit(2, Buy, 100, 1, GTC, true)).toBe('OK');
    expect(eng.bestBid()).toBe(100);
  });

  it('is rejected when it would take liquidity (touching counts)', () => {
    limit(1, Sell, 101, 1);
    rec.clear();
    expect(eng.placeLimit(2, Buy, 101, 1, GTC, true)).toBe(EngineResult.POST_ONLY_WOULD_TAKE);
    expect(rec.trades).toEqual([]);
    expect(rec.levels).toEqual([]);
    expect(eng.bestBid()).toBe(0);
  });

  it('a replace of a post-only order to a crossing price is refused and the order stays', () => {
    limit(1, Sell, 101, 1);
    const id = limit(2, Buy, 99, 1, GTC, true);
    rec.clear();
    expect(eng.replace(id, 101, 1)).toBe(EngineResult.POST_ONLY_WOULD_TAKE);
    expect(eng.orderRemaining(id)).toBe(1);
    expect(eng.bestBid()).toBe(99);
    expect(rec.orders).toEqual([]);
  });
});

describe('MatchingEngine: cancel', () => {
  it('removes the order and the level when it empties', () => {
    const a = limit(1, Buy, 100, 2);
    const b = limit(1, Buy, 100, 3);
    rec.clear();
    expect(eng.cancel(a)).toBe('OK');
    expect(rec.levels).toEqual([{ side: Buy, price: 100, size: 3 }]);
    expect(rec.orders).toMatchObject([{ id: a, kind: 'canceled', qty: 2, leaves: 0, code: 'OK' }]);
    expect(eng.cancel(b)).toBe('OK');
    expect(rec.levels.at(-1)).toEqual({ side: Buy, price: 100, size: 0 });
    expect(eng.depth(Buy)).toBe(0);
    eng.validateInternalState();
  });

  it('of an unknown, filled or already canceled order returns VENUE_UNKNOWN_ORDER', () => {
    expect(eng.cancel(42)).toBe(EngineResult.UNKNOWN_ORDER);
    const a = limit(1, Sell, 100, 1);
    eng.placeMarket(2, Buy, 1);
    expect(eng.cancel(a)).toBe(EngineResult.UNKNOWN_ORDER);
    const b = limit(1, Sell, 100, 1);
    eng.cancel(b);
    expect(eng.cancel(b)).toBe(EngineResult.UNKNOWN_ORDER);
    expect(eng.replace(b, 100, 1)).toBe(EngineResult.UNKNOWN_ORDER);
    expect(eng.move(b, 101)).toBe(EngineResult.UNKNOWN_ORDER);
  });
});

describe('MatchingEngine: replace', () => {
  it('size decrease keeps time priority', () => {
    const a = limit(1, Sell, 100, 5);
    const b = limit(2, Sell, 100, 5);
    rec.clear();
    expect(eng.replace(a, 100, 3)).toBe('OK');
    expect(rec.orders).toMatchObject([{ id: a, kind: 'replaced', price: 100, qty: 3, leaves: 3 }]);
    expect(rec.levels).toEqual([{ side: Sell, price: 100, size: 8 }]);
    limit(3, Buy, 100, 1, IOC);
    expect(rec.trades[0]!.maker).toBe(a);
    void b;
  });

  it('size increase loses time priority', () => {
    const a = limit(1, Sell, 100, 5);
    const b = limit(2, Sell, 100, 5);
    eng.replace(a, 100, 6);
    limit(3, Buy, 100, 1, IOC);
    expect(rec.trades[0]!.maker).toBe(b);
    expect(book(Sell)).toEqual([[100, 10]]);
  });

  it('price change loses time priority, even when moving back', () => {
    const a = limit(1, Sell, 100, 5);
    const b = limit(2, Sell, 100, 5);
    eng.move(a, 101);
    eng.move(a, 100);
    limit(3, Buy, 100, 1, IOC);
    expect(rec.trades[0]!.maker).toBe(b);
    eng.validateInternalState();
  });

  it('quantity is the new total: leaves = qty - filled; ≤ filled is refused', () => {
    const a = limit(1, Sell, 100, 10);
    limit(2, Buy, 100, 4, IOC);
    expect(eng.orderRemaining(a)).toBe(6);
    expect(eng.replace(a, 100, 4)).toBe(EngineResult.INVALID_QTY);
    expect(eng.replace(a, 100, 0)).toBe(EngineResult.INVALID_QTY);
    expect(eng.replace(a, -1, 5)).toBe(EngineResult.INVALID_PRICE);
    expect(eng.replace(a, 100, 7)).toBe('OK');
    expect(eng.orderRemaining(a)).toBe(3);
    expect(book(Sell)).toEqual([[100, 3]]);
    eng.validateInternalState();
  });

  it('replacing to a crossing price trades as taker and rests the remainder', () => {
    limit(1, Sell, 101, 2);
    const b = limit(2, Buy, 99, 5);
    rec.clear();
    expect(eng.replace(b, 101, 5)).toBe('OK');
    expect(rec.trades).toMatchObject([{ price: 101, qty: 2, aggressor: Buy, taker: b }]);
    expect(rec.kinds(b)).toEqual(['replaced', 'partially-filled']);
    expect(book(Buy)).toEqual([[101, 3]]);
    expect(book(Sell)).toEqual([]);
    expect(rec.levels).toEqual([
      { side: Buy, price: 99, size: 0 },
      { side: Sell, price: 101, size: 0 },
      { side: Buy, price: 101, size: 3 },
    ]);
    eng.validateInternalState();
  });

  it('a fully filled replace leaves nothing resting', () => {
    limit(1, Sell, 101, 5);
    const b = limit(2, Buy, 99, 5);
    eng.move(b, 102);
    expect(eng.orderRemaining(b)).toBe(0);
    expect(rec.kinds(b).at(-1)).toBe('filled');
    expect(eng.orderCount).toBe(0);
  });
});

describe('MatchingEngine: self-trade prevention (cancel oldest)', () => {
  it('cancels the resting same-account order and keeps matching others', () => {
    const own = limit(7, Sell, 100, 2);
    const other = limit(8, Sell, 100, 2);
    rec.clear();
    const t = limit(7, Buy, 100, 3);
    expect(rec.orders.find((e) => e.id === own)).toMatchObject({ kind: 'canceled', qty: 2, code: 'VENUE_SELF_TRADE_PREVENTED' });
    expect(rec.trades).toMatchObject([{ maker: other, taker: t, qty: 2, makerAccount: 8, takerAccount: 7 }]);
    expect(book(Buy)).toEqual([[100, 1]]);
    expect(book(Sell)).toEqual([]);
    eng.validateInternalState();
  });

  it('can be disabled', () => {
    const e2 = new MatchingEngine({ selfTradePrevention: false });
    e2.placeLimit(7, Sell, 100, 2);
    e2.placeLimit(7, Buy, 100, 2);
    expect(e2.lastTradeId).toBe(1);
  });
});

describe('MatchingEngine: stateHash', () => {
  it('is 16 hex chars, stable for equal books and different after a change', () => {
    const e1 = new MatchingEngine();
    const e2 = new MatchingEngine();
    for (const e of [e1, e2]) {
      e.placeLimit(1, Buy, 100, 1);
      e.placeLimit(1, Sell, 101, 1);
    }
    expect(e1.stateHash()).toMatch(/^[0-9a-f]{16}$/);
    expect(e1.stateHash()).toBe(e2.stateHash());
    e2.replace(1, 100, 2);
    expect(e1.stateHash()).not.toBe(e2.stateHash());
  });
});
