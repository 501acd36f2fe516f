import { RELAY_PEER_ID } from '@tickmesh/shared';
import { describe, expect, it } from 'vitest';
import { MeshPeer, type MeshChannel } from './mesh-peer';

/** An RTCDataChannel stand-in: records sends, fires the listeners the test asks for. */
class FakeChannel implements MeshChannel {
  readyState = 'connecting';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  binaryType = 'blob';
  sent: Uint8Array[] = [];
  private listeners = new Map<string, Array<(e: { data: unknown }) => void>>();
  send(data: Uint8Array): void {
    this.sent.push(data);
  }
  close(): void {
    if (this.readyState === 'closed') return;
    this.readyState = 'closed';
    this.fire('close');
  }
  addEventListener(type: string, fn: (e: { data: unknown }) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  fire(type: string, data?: unknown): void {
    if (type === 'open') this.readyState = 'open';
    for (const fn of this.listeners.get(type) ?? []) fn({ data });
  }
}

function peer() {
  const asked: string[] = [];
  const dropped: string[] = [];
  const relay: Uint8Array[] = [];
  const p = new MeshPeer('me-1', { connect: (id) => asked.push(id), disconnect: (id) => dropped.push(id) }, {
    sendRelay: (b) => relay.push(b) > 0,
    apply: () => {},
    requestSnapshot: () => {},
    liveStreams: () => [],
    viewStreams: () => [],
  });
  return { p, asked, dropped, relay };
}

describe('MeshPeer transport over transferred data channels', () => {
  it('dials a peer once, sends on its open channel, counts bytes and closes on disconnect', () => {
    const { p, asked, dropped, relay } = peer();
    p.connect('a-1');
    p.connect('a-1');
    expect(asked).toEqual(['a-1']);
    expect(p.isOpen('a-1')).toBe(false);
    const ch = new FakeChannel();
    p.addChannel('a-1', ch);
    expect(ch.binaryType).toBe('arraybuffer');
    ch.fire('open');
    expect(p.isOpen('a-1')).toBe(true);
    p.send('a-1', new Uint8Array([1, 2, 3]));
    expect(ch.sent).toHaveLength(1);
    ch.fire('message', new Uint8Array([9, 9]).buffer);
    expect(p.bytesFromPeers).toBe(2);
    p.send(RELAY_PEER_ID, new Uint8Array([7]));
    expect(relay).toHaveLength(1);
    expect(p.isOpen(RELAY_PEER_ID)).toBe(true);
    p.disconnect('a-1', 'MESH_LEAVING');
    expect(ch.readyState).toBe('closed');
    expect(dropped).toEqual(['a-1']);
    expect(p.isOpen('a-1')).toBe(false);
  });

  it('keeps a neighbour open while any of its channels is (both sides dialled at once)', () => {
    const { p } = peer();
    const [x, y] = [new FakeChannel(), new FakeChannel()];
    p.addChannel('b-1', x);
    p.addChannel('b-1', y);
    x.fire('open');
    y.fire('open');
    p.send('b-1', new Uint8Array([1]));
    expect(y.sent).toHaveLength(1);
    y.close();
    expect(p.isOpen('b-1')).toBe(true);
    p.send('b-1', new Uint8Array([2]));
    expect(x.sent).toHaveLength(1);
    x.close();
    expect(p.isOpen('b-1')).toBe(false);
  });

  it('reports no mesh info streams while off and counts direct batches', () => {
    const { p } = peer();
    p.countDirect(100, true);
    p.countDirect(50, false);
    const info = p.info();
    expect(info).toMatchObject({ enabled: true, peerId: 'me-1', ready: false, bytesFromRelay: 150, directBatches: 1, streams: [] });
  });
});
