import { Algo, BookStream, OrderType, Side, StreamState, TimeInForce, decodeServer, type Instrument, type ServerMsg } from '@tickmesh/shared';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEdgeUpstream, registerClusterMetrics, startMdPublisher, type EdgeFeed, type MdPublisher, ClusterOrderCode } from '../src/cluster/index';
import { defaultRelayOptions } from '../src/server/options';
import type { Relay } from '../src/server/relay-server';
import { SimVenue } from '../src/venues/sim/index';
import { JsonClient, ProtoClient, metricSample, startRelay, tokenOf, until } from './harness';
import { NatsKit, natsServerBinary } from './nats-kit';

const binary = natsServerBinary();
if (!binary) console.warn('cluster-md-edge.test.ts skipped: nats-server is not installed (apt-get install -y nats-server; scripts/ensure-system-deps.sh does it)');

const STREAM = 1;

/** One client's view of a stream: its book as the client applies the frames, and what it held at each seq. */
class Watch {
  readonly book = new BookStream(STREAM);
  /** At each applied seq: the frame's bytes as received, the checksum and the top levels after it. */
  readonly atSeq = new Map<number, { bytes: Buffer; checksum: number; levels: string }>();
  /** 'snapshot', 'stale' (a snapshot flagged STALE), 'resync:<reason>' in arrival order. */
  readonly events: string[] = [];
  epoch = 0;

  constructor(client: ProtoClient) {
    client.ws.on('message', (raw: Buffer) => {
      const r = decodeServer(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength));
      if (!r.ok) return;
      const m = r.value;
      if (m.type === 'bookSnapshot' && m.streamId === STREAM) {
        const res = this.book.applySnapshot(m);
        this.events.push(m.state === StreamState.Stale ? 'stale' : 'snapshot');
        if (res.action === 'applied') this.record(m.epoch, m.seq, raw);
      } else if (m.type === 'bookBatch' && m.streamId === STREAM) {
        const res = this.book.applyBatch(m);
        if (res.action === 'resync') this.events.push(`resync:${res.reason}`);
        if (res.action === 'applied') this.record(m.epoch, m.seq, raw, true);
      }
    });
  }

  private record(epoch: number, seq: number, raw: Buffer, batch = false): void {
    this.epoch = epoch;
    const b = this.book.book;
    const levels = JSON.stringify([Array.from(b.levels(Side.Buy, 10).price), Array.from(b.levels(Side.Sell, 10).price), Array.from(b.levels(Side.Buy, 10).size)]);
    // Only batches keep their bytes: they are the frames both nodes must send alike.
    this.atSeq.set(seq, { bytes: batch ? Buffer.from(raw) : Buffer.alloc(0), checksum: b.checksum(), levels });
    if (this.atSeq.size > 5000) this.atSeq.delete(this.atSeq.keys().next().value!);
  }

  /** Seqs both watches applied, at or after `from`. */
  common(other: Watch, from = 0): number[] {
    return [...this.atSeq.keys()].filter((s) => s >= from && other.atSeq.has(s));
  }
}

async function readyz(relay: Relay): Promise<number> {
  return (await fetch(`${relay.url}/readyz`)).status;
}

