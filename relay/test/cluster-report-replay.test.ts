import { mkdtempSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect as natsConnect } from '@nats-io/transport-node';
import { Algo, OrderStatus, OrderType, Side, TimeInForce, type ExecutionReportMsg, type NewOrderMsg } from '@tickmesh/shared';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterOrderCode, JOURNAL_STREAM, openEdgeUpstream, standbyUntilActive, startOmsNode, type ActiveOms, type EdgeReports, type MdPublisher, type OmsService } from '../src/cluster/index';
import { defaultRelayOptions } from '../src/server/options';
import type { Relay } from '../src/server/relay-server';
import { SimVenue } from '../src/venues/sim/index';
import { ProtoClient, startRelay, until } from './harness';
import { NatsKit, natsServerBinary } from './nats-kit';

const binary = natsServerBinary();
if (!binary) console.warn('cluster-report-replay.test.ts skipped: nats-server is not installed (scripts/ensure-system-deps.sh installs it)');

/**
 * A TCP hop between one edge and nats-server that the test can cut: real sockets, so the edge's
 * NATS client sees what a pulled cable or a dead switch port gives it, while every other node
 * stays connected.
 */
class CuttableLink {
  private readonly sockets = new Set<Socket>();
  private cut = false;
  private constructor(private readonly server: Server) {}

