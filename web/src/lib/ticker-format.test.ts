import { describe, expect, it } from 'vitest';
import { changePct, compactVolume } from './ticker-format';

describe('compactVolume', () => {
  it('scales lots to the base and shortens', () => {
    expect(compactVolume({ lotSize: '0.0001' }, 2_285_501_234)).toBe('228.55K');
    expect(compactVolume({ lotSize: '0.01' }, 150)).toBe('1.5');
    expect(compactVolume({ lotSize: '1' }, 3_200_000_000)).toBe('3.2B');
    expect(compactVolume({ lotSize: '1' }, Number.NaN)).toBe('–');
  });
});

describe('changePct', () => {
  it('is the move from the 24 h open in percent, NaN without both prices', () => {
    expect(changePct({ last: 5_050_000, open24h: 5_000_000 })).toBeCloseTo(1, 10);
    expect(changePct({ last: 4_950_000, open24h: 5_000_000 })).toBeCloseTo(-1, 10);
    expect(changePct({ last: null, open24h: 5_000_000 })).toBeNaN();
    expect(changePct({ last: 1, open24h: null })).toBeNaN();
  });
});
