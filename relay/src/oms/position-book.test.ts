import { describe, expect, it } from 'vitest';
import { OrderStatus, OrderType, Side, type Fill, type Order } from '@tickmesh/shared';
import { PositionBook } from './position-book';
import { intent } from './oms-test-kit';

let n = 0;
function fill(side: Side, price: number, qty: number, fee = 0, over: Partial<Fill> = {}): Fill {
  n++;
  return { fillId: `f${n}`, orderId: `o${n}`, parentOrderId: '', account: 'alice', symbol: 'BTC-USD', venue: 'sim-a', side, price, qty, fee, liquidityMaker: false, tradeId: n, timeUs: n, ...over };
}

function order(over: Partial<Order>): Order {
  return { ...intent(), orderId: 'o', parentOrderId: '', status: OrderStatus.Accepted, filledQty: 0, cumNotional: 0, fees: 0, reasonCode: '', reason: '', createdUs: 0, updatedUs: 0, ...over };
}

describe('PositionBook (average cost)', () => {
  it('adds to a long at cost, releases average cost on reduce, books the difference as realised', () => {
    const b = new PositionBook();
    b.apply(fill(Side.Buy, 100, 10, 5));
    b.apply(fill(Side.Buy, 110, 10, 5));
    expect(b.get('alice', 'BTC-USD')).toMatchObject({ qty: 20, openCost: 2100, realizedPnl: 0, fees: 10 });
    b.apply(fill(Side.Sell, 120, 5, -1)); // avg 105: +15 × 5
    expect(b.get('alice', 'BTC-USD')).toMatchObject({ qty: 15, openCost: 1575, realizedPnl: 75, fees: 9 });
    expect(b.unrealised('alice', 'BTC-USD', 100)).toBe(1500 - 1575);
    b.apply(fill(Side.Sell, 90, 15)); // avg 105: -15 × 15
    expect(b.get('alice', 'BTC-USD')).toMatchObject({ qty: 0, openCost: 0, realizedPnl: 75 - 225 });
    expect(b.unrealised('alice', 'BTC-USD', 1_000)).toBe(0);
  });

  it('a flip closes the whole position and opens the rest at the fill price (shorts too)', () => {
    const b = new PositionBook();
    b.apply(fill(Side.Sell, 200, 4)); // short 4 @ 200
    expect(b.get('alice', 'BTC-USD')).toMatchObject({ qty: -4, openCost: -800 });
    expect(b.unrealised('alice', 'BTC-USD', 190)).toBe(40); // short gains when price falls
    b.apply(fill(Side.Buy, 180, 10)); // close 4 (+80), open long 6 @ 180
    expect(b.get('alice', 'BTC-USD')).toMatchObject({ qty: 6, openCost: 1080, realizedPnl: 80 });
  });

  it('rounds the released cost to an integer and leaves exactly 0 cost when flat', () => {
    const b = new PositionBook();
    b.apply(fill(Side.Buy, 100, 1));
    b.apply(fill(Side.Buy, 101, 2)); // cost 302, avg 100.67
    b.apply(fill(Side.Sell, 100, 1)); // releases round(302/3) = 101
    expect(b.get('alice', 'BTC-USD')).toMatchObject({ qty: 2, openCost: 201, realizedPnl: -1 });
    b.apply(fill(Side.Sell, 100, 2));
    const p = b.get('alice', 'BTC-USD');
    expect(p).toMatchObject({ qty: 0, openCost: 0, realizedPnl: -2 });
    expect(Number.isInteger(p.realizedPnl)).toBe(true);
  });

  it('keeps accounts and symbols apart and lists positions in first-trade order; get() is a copy', () => {
    const b = new PositionBook();
    b.apply(fill(Side.Buy, 10, 1, 0, { symbol: 'ETH-USD' }));
    b.apply(fill(Side.Buy, 10, 1));
    b.apply(fill(Side.Sell, 10, 3, 0, { account: 'bob' }));
    expect(b.list('alice').map((p) => [p.symbol, p.qty])).toEqual([['ETH-USD', 1], ['BTC-USD', 1]]);
    expect(b.list('bob').map((p) => p.qty)).toEqual([-3]);
    expect(b.get('carol', 'BTC-USD')).toEqual({ account: 'carol', symbol: 'BTC-USD', qty: 0, openCost: 0, realizedPnl: 0, fees: 0 });
    b.get('alice', 'BTC-USD').qty = 99;
    expect(b.get('alice', 'BTC-USD').qty).toBe(1);
  });

  it('exposure sums leaves and notional (ticks × lots) of open orders and finds our own best prices', () => {
    const b = new PositionBook();
    b.apply(fill(Side.Buy, 100, 7));
    const e = b.exposure('alice', 'BTC-USD', [
      order({ side: Side.Buy, price: 99, qty: 10, filledQty: 4 }),
      order({ side: Side.Buy, price: 98, qty: 5 }),
      order({ side: Side.Sell, price: 105, qty: 3 }),
      order({ side: Side.Sell, price: 103, qty: 2 }),
      order({ side: Side.Sell, orderType: OrderType.Market, price: 0, qty: 1 }),
      order({ side: Side.Buy, price: 500, qty: 1, symbol: 'ETH-USD' }), // other symbol: ignored
    ]);
    expect(e).toEqual({
      position: 7,
      openBuyQty: 11,
      openSellQty: 6,
      openOrders: 5,
      openBuyNotional: 99 * 6 + 98 * 5,
      ownBestBid: 99,
      ownBestAsk: 103,
    });
  });
});
