import { describe, expect, it } from 'vitest';
import { Algo, OrderType, TimeInForce, type OrderIntent } from '@tickmesh/shared';
import { AlgoRunner } from './algo-runner';
import { FakeAlgoContext } from './fake-algo-context';
import { algoParent } from './algo-test-parent';
import { IcebergAlgo } from './iceberg-algo';
import { TwapAlgo } from './twap-algo';
import { VwapAlgo } from './vwap-algo';

const code = (r: AlgoRunner, i: Partial<OrderIntent>) => {
  const v = r.validate(algoParent(i));
  return v.ok ? 'ok' : v.reason.code;
};

describe('AlgoRunner', () => {
  const runner = new AlgoRunner();

  it('dispatches on parent.algo', () => {
    const ctx = new FakeAlgoContext();
    expect(runner.start(algoParent({ algo: Algo.TWAP }), ctx)).toBeInstanceOf(TwapAlgo);
    expect(runner.start(algoParent({ algo: Algo.VWAP }), ctx)).toBeInstanceOf(VwapAlgo);
    expect(runner.start(algoParent({ algo: Algo.Iceberg, displayQty: 5 }), ctx)).toBeInstanceOf(IcebergAlgo);
  });

  it('validates parameters with OMS_ALGO_INVALID_PARAMS', () => {
    expect(code(runner, { algo: Algo.TWAP, durationMs: 0 })).toBe('ok');
    expect(code(runner, { algo: Algo.VWAP, orderType: OrderType.Market, price: 0 })).toBe('ok');
    expect(code(runner, { algo: Algo.Iceberg, displayQty: 10 })).toBe('ok');
    expect(code(runner, { algo: Algo.None })).toBe('OMS_ALGO_INVALID_PARAMS');
    expect(code(runner, { algo: Algo.TWAP, qty: 0 })).toBe('OMS_ALGO_INVALID_PARAMS');
    expect(code(runner, { algo: Algo.TWAP, durationMs: -1 })).toBe('OMS_ALGO_INVALID_PARAMS');
    expect(code(runner, { algo: Algo.Iceberg, displayQty: 0 })).toBe('OMS_ALGO_INVALID_PARAMS');
    expect(code(runner, { algo: Algo.Iceberg, displayQty: 5, orderType: OrderType.Market })).toBe('OMS_ALGO_INVALID_PARAMS');
    expect(code(runner, { algo: Algo.Iceberg, displayQty: 5, timeInForce: TimeInForce.IOC })).toBe('OMS_ALGO_INVALID_PARAMS');
  });

  it('throws when started with parameters validate refuses', () => {
    expect(() => runner.start(algoParent({ algo: Algo.None }), new FakeAlgoContext())).toThrow(RangeError);
  });

  it('rejects invalid options at construction with defaults written out', () => {
    expect(runner.options).toEqual({
      slices: 10,
      defaultDurationMs: 60_000,
      minIntervalMs: 1_000,
      participationRate: 0.1,
      horizonGraceMs: 5_000,
    });
    expect(() => new AlgoRunner({ slices: 0 })).toThrow(RangeError);
    expect(() => new AlgoRunner({ participationRate: 1.5 })).toThrow(RangeError);
  });
});
