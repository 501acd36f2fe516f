import { TriggerSource } from '@tickmesh/shared';
import { describe, expect, it } from 'vitest';
import { TriggerFeed } from './trigger-feed';

describe('TriggerFeed', () => {
  it('a venue watcher takes its venue only; an every-venue watcher takes any venue\'s trade but only the cross-venue mid', () => {
    const feed = new TriggerFeed();
    const seen: string[] = [];
    feed.watch('BTC-USD', 'sim-a', TriggerSource.Mark, (p) => seen.push(`a-mark ${p}`));
    feed.watch('BTC-USD', '', TriggerSource.Mark, (p) => seen.push(`any-mark ${p}`));
    const stop = feed.watch('BTC-USD', '', TriggerSource.Last, (p) => seen.push(`any-last ${p}`));
    feed.push('BTC-USD', 'sim-a', TriggerSource.Mark, 100);
    feed.push('BTC-USD', 'sim-b', TriggerSource.Mark, 130);
    feed.push('BTC-USD', '', TriggerSource.Mark, 115);
    feed.push('BTC-USD', 'sim-b', TriggerSource.Last, 131);
    feed.push('ETH-USD', 'sim-a', TriggerSource.Last, 7);
    expect(seen).toEqual(['a-mark 100', 'any-mark 115', 'any-last 131']);
    expect(feed.size).toBe(3);
    stop();
    expect(feed.size).toBe(2);
  });
});
