import { describe, expect, it } from 'vitest';
import { generateFrameSigner, signFrame } from '../codec/frame-signing';
import { ErrorCode } from '../model/codes';
import { MeshSession } from './mesh-session';
import { decodeMeshControl, encodeMeshControl, MESH_PROTOCOL_VERSION } from './mesh-wire';

async function session(live: Array<{ streamId: number; epoch: number; seq: number }>) {
  const toRelay: string[] = [];
  const s = new MeshSession('me', {
    dial: () => {},
    hangUp: () => {},
    sendRelay: (b) => toRelay.push(decodeMeshControl(b)?.type ?? '?'),
  }, { requestSnapshot: () => {}, liveStreams: () => live, apply: () => {} });
  const { publicKey } = await generateFrameSigner();
  return { s, toRelay, publicKey };
}

const hello = encodeMeshControl({ type: 'hello', peerId: 'relay', protocolVersion: MESH_PROTOCOL_VERSION });

describe('MeshSession', () => {
  it('says hello on start, joins the live streams once the relay answers, then each snapshot', async () => {
    const { s, toRelay, publicKey } = await session([{ streamId: 7, epoch: 1, seq: 10 }]);
    s.onSnapshot(8, 1, 5);
    await s.start(publicKey);
    expect(toRelay).toEqual(['hello']);
    expect(s.ready).toBe(false);
    s.onRelayMessage(hello);
    expect(s.ready).toBe(true);
    s.onSnapshot(9, 1, 5);
    expect(toRelay.filter((t) => t === 'join')).toHaveLength(2);
    expect(s.feed(7)).toBe('direct');
    s.retain(new Set([9]));
    expect(toRelay).toContain('leave');
  });

  it('ends the node with the relay session and starts over on the next', async () => {
    const { s, toRelay, publicKey } = await session([]);
    await s.start(publicKey);
    s.onRelayMessage(hello);
    s.end();
    expect(s.ready).toBe(false);
    expect(s.node).toBeUndefined();
    const first = s.start(publicKey);
    const second = s.start(publicKey);
    await Promise.all([first, second]);
    expect(toRelay.filter((t) => t === 'hello')).toHaveLength(2);
    s.close(ErrorCode.MESH_LEAVING);
    expect(s.node).toBeUndefined();
  });

  it("the relay's goodbye (our id left signalling) voids the joins: direct at once, hello again, joins again once answered", async () => {
    const { s, toRelay, publicKey } = await session([{ streamId: 7, epoch: 1, seq: 10 }]);
    const seeded = encodeMeshControl({ type: 'assign', streamId: 7, stripe: 0, stripes: 1, parentId: 'relay' });
    await s.start(publicKey);
    s.onRelayMessage(hello);
    s.onRelayMessage(seeded);
    expect(s.feed(7)).toBe('seed');
    toRelay.length = 0;
    s.onRelayMessage(encodeMeshControl({ type: 'goodbye', code: ErrorCode.MESH_PEER_CLOSED }));
    await expect.poll(() => toRelay.includes('hello')).toBe(true);
    expect(s.ready).toBe(false);
    expect(s.feed(7)).toBe('direct');
    // Refused while the id is not back in signalling: PeerJS open again calls restart.
    await s.restart();
    expect(toRelay.filter((t) => t === 'hello')).toHaveLength(2);
    s.onRelayMessage(hello);
    expect(s.ready).toBe(true);
    expect(toRelay.at(-1)).toBe('join');
    s.onRelayMessage(seeded);
    expect(s.feed(7)).toBe('seed');
    // Ready: a restart is a no-op (no second node, no hello).
    await s.restart();
    expect(toRelay.filter((t) => t === 'hello')).toHaveLength(2);
    // The /ws session ended: nothing to restart on until the next Welcome.
    s.end();
    await s.restart();
    expect(s.node).toBeUndefined();
  });

  it("the relay's hello answer names another frame key than the Welcome's (md restarted behind an edge): it starts again with that key, and the relay's frames verify", async () => {
    const toRelay: string[] = [];
    const delivered: number[] = [];
    const s = new MeshSession('me', { dial: () => {}, hangUp: () => {}, sendRelay: (b) => toRelay.push(decodeMeshControl(b)?.type ?? '?') }, {
      requestSnapshot: () => {}, liveStreams: () => [{ streamId: 7, epoch: 1, seq: 10 }], apply: () => {}, delivered: (_id, seq) => delivered.push(seq),
    });
    const welcomed = await generateFrameSigner();
    const current = await generateFrameSigner();
    const answer = (key: Uint8Array) => encodeMeshControl({ type: 'hello', peerId: 'relay', protocolVersion: MESH_PROTOCOL_VERSION, mdPublicKey: btoa(String.fromCharCode(...key)) });
    await s.start(welcomed.publicKey);
    s.onRelayMessage(answer(current.publicKey));
    expect(s.ready).toBe(false);
    expect(s.rekeyed).toBe(1);
    await expect.poll(() => toRelay.filter((t) => t === 'hello').length).toBe(2);
    s.onRelayMessage(answer(current.publicKey));
    expect(s.ready).toBe(true);
    expect(s.rekeyed).toBe(1);
    s.onRelayMessage(encodeMeshControl({ type: 'assign', streamId: 7, stripe: 0, stripes: 1, parentId: 'relay' }));
    s.onRelayMessage(await signFrame(current, 7, 1, 11, new Uint8Array([8, 1])));
    await expect.poll(() => delivered).toEqual([11]);
  });

  it('an answer with the Welcome\'s key, or with none (an older relay), makes the session ready at once', async () => {
    for (const withKey of [true, false]) {
      const { s, toRelay, publicKey } = await session([]);
      await s.start(publicKey);
      s.onRelayMessage(encodeMeshControl({ type: 'hello', peerId: 'relay', protocolVersion: MESH_PROTOCOL_VERSION, ...(withKey ? { mdPublicKey: btoa(String.fromCharCode(...publicKey)) } : {}) }));
      expect(s.ready).toBe(true);
      expect(s.rekeyed).toBe(0);
      expect(toRelay.filter((t) => t === 'hello')).toHaveLength(1);
    }
  });
});
