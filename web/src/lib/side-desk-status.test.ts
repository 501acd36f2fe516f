import { describe, expect, it } from 'vitest';
import type { ConnectionState, LadderFrame } from '../workers/terminal-api';
import { sideDeskStatus } from './side-desk-status';

const ladder = (status: LadderFrame['status']): LadderFrame => ({ status, bidPrice: new Float64Array(0), bidSize: new Float64Array(0), askPrice: new Float64Array(0), askSize: new Float64Array(0), seq: 1 });

describe('sideDeskStatus', () => {
  it('is live only for an in-sync stream on an up link', () => {
    expect(sideDeskStatus({ listed: true, ladder: ladder('live') }, 'live')).toBe('live');
    // 'stale' link: some stream of the main view resyncs; this one's own book is what counts.
    expect(sideDeskStatus({ listed: true, ladder: ladder('live') }, 'stale')).toBe('live');
  });

  it('is stale while the stream resyncs, before it is reported, and whenever the link is down', () => {
    expect(sideDeskStatus({ listed: true, ladder: ladder('stale') }, 'live')).toBe('stale');
    expect(sideDeskStatus(undefined, 'live')).toBe('stale');
    for (const c of ['offline', 'connecting'] satisfies ConnectionState[]) {
      expect(sideDeskStatus({ listed: true, ladder: ladder('live') }, c)).toBe('stale');
      expect(sideDeskStatus({ listed: false, ladder: ladder('stale') }, c)).toBe('stale');
    }
  });

  it('says halted and unlisted as such', () => {
    expect(sideDeskStatus({ listed: true, ladder: ladder('halted') }, 'live')).toBe('halted');
    expect(sideDeskStatus({ listed: false, ladder: ladder('stale') }, 'live')).toBe('unlisted');
  });
});