  static async open(targetPort: number): Promise<CuttableLink> {
    const server = createServer();
    const link = new CuttableLink(server);
    server.on('connection', (client) => {
      if (link.cut) return void client.destroy();
      const upstream = connect(targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        link.sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => {
          link.sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return link;
  }

  get url(): string {
    return `nats://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  /** Drops every connection through it and refuses new ones until `restore`. */
  sever(): void {
    this.cut = true;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.cut = false;
  }

  close(): void {
    this.sever();
    this.server.close();
  }
}

function marketOrder(requestId: number, clientOrderId: string): NewOrderMsg {
  return {
    type: 'newOrder', requestId, clientOrderId, symbol: 'BTC-USD', venue: '', side: Side.Buy, orderType: OrderType.Market,
    timeInForce: TimeInForce.IOC, price: 0, qty: 5, postOnly: false, algo: Algo.None, displayQty: 0, durationMs: 0,
  };
}

const reportsOf = (c: ProtoClient, clientOrderId: string): [OrderStatus, number, number][] =>
  c.received.filter((m): m is ExecutionReportMsg => m.type === 'executionReport' && m.clientOrderId === clientOrderId).map((r) => [r.status, r.filledQty, r.timeUs]);

const settled = (c: ProtoClient, clientOrderId: string): boolean => {
  const last = reportsOf(c, clientOrderId).at(-1);
  return last !== undefined && [OrderStatus.Filled, OrderStatus.Canceled, OrderStatus.Rejected].includes(last[0]);
};

const gapNotices = (c: ProtoClient) => c.received.filter((m) => m.type === 'error' && m.code === ClusterOrderCode.CLUSTER_REPORTS_GAP);

async function readyz(relay: Relay): Promise<number> {
  return (await fetch(`${relay.url}/readyz`)).status;
}

describe.skipIf(!binary)('cluster: an edge cut from NATS gets the reports of the outage from the journal stream when it is back', () => {
  let nats: NatsKit;
  let active: ActiveOms;
  let oms: Relay;
  let service: OmsService;
  let publisher: MdPublisher | undefined;
  let link: CuttableLink;
  const edges: { relay: Relay; reports: EdgeReports }[] = [];
  let onEdge1: ProtoClient;
  let onEdge2: ProtoClient;
  const log = pino({ level: 'silent' });

  beforeAll(async () => {
    nats = await NatsKit.start(binary!, { jetstream: true });
    const authDir = mkdtempSync(join(tmpdir(), 'tickmesh-replay-auth-'));
    const dataDir = mkdtempSync(join(tmpdir(), 'tickmesh-replay-oms-'));
    const omsOptions = { ...defaultRelayOptions, role: 'oms' as const, natsUrls: [nats.url], dataDir, authDir, omsLeaseMs: 2000 };
    // The OMS as `--role oms` runs it: it holds the lease and ships every journal record to the stream before it emits a report.
    active = await standbyUntilActive(omsOptions, log, (why) => {
      throw new Error(`lease lost: ${why}`);
    });
    const venue = new SimVenue({ id: 'sim-a', seed: 5, symbols: ['BTC-USD'], updatesPerSecond: 100 });
    oms = await startRelay([venue], { flushMs: 10, role: 'oms', natsUrls: [nats.url], dataDir, authDir, omsLeaseMs: 2000 }, undefined, (e) => active.replica.publish(e));
    ({ publisher, service } = await startOmsNode(oms.options, oms, log, active));
    link = await CuttableLink.open(Number(new URL(nats.url).port));
    for (const url of [link.url, nats.url]) {
      const opened = await openEdgeUpstream({ ...defaultRelayOptions, role: 'edge', natsUrls: [url] }, log, {}, { budgetMs: 1500 });
      const relay = await startRelay([], { role: 'edge', natsUrls: [url], authDir }, opened.upstream);
      edges.push({ relay, reports: opened.reports });
    }
    for (const e of edges) await until(async () => (await readyz(e.relay)) === 200, 10_000, 'the edge ready');
    onEdge1 = await ProtoClient.connect(edges[0]!.relay.url);
    onEdge2 = await ProtoClient.connect(edges[1]!.relay.url);
  }, 40_000);

  afterAll(async () => {
    for (const c of [onEdge1, onEdge2]) c?.close();
    for (const e of edges) await e.relay.stop();
    link?.close();
    await service?.close();
    await publisher?.close();
    await oms?.stop();
    await active?.lease.release().catch(() => {});
    await active?.nc.close();
    await nats?.kill();
  });

  /** Cuts edge 1 from NATS and waits until it knows (not ready: its books are stale). */
  async function cutEdge1(): Promise<void> {
    link.sever();
    await until(async () => (await readyz(edges[0]!.relay)) !== 200, 10_000, 'edge 1 not ready once cut from NATS');
  }

  it('orders placed through edge 2 while edge 1 is cut: edge 1 delivers every report of them when it is back, once each, in order, with no gap notice', async () => {
    onEdge2.send(marketOrder(1, 'before-cut'));
    await until(() => settled(onEdge1, 'before-cut') && settled(onEdge2, 'before-cut'), 10_000, 'reports on both edges');

    await cutEdge1();
    const during = ['cut-1', 'cut-2', 'cut-3', 'cut-4'];
    during.forEach((id, i) => onEdge2.send(marketOrder(10 + i, id)));
    await until(() => during.every((id) => settled(onEdge2, id)), 10_000, 'the orders of the outage done on edge 2');
    expect(during.filter((id) => reportsOf(onEdge1, id).length > 0)).toEqual([]);

    link.restore();
    await until(() => during.every((id) => settled(onEdge1, id)), 20_000, "edge 1's session has the outage's reports");
    for (const id of [...during, 'before-cut']) expect(reportsOf(onEdge1, id), id).toEqual(reportsOf(onEdge2, id));
    expect(edges[0]!.reports.replayed).toBeGreaterThanOrEqual(during.length);
    expect(edges[0]!.reports.gaps).toBe(0);
    expect(gapNotices(onEdge1)).toEqual([]);

    // Live again: a new order's reports reach edge 1 as before, once.
    onEdge2.send(marketOrder(20, 'after-cut'));
    await until(() => settled(onEdge1, 'after-cut'), 10_000, 'a report after the outage on edge 1');
    expect(reportsOf(onEdge1, 'after-cut')).toEqual(reportsOf(onEdge2, 'after-cut'));
  }, 60_000);

  it('with no journal stream to read, the sessions are told CLUSTER_REPORTS_GAP (they reload by REST)', async () => {
    // Last test: the OMS cannot journal without its stream, and nothing trades after this.
    const nc = await natsConnect({ servers: [nats.url] });
    await (await jetstreamManager(nc)).streams.delete(JOURNAL_STREAM);
    await nc.close();
    await cutEdge1();
    link.restore();
    await until(() => gapNotices(onEdge1).length > 0, 20_000, 'CLUSTER_REPORTS_GAP on edge 1');
    expect(edges[0]!.reports.gaps).toBe(1);
    expect(gapNotices(onEdge2)).toEqual([]);
  }, 40_000);
});
