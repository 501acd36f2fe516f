import { OrderStatus, Side, newOrder, orderIntent, Algo, OrderType, TimeInForce, Contingency, TriggerSource, TriggerType, type Fill } from '@tickmesh/shared';
import { describe, expect, it } from 'vitest';
import { testInstrument } from '../../../shared/src/model/instrument-fixtures';
import { fillView, orderView, positionView } from './rest-views';

const btc = testInstrument();
const instrumentOf = (s: string) => (s === 'BTC-USD' ? btc : undefined);

describe('REST views carry money in 1e-8 quote', () => {
  it('a position: gross, fees and net beside the wire fields', () => {
    const v = positionView({ account: 'a', symbol: 'BTC-USD', qty: 10_000, openCost: 50_000_000_000, realizedPnl: 1_000, fees: 40_000 }, 5_000_100, instrumentOf);
    expect(v).toMatchObject({ qty: 10_000, openCost: 50_000_000_000, unrealisedPnl: 1_000_000, openCostE8: 5_000_000_000_000, realizedPnlE8: 100_000, unrealisedPnlE8: 100_000_000, grossPnlE8: 100_100_000, feesE8: 40_000, netPnlE8: 100_060_000 });
  });

  it('no mark: unrealised 0, net = realised − fees', () => {
    const v = positionView({ account: 'a', symbol: 'BTC-USD', qty: 1, openCost: 5_000_000, realizedPnl: 0, fees: 7 }, Number.NaN, instrumentOf);
    expect(v).toMatchObject({ unrealisedPnl: 0, unrealisedPnlE8: 0, netPnlE8: -7 });
  });

  it('an order and a fill', () => {
    const intent = orderIntent({ clientOrderId: 'c', symbol: 'BTC-USD', venue: 'sim-a', side: Side.Buy, orderType: OrderType.Limit, timeInForce: TimeInForce.GTC, price: 5_000_000, qty: 2, postOnly: false, algo: Algo.None, displayQty: 0, durationMs: 0 }, 'a');
    const o = { ...newOrder(intent, 'o1', '', 1), status: OrderStatus.Filled, filledQty: 2, cumNotional: 10_000_000, fees: 33 };
    expect(orderView(o, instrumentOf)).toMatchObject({ cumNotional: 10_000_000, cumNotionalE8: 1_000_000_000, feesE8: 33 });
    const f: Fill = { fillId: 'o1-1', orderId: 'o1', parentOrderId: '', account: 'a', symbol: 'BTC-USD', venue: 'sim-a', side: Side.Buy, price: 5_000_000, qty: 2, fee: 33, liquidityMaker: false, tradeId: 1, timeUs: 1 };
    expect(fillView(f, instrumentOf)).toMatchObject({ fee: 33, feeE8: 33, notionalE8: 1_000_000_000 });
  });
});

describe('conditional orders in REST reads', () => {
  it('an order shows its trigger: type, source, the armed level, and which fired at what price', () => {
    const conditional = { triggerType: TriggerType.Stop, triggerSource: TriggerSource.Mark, triggerPrice: 4_900_000, trailOffset: 0, trailBps: 0, contingency: Contingency.None, takeProfitPrice: 0, stopLimitPrice: 0 };
    const intent = orderIntent({ clientOrderId: 'c', symbol: 'BTC-USD', venue: 'sim-a', side: Side.Sell, orderType: OrderType.Market, timeInForce: TimeInForce.GTC, price: 0, qty: 2, postOnly: false, algo: Algo.None, displayQty: 0, durationMs: 0, conditional }, 'a');
    const o = newOrder(intent, 'o1', '', 1);
    o.trigger!.firedTrigger = TriggerType.Stop;
    o.trigger!.firedPrice = 4_899_999;
    // What the HTTP layer sends: JSON of the view.
    const json = JSON.parse(JSON.stringify(orderView(o, instrumentOf)));
    expect(json.conditional).toEqual(conditional);
    expect(json.trigger).toEqual({ triggerType: TriggerType.Stop, triggerSource: TriggerSource.Mark, contingency: Contingency.None, triggerPrice: 4_900_000, firedTrigger: TriggerType.Stop, firedPrice: 4_899_999 });
  });
});

describe('an instrument no venue lists any more', () => {
  it('ticks × lots figures are null, not a guess; fees stay exact', () => {
    const v = positionView({ account: 'a', symbol: 'GONE-USD', qty: 1, openCost: 5_000_000, realizedPnl: 10, fees: 7 }, 5_000_001, instrumentOf);
    expect(v).toMatchObject({ openCostE8: null, realizedPnlE8: null, unrealisedPnlE8: null, grossPnlE8: null, netPnlE8: null, feesE8: 7 });
    const f: Fill = { fillId: 'o1-1', orderId: 'o1', parentOrderId: '', account: 'a', symbol: 'GONE-USD', venue: 'x', side: Side.Buy, price: 5, qty: 2, fee: 3, liquidityMaker: false, tradeId: 1, timeUs: 1 };
    expect(fillView(f, instrumentOf)).toMatchObject({ feeE8: 3, notionalE8: null });
  });
});
