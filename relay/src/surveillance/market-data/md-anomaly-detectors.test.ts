import { ErrorCode } from '@tickmesh/shared';
import { describe, expect, it } from 'vitest';
import { CrossedBookDetector } from './crossed-book-detector';
import { DivergenceDetector } from './divergence-detector';
import { FrozenFeedDetector } from './frozen-feed-detector';
import type { MdAnomaly } from './md-anomaly';
import { PriceSpikeDetector } from './price-spike-detector';

/** Deterministic noise in [-1, 1) (a small LCG), so "ordinary" books are reproducible. */
function noise(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1_664_525) + 1_013_904_223) >>> 0;
    return x / 2 ** 31 - 1;
  };
}

describe('cross-venue divergence', () => {
  /** Quotes each venue's mid (spread 2) at `ms`, then checks. */
  const step = (d: DivergenceDetector, ms: number, mids: Record<string, number>, symbol = 'BTC-USD') => {
    for (const [venue, mid] of Object.entries(mids)) d.quote(symbol, venue, mid - 1, mid + 1, true, ms);
    return d.check(ms);
  };

  it('one of three venues 150 bps away for longer than 2 s: one alert naming it, against the median of the others', () => {
    const d = new DivergenceDetector();
    const out: MdAnomaly[] = [];
    for (let ms = 0; ms <= 5000; ms += 250) out.push(...step(d, ms, { a: 50_000, b: 50_010, c: ms >= 1000 ? 50_760 : 50_005 }));
    expect(out.map((a) => [a.code, a.venue, a.symbol])).toEqual([[ErrorCode.MD_ANOMALY_DIVERGENCE, 'c', 'BTC-USD']]);
    expect(out[0]!.evidence).toMatchObject({ mid: 50_760, reference: 50_005, forMs: 2000, thresholdBps: 100 });
    expect(out[0]!.evidence.deviationBps).toBeCloseTo(150.98, 1);
    // Fired when the 2 s were up, not before.
    expect(out[0]!.timeUs).toBe(3000 * 1000);
  });

  it('with two venues the suspect is the one whose mid moved; it re-arms only once back within half the threshold', () => {
    const d = new DivergenceDetector({ thresholdBps: 100, minDurationMs: 1000 });
    const out: MdAnomaly[] = [];
    step(d, 0, { a: 50_000, b: 50_000 });
    for (let ms = 100; ms <= 2000; ms += 100) out.push(...step(d, ms, { a: 50_000, b: 49_000 }));
    expect(out.map((a) => a.venue)).toEqual(['b']);
    // Back to 60 bps (inside the threshold, outside half of it): the same episode, no second alert.
    for (let ms = 2100; ms <= 3000; ms += 100) out.push(...step(d, ms, { a: 50_000, b: 49_700 }));
    for (let ms = 3100; ms <= 5000; ms += 100) out.push(...step(d, ms, { a: 50_000, b: 49_000 }));
    expect(out).toHaveLength(1);
    // Converged (10 bps), then apart again: a new episode, a new alert.
    step(d, 5100, { a: 50_000, b: 49_950 });
    for (let ms = 5200; ms <= 7000; ms += 100) out.push(...step(d, ms, { a: 50_000, b: 49_000 }));
    expect(out).toHaveLength(2);
  });

  it('no alert for: a brief dislocation, ordinary noise, one venue alone, different symbols, a stale or one-sided book', () => {
    const d = new DivergenceDetector();
    const out: MdAnomaly[] = [];
    // 300 bps apart for 1.5 s only.
    for (let ms = 0; ms <= 1500; ms += 250) out.push(...step(d, ms, { a: 50_000, b: 51_500 }));
    for (let ms = 1750; ms <= 3000; ms += 250) out.push(...step(d, ms, { a: 50_000, b: 50_001 }));
    // Two venues a few bps apart, jittering, for a minute.
    const r = noise(7);
    for (let ms = 3000; ms <= 63_000; ms += 250) out.push(...step(d, ms, { a: 50_000 + 20 * r(), b: 50_010 + 20 * r() }));
    // One venue, far from anything: nothing to compare with.
    for (let ms = 0; ms <= 5000; ms += 250) out.push(...step(d, ms, { solo: 90_000 }, 'ETH-USD'));
    // Same prices under different symbols are never compared.
    for (let ms = 0; ms <= 5000; ms += 250) {
      step(d, ms, { a: 100 }, 'SOL-USD');
      out.push(...step(d, ms, { b: 200 }, 'XRP-USD'));
    }
    // Far apart, but one book is stale, then one-sided.
    const e = new DivergenceDetector();
    for (let ms = 0; ms <= 5000; ms += 250) {
      e.quote('BTC-USD', 'a', 49_999, 50_001, true, ms);
      e.quote('BTC-USD', 'b', 59_999, 60_001, ms > 2500, ms);
      if (ms > 2500) e.quote('BTC-USD', 'b', 59_999, Number.NaN, true, ms);
      out.push(...e.check(ms));
    }
    expect(out).toEqual([]);
  });
});

