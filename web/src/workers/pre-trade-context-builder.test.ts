import { describe, expect, it } from 'vitest';
import { Algo, DEFAULT_RISK_LIMITS, notional, OrderStatus, OrderType, Side, TimeInForce, type Order } from '@tickmesh/shared';
import { testInstrument } from '../../../shared/src/model/instrument-fixtures';
import { OrderBlotter } from './order-blotter';
import { preTradeContext, type WorkerRiskView } from './pre-trade-context-builder';

const BTC = testInstrument();
const ETH = testInstrument({ symbol: 'ETH-USD', base: 'ETH', lotSize: '0.001' });

function order(over: Partial<Order>): Order {
  return {
    account: 'alice', clientOrderId: 'c', symbol: 'BTC-USD', venue: 'sim-a', side: Side.Buy, orderType: OrderType.Limit,
    timeInForce: TimeInForce.GTC, price: 100, qty: 10, postOnly: false, algo: Algo.None, displayQty: 0, durationMs: 0,
    orderId: 'o', parentOrderId: '', status: OrderStatus.Accepted, filledQty: 0, cumNotional: 0, fees: 0, reasonCode: '', reason: '',
    createdUs: 0, updatedUs: 0, ...over,
  };
}

function view(orders: Order[], position = 0): WorkerRiskView {
  const blotter = new OrderBlotter();
  blotter.load(orders);
  return {
    instrument: BTC,
    instrumentOf: (s) => [BTC, ETH].find((i) => i.symbol === s),
    referencePrice: 100,
    position,
    blotter,
    risk: undefined,
    streamHalted: false,
  };
}

describe('preTradeContext', () => {
  const orders = [
    order({ orderId: 'b1', clientOrderId: 'b1', price: 100, qty: 10, filledQty: 2 }),
    order({ orderId: 's1', clientOrderId: 's1', side: Side.Sell, price: 105, qty: 3 }),
    order({ orderId: 'e1', clientOrderId: 'e1', symbol: 'ETH-USD', price: 50, qty: 4 }),
    // not venue-facing or not open: left out, as the relay's OMS leaves them out
    order({ orderId: 'p1', clientOrderId: 'p1', venue: '', qty: 99 }),
    order({ orderId: 'f1', clientOrderId: 'f1', status: OrderStatus.Filled, filledQty: 10 }),
  ];

  it('counts venue-facing open orders: per symbol quantities and best prices, account-wide count and credit', () => {
    expect(preTradeContext(view(orders, 2))).toEqual({
      instrument: BTC,
      referencePrice: 100,
      position: 2,
      openBuyQty: 8,
      openSellQty: 3,
      openOrders: 3,
      openBuyNotional: notional(BTC, 100 * 8, 1) + notional(ETH, 50 * 4, 1),
      limits: DEFAULT_RISK_LIMITS,
      tradingState: 'active',
      ownBestBid: 100,
      ownBestAsk: 105,
    });
  });

  it('checks a replace with the order taken out, as the relay does', () => {
    const v = view(orders, 2);
    const c = preTradeContext(v, v.blotter.byClientOrderId('b1'));
    expect(c).toMatchObject({ position: 0, openBuyQty: 0, openOrders: 2, openBuyNotional: notional(ETH, 50 * 4, 1) });
  });

  it('is halted while the stream is', () => {
    expect(preTradeContext({ ...view([]), streamHalted: true }).tradingState).toBe('halted');
  });
});
