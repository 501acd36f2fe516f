import { describe, expect, it } from 'vitest';
import { parseDecimalInput, roundPrice, roundQty } from './ticket-math';

const btc = { tickSize: '0.01', lotSize: '0.0001' };
const sol = { tickSize: '0.001', lotSize: '0.01' };

describe('ticket rounding', () => {
  it('parses what people type', () => {
    expect(parseDecimalInput(' 50,012.345 ')).toBe(50012.345);
    expect(parseDecimalInput('.5')).toBe(0.5);
    expect(parseDecimalInput('abc')).toBeNull();
    expect(parseDecimalInput('-1')).toBeNull();
    expect(parseDecimalInput('')).toBeNull();
  });

  it('rounds a price to the nearest tick and shows it with the tick decimals', () => {
    expect(roundPrice(btc, '50012.346')).toEqual({ units: 5_001_235, text: '50012.35' });
    expect(roundPrice(btc, '50012')).toEqual({ units: 5_001_200, text: '50012.00' });
    expect(roundPrice(sol, '150.0004')).toEqual({ units: 150_000, text: '150.000' });
    expect(roundPrice(btc, '0.001')).toBeNull();
  });

  it('rounds a quantity to the nearest lot; below half a lot is no quantity', () => {
    expect(roundQty(btc, '0.01')).toEqual({ units: 100, text: '0.0100' });
    expect(roundQty(sol, '1.234')).toEqual({ units: 123, text: '1.23' });
    expect(roundQty(sol, '0.004')).toBeNull();
  });
});