describe('price spikes', () => {
  /** 200 batches of a quiet random walk (about 1 bp a batch) from 50,000. */
  function quiet(d: PriceSpikeDetector, out: MdAnomaly[], seed = 3): number {
    const r = noise(seed);
    let mid = 50_000;
    for (let i = 0; i < 200; i++) {
      mid *= 1 + r() * 1e-4;
      out.push(...d.observe('v', 'BTC-USD', mid, [mid], i * 10));
    }
    return mid;
  }

  it('a 40 bps jump of the mid after a quiet walk: k × robust volatility and above the floor', () => {
    const d = new PriceSpikeDetector();
    const out: MdAnomaly[] = [];
    const mid = quiet(d, out);
    expect(out).toEqual([]);
    out.push(...d.observe('v', 'BTC-USD', mid * 1.004, [], 3000));
    expect(out.map((a) => [a.code, a.venue, a.evidence.what])).toEqual([[ErrorCode.MD_ANOMALY_PRICE_SPIKE, 'v', 'mid']]);
    expect(out[0]!.evidence.jumpBps).toBeCloseTo(40, 0);
    expect(Number(out[0]!.evidence.sigmaBps)).toBeGreaterThan(0.2);
    expect(Number(out[0]!.evidence.sigmaBps)).toBeLessThan(1);
  });

  it('a trade printed 3% below the mid (a bad print): spike by the absolute bound, even on a fresh stream; then quiet for 10 s', () => {
    const d = new PriceSpikeDetector();
    d.observe('v', 'ETH-USD', 3000, [], 0);
    const out = d.observe('v', 'ETH-USD', 3000, [3000, 2910], 10);
    expect(out.map((a) => [a.code, a.evidence.what, a.evidence.price])).toEqual([[ErrorCode.MD_ANOMALY_PRICE_SPIKE, 'trade', 2910]]);
    expect(out[0]!.evidence.jumpBps).toBeCloseTo(-300, 0);
    expect(d.observe('v', 'ETH-USD', 3000, [2900], 5000)).toEqual([]);
    expect(d.observe('v', 'ETH-USD', 3000, [2900], 10_011)).toHaveLength(1);
  });

  it('no alert for: the same 40 bps move on a stream that always moves that much, a steady trend, small moves on a flat book', () => {
    const out: MdAnomaly[] = [];
    // Volatile: ±30 bps a batch is its normal; 40 bps is 1.3 sigmas.
    const volatile = new PriceSpikeDetector();
    const r = noise(11);
    let mid = 50_000;
    for (let i = 0; i < 200; i++) {
      mid *= 1 + (r() > 0 ? 1 : -1) * (20 + 20 * Math.abs(r())) * 1e-4;
      out.push(...volatile.observe('v', 'BTC-USD', mid, [], i * 10));
    }
    out.push(...volatile.observe('v', 'BTC-USD', mid * 1.004, [], 3000));
    // A trend of 5 bps a batch for 300 batches (15% in all): no single jump.
    const trend = new PriceSpikeDetector();
    mid = 50_000;
    for (let i = 0; i < 300; i++) out.push(...trend.observe('v', 'BTC-USD', (mid *= 1.0005), [], i * 10));
    // A book that never moves (sigma 0): a 1-tick move of 2 bps is under the 20 bps floor.
    const flat = new PriceSpikeDetector();
    for (let i = 0; i < 100; i++) out.push(...flat.observe('v', 'BTC-USD', 50_000, [], i * 10));
    out.push(...flat.observe('v', 'BTC-USD', 50_010, [50_010], 2000));
    expect(out).toEqual([]);
  });
});

