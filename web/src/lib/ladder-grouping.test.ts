import { describe, expect, it } from 'vitest';
import { groupingLabel, groupLevels } from './ladder-grouping';

describe('groupLevels', () => {
  const levels = {
    bidPrice: Float64Array.from([10_005, 10_001, 9_999, 9_990, 9_989]),
    bidSize: Float64Array.from([1, 2, 3, 4, 0]),
    askPrice: Float64Array.from([10_006, 10_009, 10_010, 10_011]),
    askSize: Float64Array.from([5, 6, 7, 8]),
  };

  it('sums levels into groups: bids rounded down, asks up, best first, stopping at an empty level', () => {
    expect(groupLevels(levels, 10)).toEqual({ bidPrice: [10_000, 9_990], bidSize: [3, 7], askPrice: [10_010, 10_020], askSize: [18, 8] });
  });

  it('leaves the levels as they are at one tick', () => {
    expect(groupLevels(levels, 1)).toBe(levels);
  });

  it('keeps the total size of each side', () => {
    const g = groupLevels(levels, 100);
    expect(Array.from(g.bidSize).reduce((a, b) => a + b, 0)).toBe(10);
    expect(Array.from(g.askSize).reduce((a, b) => a + b, 0)).toBe(26);
    expect(g.bidPrice).toEqual([10_000, 9_900]);
    expect(g.askPrice).toEqual([10_100]);
  });
});

describe('groupingLabel', () => {
  it('is the step as a price', () => {
    expect(groupingLabel({ tickSize: '0.01' }, 1)).toBe('0.01');
    expect(groupingLabel({ tickSize: '0.01' }, 10)).toBe('0.1');
    expect(groupingLabel({ tickSize: '0.01' }, 1_000)).toBe('10');
    expect(groupingLabel({ tickSize: '0.001' }, 100)).toBe('0.1');
  });
});
