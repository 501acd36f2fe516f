import { Side, applyFill, flatPosition } from '@tickmesh/shared';
import { describe, expect, it } from 'vitest';
import { testInstrument } from '../../../shared/src/model/instrument-fixtures';
import { positionView } from './position-view';

describe('positions panel rows', () => {
  it('show P&L net of fees, gross and fees beside it', () => {
    const p = flatPosition('alice', 'BTC-USD');
    applyFill(p, { side: Side.Buy, qty: 10_000, price: 5_000_000, fee: 2_313_000_000 });
    applyFill(p, { side: Side.Sell, qty: 5_000, price: 5_002_242, fee: 2_313_000_000 });
    const v = positionView(p, testInstrument(), 5_000_000);
    expect(v.realizedPnl).toBeCloseTo(11.21, 8);
    expect(v.unrealizedPnl).toBe(0);
    expect(v.grossPnl).toBeCloseTo(11.21, 8);
    expect(v.fees).toBeCloseTo(46.26, 8);
    expect(v.netPnl).toBeCloseTo(-35.05, 8);
  });

  it('count nothing they cannot convert', () => {
    const p = flatPosition('alice', 'X');
    applyFill(p, { side: Side.Buy, qty: 1, price: 1, fee: 5 });
    expect(positionView(p, undefined, 1)).toMatchObject({ qty: 1, netPnl: 0, fees: 0 });
  });
});
