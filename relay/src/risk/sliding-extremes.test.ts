import { mulberry32, randomInt } from '@tickmesh/shared';
import { describe, expect, it } from 'vitest';
import { SlidingExtremes } from './sliding-extremes';

describe('SlidingExtremes', () => {
  it('is empty (NaN) at first and after clear', () => {
    const w = new SlidingExtremes(10);
    expect(w.min()).toBeNaN();
    w.push(0, 5);
    w.clear();
    expect(w.max()).toBeNaN();
  });

  it('keeps entries exactly `window` old, drops older ones', () => {
    const w = new SlidingExtremes(10);
    w.push(0, 5);
    w.push(5, 7);
    w.advance(10);
    expect([w.min(), w.max()]).toEqual([5, 7]);
    w.advance(11);
    expect([w.min(), w.max()]).toEqual([7, 7]);
  });

  it('treats out-of-order times as the latest time seen', () => {
    const w = new SlidingExtremes(10);
    w.push(100, 5);
    w.push(95, 9); // late print from another venue: stored at 100
    w.advance(110);
    expect(w.max()).toBe(9);
  });

  it('matches a brute-force window on a random walk (and compacts its arrays)', () => {
    const rand = mulberry32(7);
    const w = new SlidingExtremes(1_000);
    const all: Array<[number, number]> = [];
    let t = 0;
    let p = 10_000;
    for (let i = 0; i < 20_000; i++) {
      t += randomInt(rand, 0, 20);
      p = Math.max(1, p + randomInt(rand, -10, 10));
      w.push(t, p);
      all.push([t, p]);
      if (i % 97 === 0) {
        const live = all.filter(([at]) => at >= t - 1_000).map(([, price]) => price);
        expect([w.min(), w.max()]).toEqual([Math.min(...live), Math.max(...live)]);
      }
    }
  });
});
