import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { Algo, OrderStatus, OrderType, Side, TimeInForce, type ExecutionReportMsg, type NewOrderMsg } from '@tickmesh/shared';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterOrderCode, MSG_ID_HEADER, OMS_ORDER_SUBJECT, openEdgeUpstream, registerClusterMetrics, startOmsNode, type EdgeOrders, type MdPublisher, type OmsPresence, type OmsService } from '../src/cluster/index';
import { defaultRelayOptions } from '../src/server/options';
import type { Relay } from '../src/server/relay-server';
import { SimVenue } from '../src/venues/sim/index';
import { ProtoClient, metricSample, startRelay, tokenOf, until } from './harness';
import { NatsKit, natsServerBinary } from './nats-kit';

const binary = natsServerBinary();
if (!binary) console.warn('cluster-oms-edge.test.ts skipped: nats-server is not installed (apt-get install -y nats-server; scripts/ensure-system-deps.sh does it)');

const ACCOUNT = 'trader';

function marketOrder(requestId: number, clientOrderId: string, qty = 10): NewOrderMsg {
  return {
    type: 'newOrder', requestId, clientOrderId, symbol: 'BTC-USD', venue: '', side: Side.Buy, orderType: OrderType.Market,
    timeInForce: TimeInForce.IOC, price: 0, qty, postOnly: false, algo: Algo.None, displayQty: 0, durationMs: 0,
  };
}

/** The reports a client got for one client order id, as (status, filled) pairs in arrival order. */
function reportsOf(c: ProtoClient, clientOrderId: string): [OrderStatus, number][] {
  return c.received.filter((m): m is ExecutionReportMsg => m.type === 'executionReport' && m.clientOrderId === clientOrderId).map((r) => [r.status, r.filledQty]);
}

function done(c: ProtoClient, clientOrderId: string): boolean {
  const last = reportsOf(c, clientOrderId).at(-1);
  return last !== undefined && (last[0] === OrderStatus.Filled || last[0] === OrderStatus.Canceled || last[0] === OrderStatus.Rejected);
}

