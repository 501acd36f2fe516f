import { BookStream, ErrorCode, Side, type ServerMsg } from '@tickmesh/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import type { Relay } from '../src/server/relay-server';
import { ProtoClient, startRelay, until } from './harness';
import { ScriptedVenue, testInstrument } from './scripted-venue';

type Batch = Extract<ServerMsg, { type: 'bookBatch' }>;
type Snapshot = Extract<ServerMsg, { type: 'bookSnapshot' }>;

let relay: Relay | undefined;
afterEach(async () => {
  await relay?.stop();
  relay = undefined;
});

const MID = 5_000_000;
const DEPTH = 5000;

async function setup(overrides: Parameters<typeof startRelay>[1]) {
  const venue = new ScriptedVenue('test', [testInstrument('BTC-USD')]);
  relay = await startRelay([venue], { flushMs: 3_600_000, queueLimitBytes: 256 * 1024, ...overrides });
  for (let i = 1; i <= DEPTH; i++) {
    venue.level('BTC-USD', Side.Buy, MID - i, 100);
    venue.level('BTC-USD', Side.Sell, MID + i, 100);
  }
  relay.md.flush();
  return { relay, venue };
}

/**
 * One flush that rewrites every level: a batch of ~50 KB. Like the relay's timer it ends its
 * turn of the event loop, so corked sockets are written out between flushes.
 */
async function bigFlush(relay: Relay, venue: ScriptedVenue, round: number): Promise<void> {
  for (let i = 1; i <= DEPTH; i++) {
    venue.level('BTC-USD', Side.Buy, MID - i, 100 + ((round + i) % 97));
    venue.level('BTC-USD', Side.Sell, MID + i, 100 + ((round * 3 + i) % 89));
  }
  relay.md.flush();
  await new Promise((r) => setImmediate(r));
}

async function subscribed(relay: Relay): Promise<ProtoClient> {
  const c = await ProtoClient.connect(relay.url);
  c.send({ type: 'subscribe', requestId: 1, streamIds: [1], symbols: [] });
  await c.next((m) => m.type === 'bookSnapshot');
  return c;
}

async function counterValue(relay: Relay, name: 'conflations' | 'clientErrors', label?: Record<string, string>): Promise<number> {
  const v = await relay.metrics[name].get();
  return v.values.filter((x) => !label || Object.entries(label).every(([k, val]) => x.labels[k] === val)).reduce((a, x) => a + x.value, 0);
}

const socketOf = (c: ProtoClient) => (c.ws as unknown as { _socket: Socket })._socket;

describe('slow consumers', () => {
  it('conflate a stalled client to a fresh snapshot without slowing the others, and it recovers exactly', async () => {
    const { relay, venue } = await setup({ slowConsumerTimeoutMs: 60_000 });
    const fast = await subscribed(relay);
    const slow = await subscribed(relay);
    socketOf(slow).pause(); // stops reading: the relay's send queue for it fills up

    let round = 0;
    while ((await counterValue(relay, 'conflations')) === 0) {
      expect(round).toBeLessThan(2000);
      await bigFlush(relay, venue, round++);
      if (round % 20 === 0) await new Promise((r) => setTimeout(r, 5)); // let sockets flush
    }
    for (let k = 0; k < 5; k++) await bigFlush(relay, venue, round++);
    const lastSeq = relay.md.stream(1)!.seq;

    // The fast client got every batch, in order, with no gap.
    await fast.next((m) => m.type === 'bookBatch' && m.seq === lastSeq, 15_000);
    const fastSeqs = fast.received.filter((m): m is Batch => m.type === 'bookBatch').map((b) => b.seq);
    expect(fastSeqs).toEqual(Array.from({ length: fastSeqs.length }, (_, i) => fastSeqs[0]! + i));
    expect(fastSeqs.at(-1)).toBe(lastSeq);

    // The slow one drains, gets a snapshot at a later seq, and ends exactly on the relay's book.
    socketOf(slow).resume();
    const snap = (await slow.next((m) => m.type === 'bookSnapshot' && m.seq > 1, 20_000)) as Snapshot;
    expect(snap.seq).toBeGreaterThan(1);
    await bigFlush(relay, venue, round++);
    const finalSeq = relay.md.stream(1)!.seq;
    await slow.next((m) => m.type === 'bookBatch' && m.seq === finalSeq, 15_000);
    const stream = new BookStream(1);
    const fromSnap = slow.received.slice(slow.received.indexOf(snap));
    for (const m of fromSnap) {
      if (m.type === 'bookSnapshot') expect(stream.applySnapshot(m).action).toBe('applied');
      if (m.type === 'bookBatch') expect(stream.applyBatch(m).action).toBe('applied');
    }
    expect(stream.book.stateHash()).toBe(relay.md.stream(1)!.book.stateHash());
    expect(slow.closeCode).toBeUndefined();
    fast.close();
    slow.close();
  }, 60_000);

  it('closes a client that stays stalled with 4008 SESSION_SLOW_CONSUMER', async () => {
    const { relay, venue } = await setup({ slowConsumerTimeoutMs: 200 });
    const slow = await subscribed(relay);
    socketOf(slow).pause();
    let round = 0;
    while ((await counterValue(relay, 'clientErrors', { code: ErrorCode.SESSION_SLOW_CONSUMER })) === 0) {
      expect(round).toBeLessThan(4000);
      await bigFlush(relay, venue, round++);
      await new Promise((r) => setTimeout(r, round % 20 === 0 ? 20 : 0));
    }
    socketOf(slow).resume();
    expect(await slow.closed).toBe(4008);
    expect(slow.closeReason).toBe(ErrorCode.SESSION_SLOW_CONSUMER);
    await until(() => relay.sessionCount === 0, 5000, 'session cleanup');
  }, 60_000);
});

describe('heartbeats', () => {
  it('drops a peer that stops answering pings with 4002 SESSION_HEARTBEAT_TIMEOUT', async () => {
    const venue = new ScriptedVenue('test', [testInstrument('BTC-USD')]);
    relay = await startRelay([venue], { heartbeatMs: 150 });
    const silent = await ProtoClient.connect(relay.url, { autoPong: false });
    const alive = await ProtoClient.connect(relay.url);
    expect(await silent.closed).toBe(4002);
    expect(silent.closeReason).toBe(ErrorCode.SESSION_HEARTBEAT_TIMEOUT);
    // The answering peer outlives several intervals.
    await new Promise((r) => setTimeout(r, 400));
    expect(alive.closeCode).toBeUndefined();
    alive.close();
  });
});
