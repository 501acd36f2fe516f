import { describe, expect, it } from 'vitest';
import { mulDivCeil, mulDivFloor } from './exact-math';

describe('mulDivFloor / mulDivCeil', () => {
  it.each([
    // [a, b, d, floor, ceil]
    [10, 3, 4, 7, 8],
    [12, 1, 4, 3, 3],
    [0, 5, 7, 0, 0],
    [2 ** 52, 3, 2, 3 * 2 ** 51, 3 * 2 ** 51], // product past 2^53: BigInt path
    [2 ** 52 + 1, 3, 4, Number((BigInt(2 ** 52 + 1) * 3n) / 4n), Number((BigInt(2 ** 52 + 1) * 3n + 3n) / 4n)],
  ])('%d × %d / %d', (a, b, d, floor, ceil) => {
    expect(mulDivFloor(a, b, d)).toBe(floor);
    expect(mulDivCeil(a, b, d)).toBe(ceil);
  });

  it('is NaN past 2^53 - 1 and for non-integers', () => {
    expect(mulDivFloor(Number.MAX_SAFE_INTEGER, 2, 1)).toBeNaN();
    expect(mulDivCeil(Number.MAX_SAFE_INTEGER, 2, 1)).toBeNaN();
    expect(mulDivFloor(1.5, 2, 1)).toBeNaN();
    expect(mulDivCeil(Number.NaN, 2, 1)).toBeNaN();
  });
});
