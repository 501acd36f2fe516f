import { describe, expect, it } from 'vitest';
import { DuplicateFilter } from './duplicate-filter';

describe('DuplicateFilter', () => {
  it('window 0 is off: nothing is remembered', () => {
    const f = new DuplicateFilter(0, 10);
    f.record('k', 0);
    expect(f.enabled).toBe(false);
    expect(f.isDuplicate('k', 0)).toBe(false);
    expect(f.size).toBe(0);
  });

  it('recognises a key for windowMs, then forgets it', () => {
    const f = new DuplicateFilter(100, 10);
    f.record('k', 1_000);
    expect(f.isDuplicate('k', 1_099)).toBe(true);
    expect(f.isDuplicate('k', 1_100)).toBe(false);
    expect(f.isDuplicate('other', 1_000)).toBe(false);
  });

  it('expires old keys as new ones are recorded, and caps the size oldest-first', () => {
    const f = new DuplicateFilter(100, 3);
    f.record('a', 0);
    f.record('b', 50);
    f.record('c', 120); // 'a' expired, 'b' not yet
    expect(f.size).toBe(2);
    f.record('d', 121);
    f.record('e', 122); // over the cap: 'b' (oldest, still in its window) goes
    expect(f.size).toBe(3);
    expect(f.isDuplicate('b', 122)).toBe(false);
    expect(f.isDuplicate('c', 122)).toBe(true);
  });

  it('re-recording a key refreshes its time', () => {
    const f = new DuplicateFilter(100, 10);
    f.record('k', 0);
    f.record('k', 90);
    expect(f.isDuplicate('k', 150)).toBe(true);
  });
});
