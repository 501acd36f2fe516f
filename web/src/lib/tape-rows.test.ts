import { describe, expect, it } from 'vitest';
import { Side, type Trade } from './model';
import { TapeFormatter, visibleRange } from './tape-rows';

const btc = { tickSize: '0.01', lotSize: '0.0001' };

describe('tape rows', () => {
  it('renders only the rows in view, with overscan, clamped to the list', () => {
    expect(visibleRange(0, 170, 200, 17, 4)).toEqual({ first: 0, last: 14 });
    expect(visibleRange(170, 170, 200, 17, 4)).toEqual({ first: 6, last: 24 });
    expect(visibleRange(10_000, 170, 200, 17, 4)).toEqual({ first: 200, last: 200 });
    expect(visibleRange(0, 10_000, 50, 17, 4)).toEqual({ first: 0, last: 50 });
    expect(visibleRange(0, 170, 0, 17)).toEqual({ first: 0, last: 0 });
  });

  it('formats a trade once and again after the instrument changes', () => {
    const f = new TapeFormatter();
    const t: Trade = { tradeId: 1, price: 5_001_234, size: 12_500, aggressor: Side.Buy, timeUs: 1_700_000_000_000_000 };
    const a = f.row(btc, t);
    expect(a.price).toBe('50,012.34');
    expect(a.size).toBe('1.2500');
    expect(f.row(btc, t)).toBe(a);
    const sol = { tickSize: '0.001', lotSize: '0.01' };
    expect(f.row(sol, t).price).toBe('5,001.234');
  });
});
