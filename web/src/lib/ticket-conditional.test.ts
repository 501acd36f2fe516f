import { describe, expect, it } from 'vitest';
import { Contingency, ErrorCode, OrderType, Side, TriggerSource, TriggerType } from './model';
import { TICKET_KINDS, buildConditional, orderTypeOf, type ConditionalInputs } from './ticket-conditional';

const inst = { tickSize: '0.01' };
const inputs = (over: Partial<ConditionalInputs>): ConditionalInputs => ({
  kind: 'stop', triggerText: '', triggerSource: TriggerSource.Last, trailText: '', trailUnit: 'price', takeProfitText: '', stopLimitText: '', entryMarket: false, ...over,
});

describe('ticket conditional orders', () => {
  it('offers the order types the issue asks for', () => {
    expect(TICKET_KINDS.map((k) => k.kind)).toEqual(['limit', 'market', 'stop', 'stop-limit', 'take-profit', 'take-profit-limit', 'trailing', 'oco', 'bracket']);
  });

  it('a stop sells at market once the stop price trades, on the chosen source', () => {
    const b = buildConditional(inst, Side.Sell, 0, inputs({ triggerText: '49,000.5', triggerSource: TriggerSource.Mark }));
    expect(b).toEqual({ ok: true, conditional: expect.objectContaining({ triggerType: TriggerType.Stop, triggerPrice: 4_900_050, triggerSource: TriggerSource.Mark, contingency: Contingency.None }) });
    expect(orderTypeOf('stop', false)).toBe(OrderType.Market);
    expect(orderTypeOf('stop-limit', false)).toBe(OrderType.Limit);
  });

  it('bad input gets the relay codes before anything is sent', () => {
    const code = (b: ReturnType<typeof buildConditional>) => (b.ok ? 'ok' : b.code);
    expect(code(buildConditional(inst, Side.Sell, 0, inputs({})))).toBe(ErrorCode.OMS_TRIGGER_PRICE_REQUIRED);
    expect(code(buildConditional(inst, Side.Sell, 0, inputs({ kind: 'trailing' })))).toBe(ErrorCode.OMS_TRAIL_INVALID);
    expect(code(buildConditional(inst, Side.Sell, 10_000, inputs({ kind: 'oco', triggerText: '200' })))).toBe(ErrorCode.OMS_TRIGGER_PRICE_INVALID);
    expect(code(buildConditional(inst, Side.Buy, 10_000, inputs({ kind: 'bracket', triggerText: '90' })))).toBe(ErrorCode.OMS_TRIGGER_PRICE_REQUIRED);
  });

  it('a trailing stop by bps, a bracket with a market entry and a stop-limit exit', () => {
    const t = buildConditional(inst, Side.Sell, 0, inputs({ kind: 'trailing', trailText: '50', trailUnit: 'bps' }));
    expect(t.ok && t.conditional).toMatchObject({ triggerType: TriggerType.TrailingStop, trailBps: 50, trailOffset: 0, triggerPrice: 0 });
    const b = buildConditional(inst, Side.Buy, 0, inputs({ kind: 'bracket', entryMarket: true, takeProfitText: '110', triggerText: '90', stopLimitText: '89.5' }));
    expect(b.ok && b.conditional).toMatchObject({ contingency: Contingency.Bracket, takeProfitPrice: 11_000, triggerPrice: 9_000, stopLimitPrice: 8_950 });
    expect(orderTypeOf('bracket', true)).toBe(OrderType.Market);
  });
});
