import { describe, expect, it } from 'vitest';
import { SequenceTracker } from './sequence-tracker';

describe('SequenceTracker', () => {
  it('awaits a snapshot first', () => {
    const t = new SequenceTracker();
    expect(t.hasSnapshot).toBe(false);
    expect(t.check(1, 1)).toBe('awaiting-snapshot');
  });

  it('applies consecutive seqs after a snapshot', () => {
    const t = new SequenceTracker();
    t.onSnapshot(7, 100);
    expect([t.check(7, 101), t.check(7, 102), t.check(7, 103)]).toEqual(['apply', 'apply', 'apply']);
    expect(t.lastSeq).toBe(103);
    expect(t.epoch).toBe(7);
  });

  it('ignores duplicates and older seqs without losing sync', () => {
    const t = new SequenceTracker();
    t.onSnapshot(7, 100);
    expect(t.check(7, 100)).toBe('duplicate');
    expect(t.check(7, 50)).toBe('duplicate');
    expect(t.check(7, 101)).toBe('apply');
    expect(t.check(7, 101)).toBe('duplicate');
    expect(t.check(7, 102)).toBe('apply');
  });

  it('reports a gap once, then awaits a snapshot', () => {
    const t = new SequenceTracker();
    t.onSnapshot(7, 100);
    expect(t.check(7, 102)).toBe('gap');
    expect(t.hasSnapshot).toBe(false);
    expect(t.check(7, 101)).toBe('awaiting-snapshot');
    expect(t.check(7, 103)).toBe('awaiting-snapshot');
    t.onSnapshot(7, 103);
    expect(t.check(7, 104)).toBe('apply');
  });

  it('treats an epoch change as a gap whatever the seq', () => {
    const t = new SequenceTracker();
    t.onSnapshot(7, 100);
    expect(t.check(8, 1)).toBe('gap');
    t.onSnapshot(8, 0);
    expect(t.check(8, 1)).toBe('apply');
    t.onSnapshot(8, 5);
    expect(t.check(7, 6)).toBe('gap');
  });

  it('reset forces a new snapshot', () => {
    const t = new SequenceTracker();
    t.onSnapshot(1, 1);
    t.reset();
    expect(t.check(1, 2)).toBe('awaiting-snapshot');
  });
});
