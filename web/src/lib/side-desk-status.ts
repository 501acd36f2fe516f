import type { ConnectionState, SideDeskFrame } from '../workers/terminal-api';

/** What a side desk's badge says; only 'live' may look live. */
export type SideDeskStatus = 'live' | 'stale' | 'halted' | 'unlisted';

/**
 * A side desk's status, by the main ladder's rule: halted when the stream says so, else stale
 * unless the book is in sync (its checksummed snapshot applied, no gap since) and the link is
 * up. Not yet reported by the worker is stale; not listed by the relay (once connected) is
 * 'unlisted'. A side desk always shows live books, so a replay on the main desk changes nothing here.
 */
export function sideDeskStatus(frame: Pick<SideDeskFrame, 'listed' | 'ladder'> | undefined, connection: ConnectionState): SideDeskStatus {
  const linked = connection === 'live' || connection === 'stale';
  if (frame === undefined) return 'stale';
  if (!frame.listed) return linked ? 'unlisted' : 'stale';
  if (frame.ladder.status === 'halted') return 'halted';
  return frame.ladder.status === 'live' && linked ? 'live' : 'stale';
}
