import { describe, expect, it } from 'vitest';
import { MAX_NOTIONAL } from './notional';
import { DEFAULT_RISK_LIMITS, resolveRiskLimits, validateRiskLimits, type AccountRiskLimits } from './risk-limits';

describe('DEFAULT_RISK_LIMITS', () => {
  it('has the documented values', () => {
    expect(DEFAULT_RISK_LIMITS).toEqual({
      maxOrderQty: 1_000_000,
      maxNotional: 100_000_000_000_000, // 1,000,000 USD
      priceCollarBps: 500, // 5%
      maxPosition: 1_000_000,
      creditLimit: 500_000_000_000_000, // 5,000,000 USD
      maxOpenOrders: 200,
    });
    expect(Object.isFrozen(DEFAULT_RISK_LIMITS)).toBe(true);
    expect(() => validateRiskLimits(DEFAULT_RISK_LIMITS)).not.toThrow();
  });
});

describe('resolveRiskLimits', () => {
  const house: AccountRiskLimits = { maxOpenOrders: 50, symbols: { 'BTC-USD': { maxOpenOrders: 40, maxPosition: 100 } } };
  const account: AccountRiskLimits = { maxOpenOrders: 30, maxPosition: undefined, symbols: { 'BTC-USD': { maxOpenOrders: 20 } } };

  it.each([
    // [symbol, layers, field, expected, why]
    ['ETH-USD', [], 'maxOpenOrders', 200, 'no layers: the defaults'],
    ['ETH-USD', [house], 'maxOpenOrders', 50, 'house value'],
    ['BTC-USD', [house], 'maxOpenOrders', 40, "house symbol override beats the house's own value"],
    ['ETH-USD', [house, account], 'maxOpenOrders', 30, 'account beats house'],
    ['BTC-USD', [house, account], 'maxOpenOrders', 20, 'account symbol override beats everything'],
    ['BTC-USD', [house, account], 'maxPosition', 100, 'undefined fields are skipped'],
    ['BTC-USD', [undefined, account], 'maxOpenOrders', 20, 'missing layers are skipped'],
  ] as const)('%s %#: %s', (symbol, layers, field, expected, _why) => {
    expect(resolveRiskLimits(symbol, layers)[field]).toBe(expected);
  });

  it('never mutates the base', () => {
    resolveRiskLimits('X', [{ maxOpenOrders: 1 }]);
    expect(DEFAULT_RISK_LIMITS.maxOpenOrders).toBe(200);
  });
});

describe('validateRiskLimits', () => {
  it.each([
    [{ maxOrderQty: -1 }],
    [{ maxOpenOrders: 1.5 }],
    [{ priceCollarBps: Number.NaN }],
    [{ maxNotional: MAX_NOTIONAL + 1 }],
    [{ symbols: { 'BTC-USD': { creditLimit: -5 } } }],
  ] as AccountRiskLimits[][])('throws RangeError on %j', (limits) => {
    expect(() => validateRiskLimits(limits)).toThrow(RangeError);
  });

  it('accepts partial layers', () => {
    expect(() => validateRiskLimits({ maxNotional: MAX_NOTIONAL, symbols: { X: { maxPosition: 0 } } })).not.toThrow();
  });
});
