import { Side } from '@tickmesh/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { Relay } from '../src/server/relay-server';
import { JsonClient, startRelay } from './harness';
import { ScriptedVenue, testInstrument } from './scripted-venue';

let relay: Relay | undefined;
afterEach(async () => {
  await relay?.stop();
  relay = undefined;
});

async function setup() {
  const venue = new ScriptedVenue('sim-a', [testInstrument('BTC-USD', 'sim-a')]);
  relay = await startRelay([venue], { flushMs: 3_600_000 });
  venue.level('BTC-USD', Side.Buy, 4_999_999, 15_000);
  venue.level('BTC-USD', Side.Sell, 5_000_001, 20_000);
  relay.md.flush();
  return { relay, venue };
}

describe('legacy JSON on /ws/json', () => {
  it('sends trades in the documented shape on the marketData channel', async () => {
    const { relay, venue } = await setup();
    const c = await JsonClient.connect(relay.url);
    c.send({ type: 'subscribe', channel: 'marketData', symbol: 'BTC-USD' });
    expect(await c.next((m) => m.type === 'subscribed')).toMatchObject({ channel: 'marketData', symbols: ['BTC-USD'] });
    venue.trade('BTC-USD', 77, 5_000_000, 15_000, Side.Sell);
    relay.md.flush();
    const m = await c.next((x) => x.type === 'marketData');
    expect(m).toMatchObject({ type: 'marketData', channel: 'marketData', symbol: 'BTC-USD', venue: 'sim-a' });
    const data = m.data as Record<string, unknown>;
    expect(data.price).toBe(50000);
    expect(data.volume).toBe(1.5);
    expect(data.side).toBe('sell');
    expect(data.tradeId).toBe(77);
    // Documented key order: type, channel, symbol ... data {price, volume}.
    expect(Object.keys(m).slice(0, 3)).toEqual(['type', 'channel', 'symbol']);
    expect(Object.keys(data).slice(0, 2)).toEqual(['price', 'volume']);
    // A trades-only subscriber gets no book messages.
    expect(c.received.some((x) => x.type === 'book' || x.type === 'bookSnapshot')).toBe(false);
    c.close();
  });

  it('sends a book snapshot then book changes on the book channel, and can drop one channel', async () => {
    const { relay, venue } = await setup();
    const c = await JsonClient.connect(relay.url);
    c.send({ type: 'subscribe', channel: 'book', symbols: ['BTC-USD'] });
    const snap = await c.next((m) => m.type === 'bookSnapshot');
    expect(snap).toMatchObject({ channel: 'book', symbol: 'BTC-USD', venue: 'sim-a' });
    expect((snap.data as { bids: number[][] }).bids).toEqual([[49999.99, 1.5]]);
    expect((snap.data as { asks: number[][] }).asks).toEqual([[50000.01, 2]]);
    venue.level('BTC-USD', Side.Buy, 4_999_999, 0);
    relay.md.flush();
    const book = await c.next((m) => m.type === 'book');
    expect((book.data as { seq: number }).seq).toBe((snap.data as { seq: number }).seq + 1);
    expect((book.data as { bids: number[][] }).bids).toEqual([[49999.99, 0]]);

    c.send({ type: 'subscribe', channel: 'marketData', symbol: 'BTC-USD' });
    await c.next((m) => m.type === 'subscribed' && m.channel === 'marketData');
    c.send({ type: 'unsubscribe', channel: 'book', symbol: 'BTC-USD' });
    await c.next((m) => m.type === 'unsubscribed');
    const from = c.received.length;
    venue.level('BTC-USD', Side.Sell, 5_000_002, 5);
    venue.trade('BTC-USD', 78, 5_000_001, 1, Side.Buy);
    relay.md.flush();
    await c.next((m) => m.type === 'marketData', 5000, from);
    expect(c.received.slice(from).some((m) => m.type === 'book')).toBe(false);
    c.close();
  });
});
