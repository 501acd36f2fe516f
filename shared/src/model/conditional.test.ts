import { describe, expect, it } from 'vitest';
import { ErrorCode } from './codes';
import { Contingency, TriggerSource, TriggerType, TriggerWatch, triggerFires, validateConditional, type OrderConditional } from './conditional';
import { Side } from './side';

const c = (over: Partial<OrderConditional> = {}): OrderConditional => ({
  triggerType: TriggerType.Stop, triggerSource: TriggerSource.Last, triggerPrice: 100, trailOffset: 0, trailBps: 0,
  contingency: Contingency.None, takeProfitPrice: 0, stopLimitPrice: 0, ...over,
});
const LIMIT = 1;
const MARKET = 2;
const code = (side: Side, orderType: number, price: number, cond: OrderConditional | undefined, algo = 0) => {
  const r = validateConditional({ side, orderType, price, algo, conditional: cond });
  return r.ok ? 'ok' : r.reason.code;
};

describe('validateConditional', () => {
  it.each([
    ['no conditional part', Side.Buy, LIMIT, 10, undefined, 'ok'],
    ['stop-market', Side.Sell, MARKET, 0, c(), 'ok'],
    ['stop-limit', Side.Buy, LIMIT, 105, c(), 'ok'],
    ['stop without a trigger price', Side.Sell, MARKET, 0, c({ triggerPrice: 0 }), ErrorCode.OMS_TRIGGER_PRICE_REQUIRED],
    ['no trigger at all', Side.Sell, MARKET, 0, c({ triggerType: TriggerType.None }), ErrorCode.OMS_TRIGGER_PRICE_REQUIRED],
    ['stop-limit without a limit price', Side.Buy, LIMIT, 0, c(), ErrorCode.OMS_CONDITIONAL_INVALID],
    ['trailing by offset', Side.Sell, MARKET, 0, c({ triggerType: TriggerType.TrailingStop, triggerPrice: 0, trailOffset: 5 }), 'ok'],
    ['trailing with both offset and bps', Side.Sell, MARKET, 0, c({ triggerType: TriggerType.TrailingStop, triggerPrice: 0, trailOffset: 5, trailBps: 5 }), ErrorCode.OMS_TRAIL_INVALID],
    ['trailing with neither', Side.Sell, MARKET, 0, c({ triggerType: TriggerType.TrailingStop, triggerPrice: 0 }), ErrorCode.OMS_TRAIL_INVALID],
    ['trailing with a fixed level', Side.Sell, MARKET, 0, c({ triggerType: TriggerType.TrailingStop, trailBps: 5 }), ErrorCode.OMS_TRAIL_INVALID],
    ['trailing by 100 %', Side.Sell, MARKET, 0, c({ triggerType: TriggerType.TrailingStop, triggerPrice: 0, trailBps: 10_000 }), ErrorCode.OMS_TRAIL_INVALID],
    ['an offset on a plain stop', Side.Sell, MARKET, 0, c({ trailOffset: 3 }), ErrorCode.OMS_TRAIL_INVALID],
    ['a conditional algo', Side.Sell, MARKET, 0, c(), ErrorCode.OMS_CONDITIONAL_INVALID],
    ['a negative price', Side.Sell, MARKET, 0, c({ triggerPrice: -1 }), ErrorCode.OMS_CONDITIONAL_INVALID],
    ['unknown trigger type', Side.Sell, MARKET, 0, c({ triggerType: 7 as TriggerType }), ErrorCode.OMS_CONDITIONAL_INVALID],
    ['sell OCO: limit above, stop below', Side.Sell, LIMIT, 120, c({ contingency: Contingency.OCO }), 'ok'],
    ['sell OCO with the stop above the limit', Side.Sell, LIMIT, 90, c({ contingency: Contingency.OCO }), ErrorCode.OMS_TRIGGER_PRICE_INVALID],
    ['buy OCO: limit below, stop above', Side.Buy, LIMIT, 90, c({ contingency: Contingency.OCO }), 'ok'],
    ['OCO as a market order', Side.Sell, MARKET, 0, c({ contingency: Contingency.OCO }), ErrorCode.OMS_CONDITIONAL_INVALID],
    ['buy bracket', Side.Buy, LIMIT, 110, c({ contingency: Contingency.Bracket, takeProfitPrice: 130 }), 'ok'],
    ['bracket without take-profit', Side.Buy, LIMIT, 110, c({ contingency: Contingency.Bracket }), ErrorCode.OMS_TRIGGER_PRICE_REQUIRED],
    ['buy bracket with the take-profit below the entry', Side.Buy, LIMIT, 110, c({ contingency: Contingency.Bracket, takeProfitPrice: 105 }), ErrorCode.OMS_TRIGGER_PRICE_INVALID],
    ['buy bracket with the stop above the entry', Side.Buy, LIMIT, 90, c({ contingency: Contingency.Bracket, takeProfitPrice: 130 }), ErrorCode.OMS_TRIGGER_PRICE_INVALID],
    ['sell bracket, market entry', Side.Sell, MARKET, 0, c({ contingency: Contingency.Bracket, triggerPrice: 120, takeProfitPrice: 80 }), 'ok'],
  ] as const)('%s', (name, side, type, price, cond, expected) => {
    expect(code(side, type, price, cond, name === 'a conditional algo' ? 1 : 0)).toBe(expected);
  });
});

describe('triggers', () => {
  it('stops fire against the side, take-profits with it, both at the level', () => {
    expect([99, 100, 101].map((p) => triggerFires(TriggerType.Stop, Side.Sell, 100, p))).toEqual([true, true, false]);
    expect([99, 100, 101].map((p) => triggerFires(TriggerType.Stop, Side.Buy, 100, p))).toEqual([false, true, true]);
    expect([99, 100, 101].map((p) => triggerFires(TriggerType.TakeProfit, Side.Sell, 100, p))).toEqual([false, true, true]);
    expect([99, 100, 101].map((p) => triggerFires(TriggerType.TakeProfit, Side.Buy, 100, p))).toEqual([true, true, false]);
    expect(triggerFires(TriggerType.Stop, Side.Sell, 100, Number.NaN)).toBe(false);
    expect(triggerFires(TriggerType.Stop, Side.Sell, 0, 50)).toBe(false);
  });

  it('a trailing sell stop tightens with every new high and never loosens', () => {
    const w = new TriggerWatch(TriggerType.TrailingStop, Side.Sell, { triggerPrice: 0, trailOffset: 10, trailBps: 0 });
    expect(w.update(100)).toBe('moved');
    expect(w.level).toBe(90);
    expect(w.update(95)).toBe(null);
    expect(w.update(120)).toBe('moved');
    expect(w.level).toBe(110);
    expect(w.update(111)).toBe(null);
    expect(w.update(110)).toBe('fired');
  });

  it('a trailing buy stop by bps, resumed from its journaled level, keeps trailing from there', () => {
    const w = new TriggerWatch(TriggerType.TrailingStop, Side.Buy, { triggerPrice: 0, trailOffset: 0, trailBps: 100 }, 10_100);
    expect(w.update(10_050)).toBe(null); // not a new low against the implied 10_000
    expect(w.level).toBe(10_100);
    expect(w.update(9_000)).toBe('moved');
    expect(w.level).toBe(9_090);
    expect(w.update(9_090)).toBe('fired');
  });
});