async function untilAsync(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The two books agree at every seq both saw from `from` on (at least `min` of them), byte for byte on batches. */
function expectSameBooks(md: Watch, edge: Watch, from: number, min: number): void {
  const seqs = edge.common(md, from);
  expect(seqs.length).toBeGreaterThanOrEqual(min);
  expect(edge.epoch).toBe(md.epoch);
  let batches = 0;
  for (const s of seqs) {
    const a = md.atSeq.get(s)!;
    const b = edge.atSeq.get(s)!;
    expect(b.checksum, `checksum at seq ${s}`).toBe(a.checksum);
    expect(b.levels, `levels at seq ${s}`).toBe(a.levels);
    if (a.bytes.length > 0 && b.bytes.length > 0) {
      expect(b.bytes.equals(a.bytes), `bytes of batch ${s}`).toBe(true);
      batches++;
    }
  }
  expect(batches).toBeGreaterThan(0);
}

describe.skipIf(!binary)('cluster: an md node to an edge node through NATS', () => {
  let nats: NatsKit;
  let md: Relay;
  let edge: Relay;
  let publisher: MdPublisher;
  let feed: EdgeFeed;
  /** Batches of STREAM the edge drops on the way in, as if NATS had lost them. */
  let drop = 0;
  let mdClient: ProtoClient;
  let edgeClient: ProtoClient;
  let mdWatch: Watch;
  let edgeWatch: Watch;
  const log = pino({ level: 'silent' });

  beforeAll(async () => {
    nats = await NatsKit.start(binary!);
    const venue = new SimVenue({ id: 'sim-a', seed: 7, symbols: ['BTC-USD', 'ETH-USD'], updatesPerSecond: 400 });
    md = await startRelay([venue], { flushMs: 10, role: 'md', natsUrls: [nats.url] });
    publisher = await startMdPublisher(md.options, md, log);
    const options = { ...defaultRelayOptions, role: 'edge' as const, natsUrls: [nats.url] };
    const inbound = (id: number, bytes: Uint8Array) => {
      if (id !== STREAM || drop === 0) return true;
      const m = decodeServer(bytes);
      if (!m.ok || m.value.type !== 'bookBatch') return true;
      drop--;
      return false;
    };
    // No OMS node here: orders are refused after a short budget rather than the default 3 s.
    const opened = await openEdgeUpstream(options, log, { mdSilenceMs: 1500, inbound, idleUnsubscribeMs: 300 }, { budgetMs: 800 });
    feed = opened.feed;
    edge = await startRelay([], { role: 'edge', natsUrls: [nats.url] }, opened.upstream);
    registerClusterMetrics(edge.metrics.registry, 'edge', { feed });
    await untilAsync(async () => (await readyz(edge)) === 200, 10_000, 'the edge ready');
    mdClient = await ProtoClient.connect(md.url);
    edgeClient = await ProtoClient.connect(edge.url);
    mdWatch = new Watch(mdClient);
    edgeWatch = new Watch(edgeClient);
  }, 30_000);

  afterAll(async () => {
    mdClient?.close();
    edgeClient?.close();
    await edge?.stop();
    await publisher?.close();
    await md?.stop();
    await nats?.kill();
  });

  it('an edge lists the md node instruments and forwards its frames: same bytes, books and checksums at the same seq', async () => {
    const welcome = (c: ProtoClient) => (c.received.find((m) => m.type === 'welcome') as Extract<ServerMsg, { type: 'welcome' }>).instruments;
    expect(welcome(edgeClient).map((i: Instrument) => [i.streamId, i.venue, i.symbol])).toEqual(welcome(mdClient).map((i: Instrument) => [i.streamId, i.venue, i.symbol]));
    mdClient.send({ type: 'subscribe', requestId: 1, streamIds: [STREAM], symbols: [] });
    edgeClient.send({ type: 'subscribe', requestId: 1, streamIds: [STREAM], symbols: [] });
    await until(() => edgeWatch.common(mdWatch).length >= 100, 10_000, '100 seqs seen by both');
    expect(edgeWatch.events[0]).toBe('snapshot');
    expect(edgeWatch.book.isLive).toBe(true);
    expect(edgeWatch.events.filter((e) => e.startsWith('resync'))).toEqual([]);
    expectSameBooks(mdWatch, edgeWatch, 0, 100);
    expect(publisher.stats.frames).toBeGreaterThan(100);
  });

  it('a batch lost on the way to the edge: clients see the gap, then a snapshot fetched from md, and the same books again', async () => {
    const from = edgeWatch.events.length;
    const before = { ...feed.stats };
    const requestsBefore = publisher.stats.snapshotRequests;
    drop = 1;
    await until(() => edgeWatch.events.slice(from).includes('snapshot'), 5000, 'the resync snapshot');
    const after = edgeWatch.events.slice(from);
    expect(after).toEqual(['resync:gap', 'snapshot']);
    expect(feed.stats.resyncs).toBe(before.resyncs + 1);
    expect(feed.stats.snapshotsFetched).toBeGreaterThan(before.snapshotsFetched);
    expect(publisher.stats.snapshotRequests).toBeGreaterThan(requestsBefore);
    const metrics = await (await fetch(`${edge.url}/metrics`)).text();
    expect(metricSample(metrics, 'tickmesh_cluster_role', { role: 'edge' })).toBe(1);
    expect(metrics).toMatch(new RegExp(`^tickmesh_cluster_edge_resyncs_total ${feed.stats.resyncs}$`, 'm'));
    const mdMetrics = await (await fetch(`${md.url}/metrics`)).text();
    expect(metricSample(mdMetrics, 'tickmesh_cluster_role', { role: 'md' })).toBe(1);
    expect(Number(/^tickmesh_cluster_md_published_bytes_total (\d+)$/m.exec(mdMetrics)?.[1])).toBeGreaterThan(0);
    const resyncedAt = edgeWatch.book.seq;
    await until(() => edgeWatch.common(mdWatch, resyncedAt).length >= 30, 5000, '30 seqs after the resync');
    expect(edgeWatch.book.isLive).toBe(true);
    expectSameBooks(mdWatch, edgeWatch, resyncedAt, 30);
  });

  it('a late joiner on the edge gets a snapshot at md numbering, then the batches after it', async () => {
    const late = await ProtoClient.connect(edge.url);
    const lateWatch = new Watch(late);
    late.send({ type: 'subscribe', requestId: 2, streamIds: [STREAM], symbols: [] });
    try {
      await until(() => lateWatch.common(mdWatch).length >= 30, 5000, '30 seqs on the late joiner');
      expect(lateWatch.events[0]).toBe('snapshot');
      expect(lateWatch.events.filter((e) => e.startsWith('resync'))).toEqual([]);
      expectSameBooks(mdWatch, lateWatch, 0, 30);
    } finally {
      late.close();
    }
  });

  it('legacy JSON clients of an edge get the book and trades in the documented shape, from md frames', async () => {
    const c = await JsonClient.connect(edge.url);
    try {
      c.send({ type: 'subscribe', channel: 'book', symbol: 'BTC-USD' });
      c.send({ type: 'subscribe', channel: 'marketData', symbol: 'BTC-USD' });
      expect(await c.next((m) => m.type === 'book')).toMatchObject({ type: 'book', channel: 'book', symbol: 'BTC-USD', venue: 'sim-a' });
      const trade = await c.next((m) => m.type === 'marketData', 10_000);
      expect(trade).toMatchObject({ channel: 'marketData', symbol: 'BTC-USD', venue: 'sim-a' });
      expect(typeof (trade.data as { price: unknown }).price).toBe('number');
    } finally {
      c.close();
    }
  });

  it('the edge takes from NATS only the streams its sessions hold, and lets one go after its last subscriber left', async () => {
    const other = md.md.instruments().find((i) => i.streamId !== STREAM)!.streamId;
    await until(() => feed.heldStreams === 1, 5000, 'only the held stream on NATS');
    const c = await ProtoClient.connect(edge.url);
    try {
      c.send({ type: 'subscribe', requestId: 9, streamIds: [other], symbols: [] });
      await c.next((m) => m.type === 'bookSnapshot' && m.streamId === other, 5000);
      await c.next((m) => m.type === 'bookBatch' && m.streamId === other, 5000);
      expect(feed.heldStreams).toBe(2);
    } finally {
      c.close();
    }
    await until(() => feed.heldStreams === 1, 5000, 'the other stream let go');
    // The stream still held kept flowing all along.
    const seq = edgeWatch.book.seq;
    await until(() => edgeWatch.book.seq > seq, 5000, 'the held stream moving');
    expect(edgeWatch.book.isLive).toBe(true);
  });

  it('with no OMS node in the cluster, an order on an edge is refused with OMS_UNAVAILABLE (not taken) and its REST calls with 503', async () => {
    edgeClient.send({
      type: 'newOrder', requestId: 9, clientOrderId: 'edge-1', symbol: 'BTC-USD', venue: '', side: Side.Buy, orderType: OrderType.Limit,
      timeInForce: TimeInForce.IOC, price: 0, qty: 10, postOnly: false, algo: Algo.None, displayQty: 0, durationMs: 0,
    });
    const err = await edgeClient.error(ClusterOrderCode.OMS_UNAVAILABLE);
    expect(err).toMatchObject({ requestId: 9, code: ClusterOrderCode.OMS_UNAVAILABLE });
    const rest = await fetch(`${edge.url}/api/orders`, { headers: { authorization: `Bearer ${tokenOf(edge.url)}` } });
    expect(rest.status).toBe(503);
    expect(await rest.json()).toMatchObject({ code: ClusterOrderCode.OMS_UNAVAILABLE });
    // The md node's own OMS holds nothing: the edge's order went nowhere.
    expect(md.trading.oms.orders('trader', {}).length).toBe(0);
  });

  it('nats-server killed: the edge says stale, neither node is ready; restarted: it resyncs from md and is live with the same books', async () => {
    const from = edgeWatch.events.length;
    expect(edgeWatch.book.isLive).toBe(true);
    await nats.kill();
    await until(() => edgeWatch.book.status === 'stale', 5000, 'the edge client stale');
    expect(edgeWatch.events.slice(from)).toEqual(['stale']);
    expect(feed.stats.staleMarkers).toBeGreaterThan(0);
    await untilAsync(async () => (await readyz(edge)) === 503, 5000, 'the edge not ready');
    // The md node is not ready either (it cannot publish), but serves its own clients as before.
    await untilAsync(async () => (await readyz(md)) === 503, 5000, 'md not ready without NATS');
    const mdSeq = mdWatch.book.seq;
    await until(() => mdWatch.book.seq > mdSeq + 10, 5000, 'md moving on without NATS');
    expect(edgeWatch.book.status).toBe('stale');

    await nats.start();
    await until(() => edgeWatch.book.isLive, 10_000, 'the edge client live again');
    expect(edgeWatch.events.slice(from)).toEqual(['stale', 'snapshot']);
    await untilAsync(async () => (await readyz(edge)) === 200, 5000, 'the edge ready again');
    await untilAsync(async () => (await readyz(md)) === 200, 5000, 'md ready again');
    const resyncedAt = edgeWatch.book.seq;
    await until(() => edgeWatch.common(mdWatch, resyncedAt).length >= 30, 10_000, '30 seqs after the reconnect');
    expectSameBooks(mdWatch, edgeWatch, resyncedAt, 30);
  }, 40_000);

  it('md silent with NATS up (its publisher gone): the edge says stale and not ready; md back: live with the same books', async () => {
    const from = edgeWatch.events.length;
    await until(() => edgeWatch.book.isLive, 5000, 'the edge client live');
    await publisher.close();
    await until(() => edgeWatch.book.status === 'stale', 5000, 'the edge client stale');
    expect(edgeWatch.events.slice(from)).toEqual(['stale']);
    await untilAsync(async () => (await readyz(edge)) === 503, 5000, 'the edge not ready');

    publisher = await startMdPublisher(md.options, md, log);
    await until(() => edgeWatch.book.isLive, 5000, 'the edge client live again');
    const after = edgeWatch.events.slice(from);
    expect(after[0]).toBe('stale');
    expect(after.slice(1).every((e) => e === 'snapshot')).toBe(true);
    await untilAsync(async () => (await readyz(edge)) === 200, 5000, 'the edge ready again');
    await untilAsync(async () => (await readyz(md)) === 200, 5000, 'md ready again');
    const resyncedAt = edgeWatch.book.seq;
    await until(() => edgeWatch.common(mdWatch, resyncedAt).length >= 30, 10_000, '30 seqs after md came back');
    expectSameBooks(mdWatch, edgeWatch, resyncedAt, 30);
  }, 30_000);
});