async function readyWithin(relay: Relay, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while ((await fetch(`${relay.url}/readyz`)).status !== 200) {
    if (Date.now() - start > timeoutMs) throw new Error(`${relay.url} not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(!binary)('cluster: orders through two edges to one OMS node over NATS', () => {
  let nats: NatsKit;
  let oms: Relay;
  let service: OmsService;
  let presence: OmsPresence;
  let publisher: MdPublisher;
  const edges: { relay: Relay; orders: EdgeOrders }[] = [];
  let onEdge1: ProtoClient;
  let onEdge2: ProtoClient;
  let onOms: ProtoClient;
  let raw: NatsConnection;
  const log = pino({ level: 'silent' });

  beforeAll(async () => {
    nats = await NatsKit.start(binary!);
    // One auth dir for the whole cluster: one signing secret, one set of accounts.
    const authDir = mkdtempSync(join(tmpdir(), 'tickmesh-cluster-auth-'));
    const venue = new SimVenue({ id: 'sim-a', seed: 11, symbols: ['BTC-USD'], updatesPerSecond: 200 });
    oms = await startRelay([venue], { flushMs: 10, role: 'oms', natsUrls: [nats.url], authDir });
    ({ publisher, service, presence } = await startOmsNode(oms.options, oms, log));
    for (let i = 0; i < 2; i++) {
      const opened = await openEdgeUpstream({ ...defaultRelayOptions, role: 'edge', natsUrls: [nats.url] }, log, {}, { budgetMs: 1500 });
      const relay = await startRelay([], { role: 'edge', natsUrls: [nats.url], authDir }, opened.upstream);
      registerClusterMetrics(relay.metrics.registry, 'edge', { feed: opened.feed, orders: opened.orders });
      edges.push({ relay, orders: opened.orders });
    }
    for (const e of edges) await readyWithin(e.relay, 10_000);
    onEdge1 = await ProtoClient.connect(edges[0].relay.url);
    onEdge2 = await ProtoClient.connect(edges[1].relay.url);
    onOms = await ProtoClient.connect(oms.url);
    raw = await connect({ servers: [nats.url] });
  }, 30_000);

  afterAll(async () => {
    for (const c of [onEdge1, onEdge2, onOms]) c?.close();
    await raw?.close();
    for (const e of edges) await e.relay.stop();
    await service?.close();
    await publisher?.close();
    await oms?.stop();
    await nats?.kill();
  });

  it('a token from one edge is valid on the other and on the OMS node (one signing secret)', async () => {
    const token = tokenOf(edges[0].relay.url);
    for (const url of [edges[1].relay.url, oms.url]) {
      const c = await ProtoClient.connect(url, {}, token);
      expect(c.received.find((m) => m.type === 'welcome')).toMatchObject({ account: ACCOUNT });
      c.close();
    }
  });

  it('an order placed through edge 2 fills, and every session of the account sees the same reports: on edge 1, edge 2 and the OMS node', async () => {
    onEdge2.send(marketOrder(1, 'cl-edge2-1'));
    await until(() => done(onEdge1, 'cl-edge2-1') && done(onEdge2, 'cl-edge2-1') && done(onOms, 'cl-edge2-1'), 10_000, 'the reports on every session');
    const seen = reportsOf(onEdge2, 'cl-edge2-1');
    expect(seen.at(-1)![0]).toBe(OrderStatus.Filled);
    expect(seen.at(-1)![1]).toBe(10);
    expect(reportsOf(onEdge1, 'cl-edge2-1')).toEqual(seen);
    expect(reportsOf(onOms, 'cl-edge2-1')).toEqual(seen);
    // One order at the OMS (and so at the venue) for it.
    expect(oms.trading.oms.orders(ACCOUNT, {}).filter((o) => o.clientOrderId === 'cl-edge2-1')).toHaveLength(1);
  });

  it('REST through an edge is the OMS node answering: orders, positions; no token → 401; a trader on an admin route → 403', async () => {
    const url = edges[0].relay.url;
    const auth = { authorization: `Bearer ${tokenOf(url)}` };
    const orders = (await (await fetch(`${url}/api/orders`, { headers: auth })).json()) as { account: string; orders: { clientOrderId: string }[] };
    expect(orders.account).toBe(ACCOUNT);
    expect(orders.orders.map((o) => o.clientOrderId)).toContain('cl-edge2-1');
    // The same answer but for what the live mark moves between the two calls.
    type Positions = { account: string; positions: Record<string, unknown>[] };
    const unmarked = (p: Positions) => ({ ...p, positions: p.positions.map(({ unrealisedPnl, unrealisedPnlE8, grossPnlE8, netPnlE8, ...rest }) => rest) });
    const direct = (await (await fetch(`${oms.url}/api/positions`, { headers: { authorization: `Bearer ${tokenOf(oms.url)}` } })).json()) as Positions;
    const viaEdge = (await (await fetch(`${url}/api/positions`, { headers: auth })).json()) as Positions;
    expect(viaEdge.positions.length).toBeGreaterThan(0);
    expect(unmarked(viaEdge)).toEqual(unmarked(direct));
    const none = await fetch(`${url}/api/orders`);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ code: 'AUTH_REQUIRED' });
    const admin = await fetch(`${url}/api/admin/halt`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ symbol: 'BTC-USD' }) });
    expect(admin.status).toBe(403);
  });

  it("the OMS's own refusals come back through the edge with their codes (a reused client order id)", async () => {
    onEdge1.send(marketOrder(2, 'cl-edge2-1'));
    expect(await onEdge1.error('OMS_DUPLICATE_CLIENT_ORDER_ID')).toMatchObject({ requestId: 2 });
  });

  it('a retried request (same Nats-Msg-Id) gets the first answer and places no second order; one past its deadline is dropped unexecuted', async () => {
    const before = { ...service.stats };
    const h = headers();
    h.set(MSG_ID_HEADER, 'test-edge.1');
    const body = (clientOrderId: string, deadlineMs: number) => new TextEncoder().encode(JSON.stringify({ account: ACCOUNT, msg: marketOrder(3, clientOrderId, 5), deadlineMs }));
    const first = await raw.request(OMS_ORDER_SUBJECT, body('cl-raw-1', Date.now() + 5000), { timeout: 5000, headers: h });
    const again = await raw.request(OMS_ORDER_SUBJECT, body('cl-raw-1', Date.now() + 5000), { timeout: 5000, headers: h });
    expect(JSON.parse(new TextDecoder().decode(first.data))).toEqual({ ok: true });
    expect(new TextDecoder().decode(again.data)).toBe(new TextDecoder().decode(first.data));
    expect(service.stats.requests).toBe(before.requests + 1);
    expect(service.stats.duplicates).toBe(before.duplicates + 1);
    expect(oms.trading.oms.orders(ACCOUNT, {}).filter((o) => o.clientOrderId === 'cl-raw-1')).toHaveLength(1);

    const late = headers();
    late.set(MSG_ID_HEADER, 'test-edge.2');
    await expect(raw.request(OMS_ORDER_SUBJECT, body('cl-raw-late', Date.now() - 1), { timeout: 500, headers: late })).rejects.toThrow();
    expect(service.stats.expired).toBe(before.expired + 1);
    expect(oms.trading.oms.orders(ACCOUNT, {}).some((o) => o.clientOrderId === 'cl-raw-late')).toBe(false);
  });

  it('metrics: the edges count requests, the OMS node what it took and published', async () => {
    const edgeMetrics = await (await fetch(`${edges[1].relay.url}/metrics`)).text();
    expect(metricSample(edgeMetrics, 'tickmesh_cluster_role', { role: 'edge' })).toBe(1);
    expect(Number(/^tickmesh_cluster_edge_order_requests_total (\d+)$/m.exec(edgeMetrics)?.[1])).toBe(edges[1].orders.stats.requests);
    expect(edges[1].orders.stats.requests).toBeGreaterThan(0);
    const omsMetrics = await (await fetch(`${oms.url}/metrics`)).text();
    expect(metricSample(omsMetrics, 'tickmesh_cluster_role', { role: 'oms' })).toBe(1);
    expect(Number(/^tickmesh_cluster_oms_reports_total (\d+)$/m.exec(omsMetrics)?.[1])).toBe(service.stats.reports);
    expect(service.stats.reports).toBeGreaterThan(0);
  });

  it('with the OMS service gone, an edge refuses orders with OMS_UNAVAILABLE and REST with 503; back, orders flow again', async () => {
    await service.close();
    onEdge1.send(marketOrder(4, 'cl-no-oms'));
    expect(await onEdge1.error(ClusterOrderCode.OMS_UNAVAILABLE)).toMatchObject({ requestId: 4 });
    const rest = await fetch(`${edges[0].relay.url}/api/orders`, { headers: { authorization: `Bearer ${tokenOf(edges[0].relay.url)}` } });
    expect(rest.status).toBe(503);
    expect(oms.trading.oms.orders(ACCOUNT, {}).some((o) => o.clientOrderId === 'cl-no-oms')).toBe(false);
    ({ publisher, service } = await restartService());
    onEdge1.send(marketOrder(5, 'cl-back'));
    await until(() => done(onEdge2, 'cl-back'), 10_000, 'the order after the OMS came back');
    expect(reportsOf(onEdge2, 'cl-back').at(-1)![0]).toBe(OrderStatus.Filled);
  });

  it("one account's request budget holds across edges: each edge alone is under its own, the OMS refuses past the cluster's", async () => {
    ({ publisher, service } = await restartService(2)); // 2 a second, burst 4, for the whole cluster
    const before = service.stats.rateLimited;
    for (let i = 0; i < 6; i++) {
      onEdge1.send(marketOrder(200 + i, `cl-rate-1-${i}`, 1));
      onEdge2.send(marketOrder(300 + i, `cl-rate-2-${i}`, 1));
    }
    // Each request ends with a refusal or its first report, on the session that sent it.
    const answered = () => [onEdge1, onEdge2].reduce((n, c) => n + new Set(c.received.filter((m) => (m.type === 'error' && m.requestId >= 200) || (m.type === 'executionReport' && m.parentOrderId === '' && m.clientOrderId.startsWith(c === onEdge1 ? 'cl-rate-1-' : 'cl-rate-2-'))).map((m) => (m.type === 'error' ? `e${m.requestId}` : m.type === 'executionReport' ? m.clientOrderId : ''))).size, 0);
    await until(() => answered() === 12, 10_000, 'all twelve answered');
    const refused = [onEdge1, onEdge2].flatMap((c) => c.received.filter((m) => m.type === 'error' && m.code === 'SESSION_RATE_LIMITED' && m.requestId >= 200));
    expect(service.stats.rateLimited - before).toBe(refused.length);
    // Burst 4, plus what 2 a second refills while the twelve arrive: most are refused.
    expect(refused.length).toBeGreaterThanOrEqual(6);
    expect(refused.some((m) => m.requestId >= 300)).toBe(true);
    expect(refused.some((m) => m.requestId < 300)).toBe(true);
    ({ publisher, service } = await restartService());
  });

  it('cancel-on-disconnect across the cluster: the resting order stays while the account holds a session on any edge or the OMS node, and is canceled when the last one closes', async () => {
    expect((await oms.auth.updateAccount(ACCOUNT, { cancelOnDisconnect: true })).ok).toBe(true);
    const bid = oms.md.stream(1)!.book.bestBid();
    const resting: NewOrderMsg = { ...marketOrder(400, 'cl-cod', 1), orderType: OrderType.Limit, timeInForce: TimeInForce.GTC, price: Math.round(bid * 0.99), venue: 'sim-a' };
    onEdge1.send(resting);
    await until(() => oms.trading.oms.orders(ACCOUNT, { open: true }).some((o) => o.clientOrderId === 'cl-cod'), 10_000, 'the resting order');
    const open = () => oms.trading.oms.orders(ACCOUNT, { open: true }).some((o) => o.clientOrderId === 'cl-cod');
    // Edge 1's sessions close; edge 2 and the OMS node still hold some: nothing is canceled.
    onEdge1.close();
    await until(() => opened1Presence() === 0, 5000, 'edge 1 seen without sessions');
    onOms.close();
    await until(() => oms.localSessions(ACCOUNT) === 0, 5000, 'the OMS node without sessions');
    await new Promise((r) => setTimeout(r, 300));
    expect(open()).toBe(true);
    // The last one, on edge 2: canceled.
    onEdge2.close();
    await until(() => !open(), 10_000, 'the order canceled once the last session closed');
    expect(oms.trading.oms.orders(ACCOUNT, {}).find((o) => o.clientOrderId === 'cl-cod')!.status).toBe(OrderStatus.Canceled);
  });

  /** Sessions of the account on the edges, as the OMS node's presence sees them, minus edge 2's. */
  function opened1Presence(): number {
    return presence.sessions(ACCOUNT) - edges[1].relay.localSessions(ACCOUNT);
  }

  async function restartService(accountMessagesPerSecond = oms.options.accountMessagesPerSecond): Promise<{ publisher: MdPublisher; service: OmsService }> {
    await service.close();
    presence.stop();
    await publisher.close();
    const node = await startOmsNode({ ...oms.options, accountMessagesPerSecond }, oms, log);
    presence = node.presence;
    return node;
  }
});
