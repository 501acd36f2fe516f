import { BookStream, Side, StreamState, type ServerMsg } from '@tickmesh/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { Relay } from '../src/server/relay-server';
import { ProtoClient, startRelay, until } from './harness';
import { ScriptedVenue, testInstrument } from './scripted-venue';

type Batch = Extract<ServerMsg, { type: 'bookBatch' }>;
type Snapshot = Extract<ServerMsg, { type: 'bookSnapshot' }>;

let relay: Relay | undefined;
const clients: ProtoClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await relay?.stop();
  relay = undefined;
});

/** A relay over a scripted venue, with the flush driven by the test (flushMs is huge). */
async function scripted(): Promise<{ relay: Relay; venue: ScriptedVenue }> {
  const venue = new ScriptedVenue('test', [testInstrument('BTC-USD'), testInstrument('ETH-USD')]);
  relay = await startRelay([venue], { flushMs: 3_600_000 });
  return { relay, venue };
}

async function connect(r: Relay): Promise<ProtoClient> {
  const c = await ProtoClient.connect(r.url);
  clients.push(c);
  return c;
}

function seedBook(venue: ScriptedVenue, symbol: string, mid: number): void {
  for (let i = 1; i <= 30; i++) {
    venue.level(symbol, Side.Buy, mid - i, i * 10);
    venue.level(symbol, Side.Sell, mid + i, i * 7);
  }
}

