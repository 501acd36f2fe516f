import { StreamState, type Instrument, type ServerMsg } from '@tickmesh/shared';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { openEdgeUpstream, startMdPublisher, type EdgeFeed, type MdPublisher } from '../src/cluster/index';
import { defaultRelayOptions } from '../src/server/options';
import type { Relay } from '../src/server/relay-server';
import { SimVenue } from '../src/venues/sim/index';
import { ProtoClient, startRelay, until } from './harness';
import { NatsKit, natsServerBinary } from './nats-kit';

const binary = natsServerBinary();

/** md restarted with another instrument list: the edge learns it from md's heartbeat and tells its sessions. */
describe.skipIf(!binary)('cluster: md restarts with other instruments', () => {
  let nats: NatsKit;
  let md: Relay | undefined;
  let publisher: MdPublisher | undefined;
  let edge: Relay;
  let feed: EdgeFeed;
  let client: ProtoClient;
  const log = pino({ level: 'silent' });

  afterAll(async () => {
    client?.close();
    await edge?.stop();
    await publisher?.close();
    await md?.stop();
    await nats?.kill();
  });

  async function startMd(symbols: string[]): Promise<void> {
    md = await startRelay([new SimVenue({ id: 'sim-a', seed: 2, symbols, updatesPerSecond: 200 })], { flushMs: 10, role: 'md', natsUrls: [nats.url] });
    publisher = await startMdPublisher(md.options, md, log);
  }

  it('the edge swaps in the new list: a new stream can be subscribed, a gone one ends stale, an unchanged one goes on', async () => {
    nats = await NatsKit.start(binary!);
    await startMd(['BTC-USD', 'ETH-USD']);
    const opened = await openEdgeUpstream({ ...defaultRelayOptions, role: 'edge', natsUrls: [nats.url] }, log, { mdSilenceMs: 1500 });
    feed = opened.feed;
    edge = await startRelay([], { role: 'edge', natsUrls: [nats.url] }, opened.upstream);
    await until(() => feed.ready, 10_000, 'the edge ready');
    client = await ProtoClient.connect(edge.url);
    const symbolsOf = (list: Instrument[]) => list.map((i) => `${i.streamId}:${i.symbol}`);
    expect(symbolsOf(feed.instruments())).toEqual(['1:BTC-USD', '2:ETH-USD']);
    client.send({ type: 'subscribe', requestId: 1, streamIds: [1, 2], symbols: [] });
    await client.next((m) => m.type === 'bookSnapshot' && m.streamId === 2);

    // md goes, and comes back listing BTC-USD and SOL-USD: stream 2 is another instrument now.
    await publisher!.close();
    await md!.stop();
    await startMd(['BTC-USD', 'SOL-USD']);
    const announced = (await client.next((m) => m.type === 'instruments', 15_000)) as Extract<ServerMsg, { type: 'instruments' }>;
    expect(symbolsOf(announced.instruments)).toEqual(['1:BTC-USD', '2:SOL-USD']);
    expect(symbolsOf(feed.instruments())).toEqual(['1:BTC-USD', '2:SOL-USD']);
    // Stream 2's old book (ETH-USD) was ended stale for its subscriber, never shown as live.
    const afterAnnounce = client.received.indexOf(announced);
    const lastOld = client.received.slice(0, afterAnnounce).filter((m) => m.type === 'bookSnapshot' && m.streamId === 2).at(-1) as Extract<ServerMsg, { type: 'bookSnapshot' }>;
    expect(lastOld.state).toBe(StreamState.Stale);
    // The new stream 2 (SOL-USD) is subscribed afresh and live.
    const from = client.received.length;
    client.send({ type: 'subscribe', requestId: 2, streamIds: [2], symbols: [] });
    const snap = (await client.next((m) => m.type === 'bookSnapshot' && m.streamId === 2 && client.received.indexOf(m) >= from, 10_000)) as Extract<ServerMsg, { type: 'bookSnapshot' }>;
    expect(snap.state).toBe(StreamState.Live);
    // BTC-USD (stream 1) goes on live from the new md.
    await until(() => client.received.slice(from).some((m) => m.type === 'bookBatch' && m.streamId === 1), 10_000, 'BTC-USD batches after the restart');
  }, 60_000);
});