describe('frozen feed', () => {
  /** A stream updating every `gapMs` from 0 to `untilMs`. */
  const cadence = (d: FrozenFeedDetector, gapMs: number, untilMs: number, venue = 'v') => {
    for (let ms = 0; ms <= untilMs; ms += gapMs) d.activity(venue, 'BTC-USD', ms);
  };

  it('a live stream that ticked every 100 ms goes silent: alert once past max(5 s, 10 × its p90 gap), once per silence', () => {
    const d = new FrozenFeedDetector();
    cadence(d, 100, 10_000);
    expect(d.check('v', 'BTC-USD', true, 14_900)).toEqual([]);
    const out = d.check('v', 'BTC-USD', true, 15_100);
    expect(out.map((a) => [a.code, a.venue, a.symbol])).toEqual([[ErrorCode.MD_ANOMALY_FROZEN_FEED, 'v', 'BTC-USD']]);
    expect(out[0]!.evidence).toMatchObject({ silentMs: 5100, usualGapMs: 100, limitMs: 5000 });
    expect(d.check('v', 'BTC-USD', true, 30_000)).toEqual([]);
    // It comes back, then freezes again: a second alert.
    d.activity('v', 'BTC-USD', 31_000);
    expect(d.check('v', 'BTC-USD', true, 36_100)).toHaveLength(1);
  });

  it('no alert for: an illiquid stream at its own slow cadence, a stale or halted stream, a new stream, a relay stall', () => {
    const d = new FrozenFeedDetector();
    // Ticks every 30 s: 40 s of quiet is ordinary for it (limit 300 s).
    for (let ms = 0; ms <= 900_000; ms += 30_000) d.activity('slow', 'X-USD', ms);
    expect(d.check('slow', 'X-USD', true, 940_000)).toEqual([]);
    // Stale: silence is expected; once live again it counts from then.
    cadence(d, 100, 10_000, 'stale');
    expect(d.check('stale', 'BTC-USD', false, 20_000)).toEqual([]);
    expect(d.check('stale', 'BTC-USD', true, 24_000)).toEqual([]);
    // Five updates are no cadence yet.
    cadence(d, 100, 400, 'new');
    expect(d.check('new', 'BTC-USD', true, 60_000)).toEqual([]);
    // The relay itself stalled for 8 s: rebase, and the venue is judged from then.
    cadence(d, 100, 10_000, 'gc');
    d.rebase(18_000);
    expect(d.check('gc', 'BTC-USD', true, 18_250)).toEqual([]);
  });
});

describe('crossed and locked books', () => {
  it('a book crossed for over 1 s: MD_ANOMALY_CROSSED_BOOK once; locked: MD_ANOMALY_LOCKED_BOOK', () => {
    const d = new CrossedBookDetector();
    const out: MdAnomaly[] = [];
    for (let ms = 0; ms <= 3000; ms += 250) out.push(...d.observe('v', 'BTC-USD', 50_010, 50_000, true, ms));
    for (let ms = 0; ms <= 3000; ms += 250) out.push(...d.observe('w', 'BTC-USD', 50_000, 50_000, true, ms));
    expect(out.map((a) => [a.code, a.venue, a.score])).toEqual([
      [ErrorCode.MD_ANOMALY_CROSSED_BOOK, 'v', 1],
      [ErrorCode.MD_ANOMALY_LOCKED_BOOK, 'w', 0.8],
    ]);
    expect(out[0]!.evidence).toMatchObject({ bid: 50_010, ask: 50_000, forMs: 1000 });
  });

  it('no alert for: a cross shorter than 1 s (an update half applied), a normal book, one side empty, a stale book', () => {
    const d = new CrossedBookDetector();
    const out: MdAnomaly[] = [];
    for (let ms = 0; ms <= 10_000; ms += 250) {
      const crossedNow = ms % 2000 < 750; // crossed for 750 ms of every 2 s
      out.push(...d.observe('v', 'BTC-USD', crossedNow ? 50_010 : 49_990, 50_000, true, ms));
      out.push(...d.observe('n', 'BTC-USD', 49_999, 50_001, true, ms));
      out.push(...d.observe('e', 'BTC-USD', Number.NaN, 50_000, true, ms));
      out.push(...d.observe('s', 'BTC-USD', 50_010, 50_000, false, ms));
    }
    expect(out).toEqual([]);
  });
});
