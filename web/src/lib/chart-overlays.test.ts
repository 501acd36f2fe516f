import { describe, expect, it } from 'vitest';
import { fillMarks, orderLines } from './chart-overlays';
import { OrderStatus, Side, type Fill, type Order } from './model';

const order = (over: Partial<Order>): Order =>
  ({ orderId: 'o1', clientOrderId: 'c1', parentOrderId: '', symbol: 'BTC-USD', venue: 'sim-a', side: Side.Buy, price: 5_000_000, qty: 10, filledQty: 0, status: OrderStatus.Accepted, ...over }) as Order;
const fill = (over: Partial<Fill>): Fill => ({ fillId: 'f', orderId: 'o1', parentOrderId: '', account: 'a', symbol: 'BTC-USD', venue: 'sim-a', side: Side.Buy, price: 5_000_000, qty: 1, fee: 0, liquidityMaker: false, tradeId: 1, timeUs: 0, ...over });

describe('orderLines', () => {
  it('draws open, priced, top-level orders of the symbol with what is left to fill', () => {
    const lines = orderLines(
      [
        order({ orderId: 'a', filledQty: 4 }),
        order({ orderId: 'b', status: OrderStatus.Filled }),
        order({ orderId: 'c', symbol: 'ETH-USD' }),
        order({ orderId: 'd', parentOrderId: 'a' }),
        order({ orderId: 'e', price: 0 }), // market
        order({ orderId: 'f', side: Side.Sell, price: 5_100_000, status: OrderStatus.PartiallyFilled, filledQty: 9 }),
      ],
      'BTC-USD',
    );
    expect(lines).toEqual([
      { key: 'a', price: 5_000_000, side: Side.Buy, leaves: 6 },
      { key: 'f', price: 5_100_000, side: Side.Sell, leaves: 1 },
    ]);
  });
});

describe('fillMarks', () => {
  it('puts each fill of the symbol on its candle, oldest first', () => {
    const marks = fillMarks([fill({ timeUs: 125e6, side: Side.Sell }), fill({ timeUs: 61e6, symbol: 'ETH-USD' }), fill({ timeUs: 59e6 })], 'BTC-USD', 60);
    expect(marks.map((m) => [m.time, m.side])).toEqual([
      [0, Side.Buy],
      [120, Side.Sell],
    ]);
  });
});
