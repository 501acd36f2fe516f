import { ErrorCode } from '@tickmesh/shared';
import { describe, expect, it } from 'vitest';
import { DivergenceDetector } from './divergence-detector';

describe('DivergenceDetector with two live venues that both keep moving', () => {
  it('blames the venue that went away from where the two agreed, not the one that quoted last', () => {
    const d = new DivergenceDetector();
    let now = 0;
    const step = (a: number, b: number, bLast: boolean) => {
      now += 250;
      // Both books change every check (a live market); the order of the quotes says who changed last.
      const quotes: Array<[string, number]> = [['va', a], ['vb', b]];
      for (const [venue, mid] of bLast ? quotes : quotes.reverse()) d.quote('BTC-USD', venue, mid - 0.5, mid + 0.5, true, now);
      return d.check(now);
    };
    for (let i = 0; i < 8; i++) expect(step(50_000 + (i % 2), 50_000 - (i % 2), i % 2 === 0)).toEqual([]);
    // va jumps 200 bps and keeps wiggling; vb keeps wiggling too and is the one that quoted last.
    const alerts = [];
    for (let i = 0; i < 12; i++) alerts.push(...step(51_000 + (i % 2), 50_000 + (i % 3), true));
    expect(alerts.map((a) => [a.code, a.venue])).toEqual([[ErrorCode.MD_ANOMALY_DIVERGENCE, 'va']]);
  });
});
