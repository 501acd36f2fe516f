import { BookStream, type ServerMsg } from '@tickmesh/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { Relay } from '../src/server/relay-server';
import { defaultSimVenues } from '../src/venues/sim/index';
import { JsonClient, ProtoClient, startRelay, until } from './harness';

let relay: Relay | undefined;
afterEach(async () => {
  await relay?.stop();
  relay = undefined;
});

describe('the simulated exchange through the relay', () => {
  it('streams six live books that clients follow exactly, batch by batch, over both protocols', async () => {
    const venues = defaultSimVenues({ seed: 3, updatesPerSecond: 1000 });
    relay = await startRelay(venues, { flushMs: 5 });
    const c = await ProtoClient.connect(relay.url);
    const legacy = await JsonClient.connect(relay.url);
    const welcome = c.received[0] as Extract<ServerMsg, { type: 'welcome' }>;
    expect(welcome.instruments.map((i) => `${i.venue}:${i.symbol}`).sort()).toEqual(
      ['sim-a:BTC-USD', 'sim-a:ETH-USD', 'sim-a:SOL-USD', 'sim-b:BTC-USD', 'sim-b:ETH-USD', 'sim-b:SOL-USD'],
    );
    const streams = new Map(welcome.instruments.map((i) => [i.streamId, new BookStream(i.streamId)]));
    const results: string[] = [];
    c.ws.on('message', () => {
      const m = c.received.at(-1)!;
      if (m.type === 'bookSnapshot') results.push(streams.get(m.streamId)!.applySnapshot(m).action);
      if (m.type === 'bookBatch') results.push(streams.get(m.streamId)!.applyBatch(m).action);
    });
    c.send({ type: 'subscribe', requestId: 1, streamIds: [], symbols: ['BTC-USD', 'ETH-USD', 'SOL-USD'] });
    legacy.send({ type: 'subscribe', channel: 'marketData', symbols: ['BTC-USD', 'ETH-USD', 'SOL-USD'] });

    await new Promise((r) => setTimeout(r, 1500));
    for (const v of venues) await v.stop(); // freezes the books (and marks them stale)
    relay.md.flush();
    const md = relay.md;
    await until(() => [...streams.values()].every((s) => s.seq === md.stream(s.streamId)!.seq), 5000, 'clients to catch up');

    expect(results.length).toBeGreaterThan(50);
    expect(results.filter((r) => r !== 'applied')).toEqual([]);
    for (const s of streams.values()) {
      const book = md.stream(s.streamId)!.book;
      expect(book.depth(1)).toBeGreaterThanOrEqual(10);
      expect(book.depth(2)).toBeGreaterThanOrEqual(10);
      expect(book.isCrossed()).toBe(false);
      expect(s.book.stateHash()).toBe(book.stateHash());
      expect(s.status).toBe('stale'); // the venue stopped: never shown live
    }
    // Trades flowed on both protocols.
    expect(c.received.some((m) => m.type === 'bookBatch' && m.trades.length > 0)).toBe(true);
    expect(legacy.received.filter((m) => m.type === 'marketData').length).toBeGreaterThan(0);
    c.close();
    legacy.close();
  });
});
