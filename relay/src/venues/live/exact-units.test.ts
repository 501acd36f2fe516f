import { describe, expect, it } from 'vitest';
import { fromUnits, toUnits, unitStep } from './exact-units';

describe('exact decimal strings -> ticks and lots', () => {
  const cent = unitStep('0.01000000')!;
  const sat = unitStep('0.00000001')!;

  it('normalises padded steps and converts padded values exactly', () => {
    expect(cent).toEqual({ step: '0.01', places: 2, scaled: 1 });
    expect(toUnits('27123.45000000', cent)).toBe(2712345);
    expect(toUnits('0.00000000', cent)).toBe(0);
    expect(toUnits('5', cent)).toBe(500);
    expect(toUnits('0.00012345', sat)).toBe(12345);
  });

  it('is exact where float division is not', () => {
    // 0.29 / 0.01 in floats is 28.999999999999996; Math.floor of it would be one tick off.
    expect(Math.floor(0.29 / 0.01)).toBe(28);
    expect(toUnits('0.29', cent)).toBe(29);
    expect(toUnits('1.1', unitStep('0.1')!)).toBe(11);
  });

  it('refuses what is not a whole number of steps, malformed or too large', () => {
    expect(toUnits('27123.455', cent)).toBeUndefined();
    expect(toUnits('0.15', unitStep('0.05')!)).toBe(3);
    expect(toUnits('0.17', unitStep('0.05')!)).toBeUndefined();
    for (const bad of ['', '-1', '1e5', '1.2.3', 'abc', ' 1', '99999999999999999999']) expect(toUnits(bad, cent)).toBeUndefined();
    for (const bad of ['0', '0.000', '-0.01', 'x', '']) expect(unitStep(bad)).toBeUndefined();
  });

  it('round-trips units to the venue decimal', () => {
    expect(fromUnits(2712345, cent)).toBe('27123.45');
    expect(fromUnits(7, sat)).toBe('0.00000007');
    expect(fromUnits(3, unitStep('5')!)).toBe('15');
    expect(fromUnits(3, unitStep('0.05')!)).toBe('0.15');
    for (let u = 0; u < 2000; u += 37) expect(toUnits(fromUnits(u, unitStep('0.05')!), unitStep('0.05')!)).toBe(u);
  });
});
