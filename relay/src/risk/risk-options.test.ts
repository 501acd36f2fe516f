import { describe, expect, it } from 'vitest';
import { DEFAULT_RISK_OPTIONS, resolveRiskOptions } from './risk-options';

describe('resolveRiskOptions', () => {
  it('has the documented defaults', () => {
    expect(resolveRiskOptions()).toEqual({
      limits: {},
      accounts: {},
      ordersPerSecond: 50,
      orderBurst: 100,
      modifiesPerSecond: 100,
      modifyBurst: 200,
      duplicateWindowMs: 0,
      maxDuplicateKeys: 100_000,
      breakerPct: 5,
      breakerWindowMs: 60_000,
      breakerCooloffMs: 30_000,
      denialAlertThreshold: 20,
      denialAlertWindowMs: 60_000,
    });
    expect(Object.isFrozen(DEFAULT_RISK_OPTIONS)).toBe(true);
  });

  it('ignores undefined fields and accepts Infinity to turn rate limits off', () => {
    const o = resolveRiskOptions({ breakerPct: undefined, ordersPerSecond: Number.POSITIVE_INFINITY, orderBurst: Number.POSITIVE_INFINITY });
    expect(o.breakerPct).toBe(5);
    expect(o.ordersPerSecond).toBe(Number.POSITIVE_INFINITY);
  });

  it.each([
    [{ ordersPerSecond: 0 }],
    [{ modifyBurst: -1 }],
    [{ breakerPct: Number.NaN }],
    [{ duplicateWindowMs: 1.5 }],
    [{ denialAlertThreshold: -1 }],
    [{ limits: { maxOpenOrders: -1 } }],
    [{ accounts: { a: { symbols: { X: { maxPosition: 0.5 } } } } }],
  ])('throws RangeError on %j', (bad) => {
    expect(() => resolveRiskOptions(bad)).toThrow(RangeError);
  });
});
