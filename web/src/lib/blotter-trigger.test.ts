import { describe, expect, it } from 'vitest';
import { Algo, Contingency, OrderStatus, OrderType, Side, TimeInForce, TriggerSource, TriggerType, type ReportTrigger } from './model';
import type { BlotterOrder } from '../workers/terminal-api';
import { blotterRows } from './blotter-rows';

function order(trigger: ReportTrigger | undefined, over: Partial<BlotterOrder> = {}): BlotterOrder {
  return {
    account: 'acc', clientOrderId: 'c1', symbol: 'BTC-USD', venue: 'sim-a', side: Side.Sell, orderType: OrderType.Market,
    timeInForce: TimeInForce.GTC, price: 0, qty: 100, postOnly: false, algo: Algo.None, displayQty: 0, durationMs: 0,
    orderId: 'o1', parentOrderId: '', status: OrderStatus.PendingTrigger, filledQty: 0, cumNotional: 0, fees: 0, reasonCode: '', reason: '',
    local: false, createdUs: 1_000, updatedUs: 1_000, trigger, ...over,
  };
}
const t = (over: Partial<ReportTrigger> = {}): ReportTrigger => ({
  triggerType: TriggerType.Stop, triggerSource: TriggerSource.Last, contingency: Contingency.None, triggerPrice: 4_900_000, firedTrigger: TriggerType.None, firedPrice: 0, ...over,
});

describe('the blotter shows a conditional order trigger price and state', () => {
  it('an armed sell stop: fires at or below its level', () => {
    const [row] = blotterRows([order(t())]);
    expect(row!.trigger).toEqual({ kind: 'STOP', direction: '≤', level: 4_900_000, state: 'armed', firedPrice: 0, source: 'last' });
  });

  it('a fired trailing stop, with the market price that fired it', () => {
    const [row] = blotterRows([order(t({ triggerType: TriggerType.TrailingStop, triggerSource: TriggerSource.Mark, firedTrigger: TriggerType.TrailingStop, firedPrice: 4_899_000 }), { status: OrderStatus.Filled })]);
    expect(row!.trigger).toMatchObject({ kind: 'TRAILING', state: 'fired', firedPrice: 4_899_000, source: 'mark' });
  });

  it('a buy bracket: its stop-loss sells, so it fires falling; before the entry filled it waits on the entry', () => {
    const [row] = blotterRows([order(t({ contingency: Contingency.Bracket }), { side: Side.Buy, status: OrderStatus.Accepted })]);
    expect(row!.trigger).toMatchObject({ kind: 'BRACKET', direction: '≤', state: 'entry' });
    const [armed] = blotterRows([order(t({ contingency: Contingency.Bracket }), { side: Side.Buy })]);
    expect(armed!.trigger!.state).toBe('armed');
  });

  it('a canceled take-profit that never fired; a plain order has no trigger', () => {
    const [row] = blotterRows([order(t({ triggerType: TriggerType.TakeProfit }), { status: OrderStatus.Canceled })]);
    expect(row!.trigger).toMatchObject({ kind: 'TAKE PROFIT', direction: '≥', state: 'ended' });
    expect(blotterRows([order(undefined)])[0]!.trigger).toBeUndefined();
  });
});
