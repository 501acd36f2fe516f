import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Algo, OrderStatus, OrderType, Side, TimeInForce, type ExecutionReportMsg, type NewOrderMsg } from '@tickmesh/shared';
import { connect } from '@nats-io/transport-node';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEdgeUpstream, startMdPublisher, startOmsNode, type EdgeFeed, type MdPublisher } from '../src/cluster/index';
import { defaultRelayOptions } from '../src/server/options';
import type { Relay } from '../src/server/relay-server';
import { BinanceFakeServer } from '../src/venues/binance/index';
import { openBinanceVenue } from '../src/venues/binance/binance-venue';
import { VenueCredentials } from '../src/venues/live/venue-credentials';
import { ProtoClient, startRelay, tokenOf, until } from './harness';
import { NatsKit, natsServerBinary } from './nats-kit';

const binary = natsServerBinary();
if (!binary) console.warn('cluster-md-oms.test.ts skipped: nats-server is not installed (scripts/ensure-system-deps.sh installs it)');

/**
 * The split the issue describes: an md node publishing an exchange's market data, an OMS node
 * trading the same exchange (its books for risk and routing only: --oms-publishes-md false) and
 * an edge serving both, on one nats-server. The exchange is the local Binance fake.
 */
describe.skipIf(!binary)('cluster: md node + OMS node on one exchange + edge', () => {
  let nats: NatsKit;
  let fake: BinanceFakeServer;
  let md: Relay;
  let oms: Relay;
  let edge: Relay;
  let publisher: MdPublisher;
  let feed: EdgeFeed;
  let omsStop: (() => Promise<void>) | undefined;
  const log = pino({ level: 'silent' });

  const venue = () =>
    openBinanceVenue({
      symbols: ['BTC-USDT'], restUrl: fake.restUrl, wsUrl: fake.wsUrl, wsApiUrl: `${fake.wsUrl}/ws-api/v3`,
      credentials: new VenueCredentials('k', 's'), silenceMs: 2000, backoff: { baseMs: 20, maxMs: 200 },
    });

  beforeAll(async () => {
    nats = await NatsKit.start(binary!);
    fake = await BinanceFakeServer.start({
      symbols: [{ symbol: 'BTCUSDT', baseAsset: 'BTC', quoteAsset: 'USDT', tickSize: '0.01', stepSize: '0.00001', midTicks: 6_500_000 }],
      apiKey: 'k',
      apiSecret: 's',
    });
    const authDir = mkdtempSync(join(tmpdir(), 'tickmesh-md-oms-auth-'));
    const cluster = { natsUrls: [nats.url], authDir, flushMs: 5 };
    md = await startRelay([await venue()], { ...cluster, role: 'md' });
    publisher = await startMdPublisher(md.options, md, log);
    oms = await startRelay([await venue()], { ...cluster, role: 'oms', omsPublishesMd: false });
    const node = await startOmsNode(oms.options, oms, log);
    expect(node.publisher).toBeUndefined();
    omsStop = () => node.service.close();
    const opened = await openEdgeUpstream({ ...defaultRelayOptions, role: 'edge', natsUrls: [nats.url] }, log);
    feed = opened.feed;
    edge = await startRelay([], { role: 'edge', natsUrls: [nats.url], authDir }, opened.upstream);
  }, 30_000);

  afterAll(async () => {
    await edge?.stop();
    await omsStop?.();
    await oms?.stop();
    await publisher?.close();
    await md?.stop();
    await fake?.stop();
    await nats?.kill();
  });

  it('the stream has one publisher (md): the edge follows it without a resync while the exchange moves', async () => {
    const watcher = await connect({ servers: nats.url });
    const seqs: number[] = [];
    const sub = watcher.subscribe('tickmesh.md.>', { callback: (_e, m) => seqs.push(m.data.length) });
    const c = await ProtoClient.connect(edge.url, {}, tokenOf(edge.url));
    try {
      c.send({ type: 'subscribe', requestId: 1, streamIds: [], symbols: ['BTC-USDT'] });
      await c.next((m) => m.type === 'bookSnapshot', 10_000);
      const resyncs = feed.stats.resyncs;
      await new Promise((r) => setTimeout(r, 200));
      const framesBefore = publisher.stats.frames;
      seqs.length = 0;
      for (let i = 0; i < 40; i++) {
        fake.pump(5);
        await new Promise((r) => setTimeout(r, 10));
      }
      await until(() => publisher.stats.frames >= framesBefore + 20, 10_000, 'md publishing the exchange moves');
      await until(() => c.received.filter((m) => m.type === 'bookBatch').length >= 20, 10_000, 'batches on the edge');
      expect(feed.stats.resyncs).toBe(resyncs);
      // Every frame on the market-data subjects is md's: at a quiet point the subscriber counted
      // exactly what md published (a second publisher, the OMS node, would add its own).
      await until(() => seqs.length === publisher.stats.frames - framesBefore, 5_000, 'the frames counted equal to md\'s');
      await new Promise((r) => setTimeout(r, 300));
      expect(seqs.length).toBe(publisher.stats.frames - framesBefore);
    } finally {
      sub.unsubscribe();
      await watcher.close();
      c.close();
    }
  });

  it('an order through the edge is taken by the OMS node and fills at the exchange; the report reaches the edge session', async () => {
    const c = await ProtoClient.connect(edge.url, {}, tokenOf(edge.url));
    try {
      // The OMS's books follow the exchange on their own connection: wait until they hold the ask.
      const t = fake.trueBook('BTCUSDT');
      const ask = Math.min(...t.asks.keys());
      t.asks.set(ask, 200);
      fake.pump(1);
      await until(() => oms.md.instruments().length > 0, 10_000, 'OMS instruments');
      const order: NewOrderMsg = {
        type: 'newOrder', requestId: 7, clientOrderId: 'split-1', symbol: 'BTC-USDT', venue: 'binance', side: Side.Buy, orderType: OrderType.Limit,
        timeInForce: TimeInForce.IOC, price: Math.min(...fake.trueBook('BTCUSDT').asks.keys()), qty: 100, postOnly: false, algo: Algo.None, displayQty: 0, durationMs: 0,
      };
      c.send(order);
      const done = (await c.next((m) => m.type === 'executionReport' && m.clientOrderId === 'split-1' && [OrderStatus.Filled, OrderStatus.Rejected, OrderStatus.Denied].includes(m.status), 15_000)) as ExecutionReportMsg;
      expect([done.status, done.reasonCode, done.venue]).toEqual([OrderStatus.Filled, '', 'binance']);
    } finally {
      c.close();
    }
  });
});