describe('market data over /ws (protobuf)', () => {
  it('lists instruments in the welcome and answers subscribe with subscribed then a snapshot equal to the relay book', async () => {
    const { relay, venue } = await scripted();
    seedBook(venue, 'BTC-USD', 5_000_000);
    relay.md.flush();
    const c = await connect(relay);
    const welcome = c.received[0]!;
    expect(welcome.type).toBe('welcome');
    if (welcome.type !== 'welcome') return;
    expect(welcome.instruments.map((i) => i.symbol)).toEqual(['BTC-USD', 'ETH-USD']);
    const btc = welcome.instruments[0]!.streamId;

    c.send({ type: 'subscribe', requestId: 7, streamIds: [], symbols: ['BTC-USD'] });
    const subscribed = await c.next((m) => m.type === 'subscribed');
    expect(subscribed).toMatchObject({ requestId: 7, streamIds: [btc] });
    const snap = (await c.next((m) => m.type === 'bookSnapshot')) as Snapshot;
    expect(c.received.indexOf(subscribed)).toBeLessThan(c.received.indexOf(snap));

    const stream = new BookStream(btc);
    expect(stream.applySnapshot(snap).action).toBe('applied');
    const relayBook = relay.md.stream(btc)!.book;
    expect(stream.book.levels(Side.Buy)).toEqual(relayBook.levels(Side.Buy));
    expect(stream.book.levels(Side.Sell)).toEqual(relayBook.levels(Side.Sell));
    expect(snap.checksum).toBe(relayBook.checksum());
    expect(snap.seq).toBe(relay.md.stream(btc)!.seq);
  });

  it('follows snapshot + deltas to exactly the relay book, seq by seq, with trades', async () => {
    const { relay, venue } = await scripted();
    seedBook(venue, 'BTC-USD', 5_000_000);
    relay.md.flush();
    const c = await connect(relay);
    c.send({ type: 'subscribe', requestId: 1, streamIds: [1], symbols: [] });
    const snap = (await c.next((m) => m.type === 'bookSnapshot')) as Snapshot;
    const stream = new BookStream(1);
    stream.applySnapshot(snap);

    // 50 flushes of random changes near the top, some deletes, some trades.
    let x = 12345;
    const rnd = (n: number) => ((x = (x * 1103515245 + 12345) % 2147483648), x % n);
    for (let f = 0; f < 50; f++) {
      for (let k = 0; k < 20; k++) {
        const side = rnd(2) === 0 ? Side.Buy : Side.Sell;
        const price = side === Side.Buy ? 5_000_000 - 1 - rnd(40) : 5_000_000 + 1 + rnd(40);
        venue.level('BTC-USD', side, price, rnd(4) === 0 ? 0 : 1 + rnd(500));
      }
      if (f % 5 === 0) venue.trade('BTC-USD', f + 1, 5_000_001, 3, Side.Buy);
      relay.md.flush();
    }
    const lastSeq = relay.md.stream(1)!.seq;
    await c.next((m) => m.type === 'bookBatch' && m.seq === lastSeq);
    const batches = c.received.filter((m): m is Batch => m.type === 'bookBatch');
    expect(batches.map((b) => b.seq)).toEqual(Array.from({ length: batches.length }, (_, i) => snap.seq + 1 + i));
    for (const b of batches) expect(stream.applyBatch(b).action).toBe('applied');
    const book = relay.md.stream(1)!.book;
    expect(stream.book.stateHash()).toBe(book.stateHash());
    expect(stream.book.checksum()).toBe(book.checksum());
    expect(stream.recentTrades().map((t) => t.tradeId)).toEqual([1, 6, 11, 16, 21, 26, 31, 36, 41, 46]);
    expect(stream.isLive).toBe(true);
  });

  it('sends the very same bytes of a batch to every subscriber (encoded once)', async () => {
    const { relay, venue } = await scripted();
    const raws: Buffer[][] = [[], []];
    const a = await connect(relay);
    const b = await connect(relay);
    [a, b].forEach((c, i) => c.ws.on('message', (d: Buffer) => raws[i]!.push(d)));
    for (const c of [a, b]) c.send({ type: 'subscribe', requestId: 1, streamIds: [1], symbols: [] });
    await until(() => raws.every((r) => r.length >= 2), 5000, 'snapshots');
    venue.level('BTC-USD', Side.Buy, 4_999_999, 42);
    relay.md.flush();
    await until(() => raws.every((r) => r.length >= 3), 5000, 'batches');
    expect(raws[0]![2]!.equals(raws[1]![2]!)).toBe(true);
    const sent = relay.metrics.traffic.proto;
    expect(sent.frames).toBeGreaterThanOrEqual(6);
  });

  it('detects a gap, resyncs by subscribing again and ends equal to the relay book', async () => {
    const { relay, venue } = await scripted();
    seedBook(venue, 'ETH-USD', 300_000);
    relay.md.flush();
    const c = await connect(relay);
    c.send({ type: 'subscribe', requestId: 1, streamIds: [], symbols: ['ETH-USD'] });
    const stream = new BookStream(2);
    stream.applySnapshot((await c.next((m) => m.type === 'bookSnapshot')) as Snapshot);

    for (let f = 0; f < 3; f++) {
      venue.level('ETH-USD', Side.Sell, 300_001 + f, 999);
      relay.md.flush();
    }
    const target = relay.md.stream(2)!.seq;
    await c.next((m) => m.type === 'bookBatch' && m.seq === target);
    const batches = c.received.filter((m): m is Batch => m.type === 'bookBatch');
    // The network "loses" the first batch: the second one is a gap.
    expect(stream.applyBatch(batches[1]!)).toEqual({ action: 'resync', reason: 'gap' });
    expect(stream.isLive).toBe(false);
    expect(stream.applyBatch(batches[2]!).action).toBe('ignored');

    const from = c.received.length;
    c.send({ type: 'subscribe', requestId: 2, streamIds: [2], symbols: [] });
    const fresh = (await c.next((m) => m.type === 'bookSnapshot', 5000, from)) as Snapshot;
    expect(fresh.seq).toBe(target);
    expect(stream.applySnapshot(fresh).action).toBe('applied');
    expect(stream.isLive).toBe(true);
    expect(stream.book.stateHash()).toBe(relay.md.stream(2)!.book.stateHash());
  });

  it('carries stream state changes (halted, stale) in the batch', async () => {
    const { relay, venue } = await scripted();
    const c = await connect(relay);
    c.send({ type: 'subscribe', requestId: 1, streamIds: [1], symbols: [] });
    const stream = new BookStream(1);
    stream.applySnapshot((await c.next((m) => m.type === 'bookSnapshot')) as Snapshot);
    venue.state('BTC-USD', StreamState.Stale);
    relay.md.flush();
    const b = (await c.next((m) => m.type === 'bookBatch')) as Batch;
    expect(b.state).toBe(StreamState.Stale);
    stream.applyBatch(b);
    expect(stream.status).toBe('stale');
  });

  it('stops sending a stream after unsubscribe', async () => {
    const { relay, venue } = await scripted();
    const c = await connect(relay);
    c.send({ type: 'subscribe', requestId: 1, streamIds: [1], symbols: [] });
    await c.next((m) => m.type === 'bookSnapshot');
    c.send({ type: 'unsubscribe', requestId: 2, streamIds: [1], symbols: [] });
    expect(await c.next((m) => m.type === 'unsubscribed')).toMatchObject({ requestId: 2, streamIds: [1] });
    venue.level('BTC-USD', Side.Buy, 1, 1);
    relay.md.flush();
    // A ping round trip after the flush proves the batch would have arrived by now.
    c.send({ type: 'ping', requestId: 3, nonce: 99, timeUs: 1 });
    expect(await c.next((m) => m.type === 'pong')).toMatchObject({ nonce: 99, timeUs: 1, requestId: 3 });
    expect(c.received.some((m) => m.type === 'bookBatch')).toBe(false);
  });
});
