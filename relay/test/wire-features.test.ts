import { BookStream, decodeServer, type ServerMsg } from '@tickmesh/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Relay } from '../src/server/relay-server';
import { SimVenue } from '../src/venues/sim/index';
import { ProtoClient, startRelay, until } from './harness';

const STREAM = 1;

/** Every book frame a client got on STREAM: its bytes, and the book after applying it. */
function follow(c: ProtoClient): { bytes: number[]; checksums: Map<number, number> } {
  const book = new BookStream(STREAM);
  const out = { bytes: [] as number[], checksums: new Map<number, number>() };
  c.ws.on('message', (raw: Buffer) => {
    const r = decodeServer(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength));
    if (!r.ok) return;
    const m = r.value;
    if (m.type === 'bookSnapshot' && m.streamId === STREAM) book.applySnapshot(m);
    else if (m.type === 'bookBatch' && m.streamId === STREAM) {
      if (book.applyBatch(m).action !== 'applied') return;
      out.bytes.push(raw.length);
      out.checksums.set(book.seq, book.book.checksum());
    }
  });
  return out;
}

/** /ws?features=book_delta: the compact batch frame, granted in Welcome, the same books for fewer bytes. */
describe('wire features on /ws', () => {
  let relay: Relay;
  beforeAll(async () => {
    relay = await startRelay([new SimVenue({ id: 'sim-a', seed: 4, symbols: ['BTC-USD'], updatesPerSecond: 400 })], { flushMs: 10 });
  });
  afterAll(async () => {
    await relay?.stop();
  });

  it('a client asking for book_delta is granted it and holds the same book at every seq as a plain client, in fewer bytes', async () => {
    const plain = await ProtoClient.connect(relay.url);
    const compact = await ProtoClient.connect(relay.url, {}, undefined, 'features=book_delta');
    const welcome = (c: ProtoClient) => c.received.find((m) => m.type === 'welcome') as Extract<ServerMsg, { type: 'welcome' }>;
    expect(welcome(compact).features).toEqual(['book_delta']);
    expect(welcome(plain).features ?? []).toEqual([]);
    const a = follow(plain);
    const b = follow(compact);
    for (const c of [plain, compact]) c.send({ type: 'subscribe', requestId: 1, streamIds: [STREAM], symbols: [] });
    const common = () => [...b.checksums.keys()].filter((s) => a.checksums.has(s));
    await until(() => common().length >= 200, 15_000, '200 batches seen by both');
    for (const s of common()) expect(b.checksums.get(s), `checksum at seq ${s}`).toBe(a.checksums.get(s));
    const sum = (xs: number[]) => xs.reduce((x, y) => x + y, 0);
    expect(sum(b.bytes) / b.bytes.length).toBeLessThan(sum(a.bytes) / a.bytes.length);
    plain.close();
    compact.close();
  });

  it('an unknown feature is not granted (and not an error): the protocol as it always was', async () => {
    const c = await ProtoClient.connect(relay.url, {}, undefined, 'features=gzip9,book_deltas');
    const welcome = c.received.find((m) => m.type === 'welcome') as Extract<ServerMsg, { type: 'welcome' }>;
    expect(welcome.features ?? []).toEqual([]);
    expect(c.received.some((m) => m.type === 'error')).toBe(false);
    c.close();
  });
});
