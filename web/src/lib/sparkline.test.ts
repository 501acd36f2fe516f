import { describe, expect, it } from 'vitest';
import { sparklinePoints } from './sparkline';

const parse = (s: string) => s.split(' ').map((p) => p.split(',').map(Number) as [number, number]);

describe('sparklinePoints', () => {
  it('spreads the values over the width, highest at the top inside the padding', () => {
    const pts = parse(sparklinePoints([10, 30, 20], 100, 42, 1));
    expect(pts).toEqual([
      [0, 41],
      [50, 1],
      [100, 21],
    ]);
  });

  it('draws a flat series through the middle, one value as a flat line, none as nothing', () => {
    expect(parse(sparklinePoints([5, 5, 5], 60, 20)).map(([, y]) => y)).toEqual([10, 10, 10]);
    expect(sparklinePoints([7], 60, 20)).toBe('0,10 60,10');
    expect(sparklinePoints([], 60, 20)).toBe('');
    expect(sparklinePoints([1, 2], 0, 20)).toBe('');
  });
});
