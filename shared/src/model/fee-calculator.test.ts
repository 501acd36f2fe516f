import { describe, expect, it } from 'vitest';
import { FeeCalculator } from './fee-calculator';

describe('FeeCalculator (quote × 1e-8)', () => {
  it('BTC-USD: 1 BTC at 50 000, 5 bp taker = 25 USD', () => {
    const f = new FeeCalculator('0.01', '0.0001');
    expect(f.fee(5_000_000, 10_000, 500)).toBe(2_500_000_000);
  });

  it('rebates are negative; zero rate is zero', () => {
    const f = new FeeCalculator('0.01', '0.0001');
    expect(f.fee(5_000_000, 10_000, -100)).toBe(-500_000_000);
    expect(f.fee(5_000_000, 10_000, 0)).toBe(0);
  });

  it('rounds half away from zero to a whole 1e-8 unit', () => {
    // SOL-USD: 0.001 × 0.01 = 1e-5 quote per tick·lot; 1 tick·lot at 0.5 bp = 5e-10 quote = 0.05 units.
    const f = new FeeCalculator('0.001', '0.01');
    expect(f.fee(1, 1, 50)).toBe(0);
    // 10 ticks·lots at 5 bp: 1e-4 × 5e-4 = 5e-8 -> 5 units; 1 tick·lot at 10 bp: 1e-5 × 1e-3 = 1e-8 -> 1.
    expect(f.fee(10, 1, 500)).toBe(5);
    expect(f.fee(1, 1, 1000)).toBe(1);
    // 1 tick·lot at 5 bp = 0.5 units -> 1 (half away from zero), rebate -> -1.
    expect(f.fee(1, 1, 500)).toBe(1);
    expect(f.fee(1, 1, -500)).toBe(-1);
  });

  it('is exact where floats are not (large notional)', () => {
    const f = new FeeCalculator('0.01', '0.0001');
    // 9 000 BTC at 99 999.99 = 899 999 910 USD; 7 bp of it = 629 999.937 USD.
    expect(f.fee(9_999_999, 90_000_000, 700)).toBe(62_999_993_700_000);
  });
});
