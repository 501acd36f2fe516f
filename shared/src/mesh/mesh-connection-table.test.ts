import { describe, expect, it } from 'vitest';
import { MESH_CHANNEL_ID, MeshConnectionTable, type MeshSignalConnection } from './mesh-connection-table';
import type { MeshClock } from './mesh-transport';

/** Behaves as PeerJS 1.5's DataConnection: close() of a connection that never opened emits nothing. */
class FakeConn implements MeshSignalConnection<string> {
  closed = 0;
  private opened = false;
  private readonly fns = new Map<string, Array<() => void>>();
  constructor(readonly peer: string, readonly peerConnection = { createDataChannel: (_l: string, init: { id: number }) => `ch${init.id}` }) {}
  on(event: string, fn: () => void): void {
    this.fns.set(event, [...(this.fns.get(event) ?? []), fn]);
  }
  emit(event: string): void {
    if (event === 'open') this.opened = true;
    for (const fn of this.fns.get(event) ?? []) fn();
  }
  close(): void {
    this.closed++;
    if (this.opened) this.emit('close');
  }
}

function tableWithClock() {
  const timers: Array<() => void> = [];
  const clock: MeshClock = { now: () => 0, setTimer: (_ms, fn) => timers.push(fn), clearTimer: (t) => (timers[(t as number) - 1] = () => {}) };
  const failed: string[] = [];
  const errors: unknown[] = [];
  const t = new MeshConnectionTable<string>({ connectTimeoutMs: 1, failed: (p) => failed.push(p), channelError: (e) => errors.push(e), clock });
  return { t, timers, failed, errors };
}

describe('MeshConnectionTable', () => {
  it('hands on the mesh channel when a connection opens and forgets it when it closes', () => {
    const { t, failed } = tableWithClock();
    const c = new FakeConn('a');
    const got: string[] = [];
    t.track(c, (id, ch) => got.push(`${id} ${ch}`));
    expect(t.has('a')).toBe(true);
    c.emit('open');
    expect(got).toEqual([`a ch${MESH_CHANNEL_ID}`]);
    c.emit('close');
    expect(t.has('a')).toBe(false);
    expect(failed).toEqual([]);
  });

  it('reports a connection that times out or fails before opening, once', () => {
    const { t, timers, failed } = tableWithClock();
    const c = new FakeConn('b');
    t.track(c, () => {});
    timers[0]!();
    // Closed without a 'close' event (PeerJS): still reported and forgotten, so it can be dialled again.
    expect(c.closed).toBe(1);
    expect(failed).toEqual(['b']);
    expect(t.has('b')).toBe(false);
    c.emit('error');
    expect(failed).toEqual(['b']);
  });

  it('closes a connection whose mesh channel cannot be created, and drops by peer', () => {
    const { t, errors, failed } = tableWithClock();
    const bad = new FakeConn('c', { createDataChannel: () => { throw new Error('no'); } });
    t.track(bad, () => {});
    bad.emit('open');
    expect(errors).toHaveLength(1);
    expect(bad.closed).toBe(1);
    expect(failed).toEqual([]);
    const d = new FakeConn('d');
    t.track(d, () => {});
    t.drop('d');
    expect(d.closed).toBe(1);
    expect(t.has('d')).toBe(false);
    expect(failed).toEqual([]); // asked for, not a failure
  });
});
