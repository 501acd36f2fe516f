import { describe, expect, it } from 'vitest';
import { mulberry32, randomInt } from '../model/random';
import { MAX_NOTIONAL, notional, notionalOrNaN } from './notional';

const inst = (tickSize: string, lotSize: string) => ({ tickSize, lotSize });

/** Reference: exact rational arithmetic in BigInt, rounded up to a whole 1e-8 unit. */
function reference(tickSize: string, lotSize: string, price: number, qty: number): bigint {
  const parse = (s: string) => {
    const [w, f = ''] = s.split('.');
    return { n: BigInt(w + f), places: f.length };
  };
  const t = parse(tickSize);
  const l = parse(lotSize);
  const num = BigInt(price) * BigInt(qty) * t.n * l.n * 10n ** 8n;
  const den = 10n ** BigInt(t.places + l.places);
  return (num + den - 1n) / den;
}

describe('notional', () => {
  it.each([
    // [tickSize, lotSize, price ticks, qty lots, expected 1e-8 units, why]
    ['0.01', '0.0001', 5_000_000, 10_000, 5_000_000_000_000, '1 BTC at 50,000.00 = 50,000 USD'],
    ['0.01', '0.001', 300_000, 500, 150_000_000_000, '0.5 ETH at 3,000.00 = 1,500 USD'],
    ['0.001', '0.01', 150_000, 500, 75_000_000_000, '5 SOL at 150.000 = 750 USD'],
    ['0.1', '0.1', 3, 3, 9_000_000, '0.3 × 0.3 = 0.09 exactly (float gives 0.09000000000000002)'],
    ['5', '1', 2, 3, 3_000_000_000, 'integer steps: 10 × 3 = 30'],
    ['0.00001', '0.00001', 1, 1, 1, '1e-10 rounds up to one unit'],
    ['0.00001', '0.00001', 100, 1, 1, '1e-8 exactly'],
    ['0.00001', '0.00001', 150, 1, 2, '1.5e-8 rounds up'],
    ['0.01', '0.01', 0, 100, 0, 'zero price'],
    ['0.01', '0.01', 10_000, 0, 0, 'zero qty'],
    ['0.00000001', '1', Number.MAX_SAFE_INTEGER, 1, Number.MAX_SAFE_INTEGER, 'exactly MAX_NOTIONAL'],
  ] as const)('%s × %s: %d ticks × %d lots = %d (%s)', (tick, lot, price, qty, expected, _why) => {
    expect(notional(inst(tick, lot), price, qty)).toBe(expected);
  });

  it('throws RangeError past MAX_NOTIONAL (documented max ≈ 90.07 million quote)', () => {
    expect(MAX_NOTIONAL).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => notional(inst('0.00000001', '1'), Number.MAX_SAFE_INTEGER, 2)).toThrow(RangeError);
    // 90,071,993 USD of BTC-USD: one USD past the max.
    expect(() => notional(inst('0.01', '0.0001'), 9_007_199_300, 10_000)).toThrow(RangeError);
    expect(notional(inst('0.01', '0.0001'), 9_007_199_200, 10_000)).toBe(9_007_199_200_000_000);
  });

  it.each([
    ['negative price', -1, 1],
    ['negative qty', 1, -1],
    ['fractional price', 1.5, 2],
    ['fractional qty', 2, 1.5],
    ['NaN', Number.NaN, 1],
    ['Infinity', Number.POSITIVE_INFINITY, 1],
  ])('throws RangeError on %s; notionalOrNaN returns NaN', (_why, price, qty) => {
    expect(() => notional(inst('0.01', '0.01'), price, qty)).toThrow(RangeError);
    expect(notionalOrNaN(inst('0.01', '0.01'), price, qty)).toBeNaN();
  });

  it('is exact where price × qty alone passes 2^53 but the value does not', () => {
    // 7 + 5 decimals: the value is price × qty / 10^4.
    const price = 2 ** 40;
    const qty = 2 ** 20 + 3;
    expect(notional(inst('0.0000001', '0.00001'), price, qty)).toBe(Number(reference('0.0000001', '0.00001', price, qty)));
  });

  it('matches exact BigInt arithmetic on random inputs', () => {
    const rand = mulberry32(42);
    const steps = ['1', '5', '0.5', '0.1', '0.25', '0.01', '0.001', '0.0001', '0.00001', '0.000001', '0.00000001', '0.000000001'];
    for (let i = 0; i < 20_000; i++) {
      const tick = steps[randomInt(rand, 0, steps.length - 1)];
      const lot = steps[randomInt(rand, 0, steps.length - 1)];
      const price = randomInt(rand, 0, 2 ** randomInt(rand, 1, 40));
      const qty = randomInt(rand, 0, 2 ** randomInt(rand, 1, 30));
      const expected = reference(tick, lot, price, qty);
      const got = notionalOrNaN(inst(tick, lot), price, qty);
      if (expected > BigInt(MAX_NOTIONAL)) expect(got).toBeNaN();
      else expect(got).toBe(Number(expected));
    }
  });
});
