import { afterEach, describe, expect, it } from 'vitest';
import * as werift from 'werift';
import { CHANNEL_HIGH_WATER_BYTES, ChannelSocket } from './channel-socket';

// Two real werift peer connections in this process, joined directly (no signalling): the
// relay's side wrapped in a ChannelSocket, the other side reads what arrives.

const pcs: werift.RTCPeerConnection[] = [];
afterEach(async () => {
  await Promise.all(pcs.splice(0).map((pc) => pc.close()));
});

async function channelPair(): Promise<{ relaySide: werift.RTCDataChannel; browserSide: werift.RTCDataChannel; a: werift.RTCPeerConnection }> {
  const a = new werift.RTCPeerConnection({ iceServers: [] });
  const b = new werift.RTCPeerConnection({ iceServers: [] });
  pcs.push(a, b);
  a.onIceCandidate.subscribe((c) => c && void b.addIceCandidate(c.toJSON()));
  b.onIceCandidate.subscribe((c) => c && void a.addIceCandidate(c.toJSON()));
  const relaySide = a.createDataChannel('orders', { ordered: true });
  const browserSide = new Promise<werift.RTCDataChannel>((resolve) => b.onDataChannel.subscribe(resolve));
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription!);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription!);
  const remote = await browserSide;
  const opened = (ch: werift.RTCDataChannel) => (ch.readyState === 'open' ? Promise.resolve() : new Promise<void>((r) => ch.stateChanged.subscribe((s) => s === 'open' && r())));
  await Promise.all([opened(relaySide), opened(remote)]);
  return { relaySide, browserSide: remote, a };
}

describe('ChannelSocket over a real werift data channel', () => {
  it('paces a burst: werift never holds more than the high-water mark, and every frame arrives once, in order', async () => {
    const { relaySide, browserSide, a } = await channelPair();
    const socket = new ChannelSocket(relaySide, () => a.connectionState === 'connected', () => true, () => undefined);
    const FRAMES = 3000;
    const SIZE = 2048;
    const got: number[] = [];
    const all = new Promise<void>((resolve) => {
      browserSide.onMessage.subscribe((d) => {
        got.push((d as Buffer).readUInt32BE(0));
        if (got.length === FRAMES) resolve();
      });
    });
    let peak = 0;
    for (let i = 0; i < FRAMES; i++) {
      const frame = Buffer.alloc(SIZE);
      frame.writeUInt32BE(i, 0);
      socket.send(frame);
      peak = Math.max(peak, relaySide.bufferedAmount);
    }
    // The session reads this as its send queue: the whole burst is still counted.
    expect(socket.bufferedAmount).toBeGreaterThan(FRAMES * SIZE - CHANNEL_HIGH_WATER_BYTES - SIZE);
    await all;
    expect(peak).toBeLessThanOrEqual(CHANNEL_HIGH_WATER_BYTES + SIZE);
    expect(got).toEqual(Array.from({ length: FRAMES }, (_, i) => i));
  });

  it('close(code) lets the queued frames (the reason) leave first, then reports the code; incoming frames go through admit', async () => {
    const { relaySide, browserSide, a } = await channelPair();
    const admitted: string[] = [];
    const socket = new ChannelSocket(relaySide, () => a.connectionState === 'connected', (d) => (admitted.push(d.toString()), d.toString() !== 'refuse-me'), () => undefined);
    const messages: string[] = [];
    socket.on('message', (d: Buffer) => messages.push(d.toString()));
    browserSide.send(Buffer.from('hello'));
    browserSide.send(Buffer.from('refuse-me'));
    browserSide.send(Buffer.from('bye'));
    await new Promise<void>((resolve) => socket.on('message', (d: Buffer) => d.toString() === 'bye' && resolve()));
    expect(admitted).toEqual(['hello', 'refuse-me', 'bye']);
    expect(messages).toEqual(['hello', 'bye']);

    const pong = new Promise<void>((resolve) => socket.on('pong', resolve));
    socket.ping();
    await pong;

    const received: number[] = [];
    browserSide.onMessage.subscribe((d) => received.push((d as Buffer).length));
    for (let i = 0; i < 400; i++) socket.send(Buffer.alloc(4096));
    const closed = new Promise<number>((resolve) => socket.on('close', resolve));
    socket.close(4008, 'SESSION_SLOW_CONSUMER');
    expect(await closed).toBe(4008);
    // Everything sent before the close reaches the other end before its channel closes.
    await new Promise<void>((resolve) => (browserSide.readyState === 'closed' ? resolve() : browserSide.stateChanged.subscribe((st) => st === 'closed' && resolve())));
    expect(received).toHaveLength(400);
    expect(socket.readyState).toBe(3);
  });
});
