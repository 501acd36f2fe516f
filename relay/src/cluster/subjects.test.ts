import { describe, expect, it } from 'vitest';
import { ALL_SNAPSHOTS_SUBJECT, ALL_STREAMS_SUBJECT, INSTRUMENTS_SUBJECT, snapshotSubject, streamIdOf, streamSubject, subjectToken } from './subjects';

/** NATS's own matching of a subscription subject (`*` = one token, `>` = the rest). */
function matches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (s[i] === undefined || (p[i] !== '*' && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}

describe('cluster subjects', () => {
  it('names one subject per stream under tickmesh.md, which the edge wildcard matches', () => {
    expect(streamSubject('sim-a', 3)).toBe('tickmesh.md.sim-a.3');
    expect(matches(ALL_STREAMS_SUBJECT, streamSubject('coinbase', 12))).toBe(true);
    expect(matches(ALL_STREAMS_SUBJECT, snapshotSubject(12))).toBe(false);
    expect(matches(ALL_STREAMS_SUBJECT, INSTRUMENTS_SUBJECT)).toBe(false);
    expect(matches(ALL_SNAPSHOTS_SUBJECT, snapshotSubject(7))).toBe(true);
  });

  it('keeps a venue id with dots, wildcards or spaces to one token', () => {
    expect(subjectToken('a.b*c>d e')).toBe('a_b_c_d_e');
    expect(subjectToken('')).toBe('_');
    expect(streamSubject('x.y', 1).split('.')).toHaveLength(4);
    expect(matches(ALL_STREAMS_SUBJECT, streamSubject('x.y', 1))).toBe(true);
  });

  it('reads the stream id back from a stream or snapshot subject, and nothing else', () => {
    expect(streamIdOf(streamSubject('sim-b', 42))).toBe(42);
    expect(streamIdOf(snapshotSubject(4_294_967_295))).toBe(4_294_967_295);
    for (const s of [INSTRUMENTS_SUBJECT, 'tickmesh.md.sim-a.0', 'tickmesh.md.sim-a.07', 'tickmesh.md.sim-a.-1', 'tickmesh.md.sim-a.4294967296', 'tickmesh.md.sim-a.x']) {
      expect(streamIdOf(s)).toBeUndefined();
    }
  });
});
