import { describe, expect, it } from 'vitest';
import { isTradingState, stricterState, type TradingState } from './trading-state';

describe('stricterState', () => {
  it.each([
    ['active', 'active', 'active'],
    ['active', 'reducing', 'reducing'],
    ['reducing', 'active', 'reducing'],
    ['reducing', 'halted', 'halted'],
    ['halted', 'active', 'halted'],
    ['halted', 'reducing', 'halted'],
  ] as [TradingState, TradingState, TradingState][])('%s vs %s -> %s', (a, b, expected) => {
    expect(stricterState(a, b)).toBe(expected);
  });

  it('recognises states', () => {
    expect(['active', 'reducing', 'halted', 'paused', 1].map(isTradingState)).toEqual([true, true, true, false, false]);
  });
});
