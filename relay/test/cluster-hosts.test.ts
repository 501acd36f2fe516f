import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Algo, OrderStatus, OrderType, Side, TimeInForce, type ExecutionReportMsg, type NewOrderMsg, type ServerMsg } from '@tickmesh/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterOrderCode } from '../src/cluster/index';
import { AuthService } from '../src/server/auth/index';
import { BinanceFakeServer } from '../src/venues/binance/index';
import {
  HostProcess, LanForward, NatsHost, Watch, attachTestProcess, buildLan, clusterHostsUnavailable, lanScriptsDir, sessionsOn, startHaproxy, startNode, statusOf, untilAsync,
  type Lan, type LanHost,
} from './cluster-hosts-kit';
import { ProtoClient, metricSample, until } from './harness';

/**
 * The cluster of issue 12 on a LAN of hosts: nats-server (JetStream), one md node, two OMS
 * nodes (active and standby), two edges and HAProxy, each a process on its own host (a network
 * namespace on one bridge, web/test/e2e/lan/lan-hosts.ts), every relay node the bundle `npm start`
 * runs. The md node publishes the exchange's market data; the OMS nodes trade the same exchange
 * with `--oms-publishes-md false` (the README's "Scale out" split).
 *
 * The exchange is the fake Binance, in this process, so the test can count what reached it. The
 * test process gets its own port on the LAN's switch (address .250, `attachTestProcess`): the
 * fake, which listens on loopback, is forwarded from that address, and the test's clients and
 * REST calls go to HAProxy's host (and to the edges' and md's /readyz) over the LAN like any
 * other host's would. Skipped, with the reason, without root, netns, nats-server, haproxy or
 * the relay bundle.
 */
const unavailable = clusterHostsUnavailable();
if (unavailable) console.warn(`cluster-hosts.test.ts skipped: ${unavailable}`);

const SYMBOL = 'BTC-USDT';
const reportsOf = (c: ProtoClient) => c.received.filter((m): m is ExecutionReportMsg => m.type === 'executionReport');
const errorsOf = (c: ProtoClient) => c.received.filter((m): m is Extract<ServerMsg, { type: 'error' }> => m.type === 'error');

describe.skipIf(unavailable !== '')('cluster on hosts: md + 2 oms + 2 edges + HAProxy + nats-server, one netns host each', () => {
  let lan: Lan;
  let testPort: { ip: string; destroy(): void } | undefined;
  let fake: BinanceFakeServer;
  let forward: LanForward;
  let nats: NatsHost;
  let pump: NodeJS.Timeout | undefined;
  const procs: HostProcess[] = [];
  const clients: ProtoClient[] = [];
  const dirs: string[] = [];
  let token = '';
  let authDir = '';
  let h: Record<'nats' | 'md' | 'omsA' | 'omsB' | 'edge1' | 'edge2' | 'proxy', LanHost>;
  let omsA: HostProcess;
  let omsB: HostProcess;
  const edges: { host: LanHost; proc: HostProcess; dataDir: string }[] = [];
  let proxyUrl = '';
  let mdUrl = '';
  let streamId = 0;
  /** A client on md's own /ws: the book every edge client must agree with. */
  let reference: Watch;
  /** Clients through HAProxy, with the edge each landed on. */
  const watches: { watch: Watch; edge: number }[] = [];

  const tmp = (name: string) => {
    const d = mkdtempSync(join(tmpdir(), `tickmesh-hosts-${name}-`));
    dirs.push(d);
    return d;
  };
  const edgeUrl = (i: number) => `http://${edges[i]!.host.ip}:8080`;
  const track = (p: HostProcess) => (procs.push(p), p);

  const binanceArgs = () => [
    '--venues', 'binance', '--binance-symbols', SYMBOL, '--binance-rest-url', forward.url, '--binance-ws-url', forward.url.replace('http', 'ws'), '--binance-ws-api-url', `${forward.url.replace('http', 'ws')}/ws-api/v3`,
  ];
  const omsDirs = new Map<string, string>();
  const startOms = (host: LanHost, name: string) => {
    const dataDir = omsDirs.get(name) ?? tmp(name);
    omsDirs.set(name, dataDir);
    return track(startNode(host, name, ['--role', 'oms', '--nats-url', nats.url, '--oms-publishes-md', 'false', '--oms-lease-ms', '1000', '--data-dir', dataDir, '--auth-dir', authDir, ...binanceArgs()], { BINANCE_API_KEY: 'k', BINANCE_API_SECRET: 's' }));
  };
  const startEdge = async (i: number, host: LanHost, dataDir: string) => {
    const proc = track(startNode(host, `edge-${i + 1}`, ['--role', 'edge', '--nats-url', nats.url, '--data-dir', dataDir, '--auth-dir', authDir]));
    edges[i] = { host, proc, dataDir };
    await proc.waitFor(/Tickmesh edge ready/, 20_000);
    await untilAsync(async () => (await statusOf(`${edgeUrl(i)}/readyz`)) === 200, 20_000, `edge-${i + 1} ready (md snapshots reachable)`);
  };

  /** A client through HAProxy on the stream; which edge it landed on is read from the edges' session counts. */
  const connectThroughProxy = async (): Promise<{ watch: Watch; edge: number }> => {
    const before = await Promise.all(edges.map((_, i) => sessionsOn(edgeUrl(i))));
    const c = await ProtoClient.connect(proxyUrl, {}, token);
    clients.push(c);
    let edge = -1;
    await untilAsync(async () => {
      const now = await Promise.all(edges.map((_, i) => sessionsOn(edgeUrl(i))));
      const grew = now.map((n, i) => n > before[i]!);
      edge = grew.indexOf(true);
      return grew.filter(Boolean).length === 1;
    }, 5000, 'the new session on one edge');
    const entry = { watch: new Watch(c, streamId).subscribe(), edge };
    watches.push(entry);
    return entry;
  };

  const order = (k: number, prefix: string, bid: number, ask: number): NewOrderMsg => {
    // Resting bids far from the market, and every third a marketable IOC that fills.
    const taking = k % 3 === 0;
    return {
      type: 'newOrder', requestId: 1000 + k, clientOrderId: `${prefix}-${k}`, symbol: SYMBOL, venue: 'binance', side: Side.Buy, orderType: OrderType.Limit,
      timeInForce: taking ? TimeInForce.IOC : TimeInForce.GTC, price: taking ? ask + 100 : bid - 500 - k, qty: 100 + k, postOnly: false, algo: Algo.None, displayQty: 0, durationMs: 0,
    };
  };
  const top = () => ({ bid: reference.book.book.levels(Side.Buy, 1).price[0]!, ask: reference.book.book.levels(Side.Sell, 1).price[0]! });
  const api = async <T>(path: string): Promise<T> => {
    const r = await fetch(`${proxyUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as T;
  };

  beforeAll(async () => {
    const names = ['nats', 'md', 'omsA', 'omsB', 'edge1', 'edge2', 'proxy'] as const;
    lan = buildLan([...names]);
    dirs.push(lanScriptsDir(lan));
    h = Object.fromEntries(names.map((n, i) => [n, lan.hosts[i]!])) as typeof h;
    testPort = attachTestProcess(lan);
    fake = await BinanceFakeServer.start({
      symbols: [{ symbol: 'BTCUSDT', baseAsset: 'BTC', quoteAsset: 'USDT', tickSize: '0.01', stepSize: '0.00001', midTicks: 6_500_000 }],
      apiKey: 'k',
      apiSecret: 's',
    });
    forward = await LanForward.start(testPort.ip, Number(new URL(fake.restUrl).port));
    // Every node reads one auth dir: the test's account, made before the nodes load it, is valid on all.
    authDir = tmp('auth');
    const { auth } = await AuthService.open(authDir);
    const grant = await auth.issueToken((await auth.createAccount({ account: 'trader', role: 'trader' })).apiKey);
    if (!grant.ok) throw new Error(grant.reason.code);
    token = grant.value.token;

    nats = new NatsHost(h.nats);
    dirs.push(nats.dir);
    await nats.start();
    const md = track(startNode(h.md, 'md', ['--role', 'md', '--nats-url', nats.url, '--data-dir', tmp('md'), '--auth-dir', authDir, ...binanceArgs()]));
    omsA = startOms(h.omsA, 'oms-a');
    await Promise.all([md.waitFor(/md node: publishing/, 20_000), omsA.waitFor(/oms node: /, 20_000)]);
    mdUrl = `http://${h.md.ip}:8080`;
    omsB = startOms(h.omsB, 'oms-b');
    // The exchange moves all along: market-data load on every node.
    pump = setInterval(() => fake.pump(2), 20);
    await Promise.all([startEdge(0, h.edge1, tmp('edge-1')), startEdge(1, h.edge2, tmp('edge-2'))]);
    track(await startHaproxy(h.proxy, [h.edge1, h.edge2], tmp('haproxy')));
    proxyUrl = `http://${h.proxy.ip}:8080`;

    const c = await ProtoClient.connect(mdUrl, {}, token);
    clients.push(c);
    const welcome = c.received.find((m) => m.type === 'welcome') as Extract<ServerMsg, { type: 'welcome' }>;
    streamId = welcome.instruments.find((i) => i.venue === 'binance' && i.symbol === SYMBOL)!.streamId;
    reference = new Watch(c, streamId).subscribe();
    await until(() => reference.book.isLive, 10_000, 'the md client live');
  }, 90_000);

  afterAll(async () => {
    clearInterval(pump);
    for (const c of clients) c.close();
    await Promise.all(procs.map((p) => p.kill()));
    await nats?.kill();
    await forward?.stop();
    await fake?.stop();
    testPort?.destroy();
    lan?.destroy();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('clients through HAProxy land on both edges, and their books agree with each other and md by checksum at common seqs', async () => {
    // Round robin over two healthy edges: connect until each holds two (HAProxy may still be
    // counting an edge's first health checks: then its sessions go to the other).
    for (let n = 0; n < 12 && [0, 1].some((e) => watches.filter((w) => w.edge === e).length < 2); n++) await connectThroughProxy();
    const on = (e: number) => watches.filter((w) => w.edge === e).map((w) => w.watch);
    expect(on(0).length).toBeGreaterThanOrEqual(2);
    expect(on(1).length).toBeGreaterThanOrEqual(2);
    const from = reference.book.seq;
    await until(() => watches.every((w) => w.watch.agreesWith(reference, from, 30)) && on(0)[0]!.agreesWith(on(1)[0]!, from, 30), 20_000, 'every client with md\'s book at 30 common seqs').catch((err) => {
      throw new Error(`${(err as Error).message}: ${watches.map((w) => `edge-${w.edge + 1} common ${w.watch.common(reference, from).length} disagree ${w.watch.disagreements(reference, from).slice(0, 3)}`).join('; ')}`);
    });
    // Edge 1's clients and edge 2's: the same checksum at every seq both saw.
    for (const a of on(0)) for (const b of on(1)) expect(a.disagreements(b, from)).toEqual([]);
  }, 40_000);

  it('an order placed through edge 2 shows on the sessions of the same account on edge 1', async () => {
    const via = watches.find((w) => w.edge === 1)!.watch.client;
    const { ask } = top();
    const placedBefore = fake.placed.length;
    via.send({ ...order(3, 'cross', 0, ask), requestId: 7 });
    const filled = (c: ProtoClient) => reportsOf(c).some((r) => r.clientOrderId === 'cross-3' && r.status === OrderStatus.Filled);
    await until(() => filled(via), 15_000, 'the fill on edge 2').catch((err) => {
      throw new Error(`${(err as Error).message}; errors ${JSON.stringify(errorsOf(via))}; oms-a said ${omsA.output}`);
    });
    for (const w of watches.filter((x) => x.edge === 0)) {
      await until(() => filled(w.watch.client), 5000, 'the fill on an edge-1 session');
      expect(reportsOf(w.watch.client).filter((r) => r.clientOrderId === 'cross-3').map((r) => r.status)).toEqual(reportsOf(via).filter((r) => r.clientOrderId === 'cross-3').map((r) => r.status));
    }
    // One order at the exchange for it.
    expect(fake.placed.length).toBe(placedBefore + 1);
  }, 30_000);

  it('the active OMS killed -9 under order load: the standby takes over with every acknowledged order and fill, none sent twice', async () => {
    const c = watches[0]!.watch.client;
    const { bid, ask } = top();
    let n = 0;
    const timer = setInterval(() => c.send(order(++n, 'f', bid, ask)), 25);
    const mine = () => reportsOf(c).filter((r) => r.clientOrderId.startsWith('f-'));
    const acked = () => new Set(mine().map((r) => r.clientOrderId));
    const fills = () => mine().filter((r) => r.tradeId > 0);
    let ackedBeforeKill = new Set<string>();
    let fillsBeforeKill: number[] = [];
    try {
      await until(() => acked().size > 20 && fills().length > 2, 30_000, 'orders and fills acknowledged by the active').catch((err) => {
        throw new Error(`${(err as Error).message}; errors ${JSON.stringify(errorsOf(c).slice(-3))}; oms-a said ${omsA.output}`);
      });
      await omsA.kill();
      ackedBeforeKill = acked();
      fillsBeforeKill = fills().map((r) => r.tradeId);
      const sentAtKill = n;
      // The standby takes the lease (1 s) and serves; orders keep coming meanwhile.
      await omsB.waitFor(/oms node: /, 30_000);
      await until(() => mine().filter((r) => Number(r.clientOrderId.slice(2)) > sentAtKill).length >= 5, 30_000, 'orders acknowledged by the new active');
    } finally {
      clearInterval(timer);
    }
    // Every order sent has its answer: a report, or a refusal for want of an OMS.
    const flowErrors = () => errorsOf(c).filter((e) => e.requestId > 1000 && e.requestId <= 1000 + n);
    const answered = () => new Set([...mine().map((r) => Number(r.clientOrderId.slice(2))), ...flowErrors().map((e) => e.requestId - 1000)]);
    await until(() => answered().size >= n, 15_000, 'an answer to every order sent');
    const refused = new Map(flowErrors().map((e) => [`f-${e.requestId - 1000}`, e.code]));

    const orders = (await api<{ orders: { clientOrderId: string; status: number }[] }>('/api/orders')).orders;
    const byId = new Map(orders.map((o) => [o.clientOrderId, o]));
    for (const id of ackedBeforeKill) expect(byId.has(id), `acknowledged order ${id} on the new active`).toBe(true);
    const restFills = (await api<{ fills: { tradeId: number }[] }>('/api/fills')).fills.map((f) => f.tradeId);
    for (const t of fillsBeforeKill) expect(restFills, `fill ${t} on the new active`).toContain(t);
    // Nothing reached the exchange twice; the new active's open orders are the exchange's.
    expect(fake.placed.length).toBeGreaterThan(20);
    expect(new Set(fake.placed).size).toBe(fake.placed.length);
    const openAtVenue = [...fake.orders.values()].filter((o) => o.info.status === 'NEW' || o.info.status === 'PARTIALLY_FILLED').length;
    expect((await api<{ orders: unknown[] }>('/api/orders?open=true')).orders.length).toBe(openAtVenue);
    for (const [id, code] of refused) if (code === ClusterOrderCode.OMS_UNAVAILABLE) expect(byId.has(id), `${id} refused as not taken`).toBe(false);
    expect(omsB.output).not.toContain('VENUE_UNKNOWN_ORDER');

    // The operator brings the dead node back: it follows as the standby now.
    omsA = startOms(h.omsA, 'oms-a');
  }, 60_000);

  it('an edge killed -9 under load: its clients reconnect through HAProxy to the other edge and resync', async () => {
    const counts = [0, 1].map((e) => watches.filter((w) => w.edge === e && w.watch.client.closeCode === undefined).length);
    const victim = counts[0]! >= counts[1]! ? 0 : 1;
    const survivor = 1 - victim;
    const lost = watches.filter((w) => w.edge === victim);
    await edges[victim]!.proc.kill();
    await until(() => lost.every((w) => w.watch.client.closeCode !== undefined), 10_000, 'the dead edge\'s clients closed');
    // What the PWA does: reconnect to the same address (HAProxy) and subscribe again.
    for (const w of lost) watches.splice(watches.indexOf(w), 1);
    const back: Watch[] = [];
    for (let i = 0; i < lost.length; i++) {
      const c = await ProtoClient.connect(proxyUrl, {}, token);
      clients.push(c);
      const watch = new Watch(c, streamId).subscribe(2);
      back.push(watch);
      watches.push({ watch, edge: survivor });
    }
    expect(await sessionsOn(edgeUrl(survivor))).toBe(watches.length);
    expect(await sessionsOn(edgeUrl(victim))).toBe(-1);
    const after = reference.book.seq;
    await until(() => back.every((w) => w.book.isLive && w.agreesWith(reference, after, 30)), 20_000, 'the reconnected clients resynced to md\'s book');
    // The survivor's old clients never lost their book.
    for (const w of watches.filter((x) => !back.includes(x.watch))) expect(w.watch.disagreements(reference, after)).toEqual([]);

    // The edge restarted: HAProxy sends it new clients again (round robin over both).
    await startEdge(victim, edges[victim]!.host, edges[victim]!.dataDir);
    const fresh: { watch: Watch; edge: number }[] = [];
    await untilAsync(async () => (fresh.push(await connectThroughProxy()), fresh.some((f) => f.edge === victim)), 10_000, 'a new client on the restarted edge');
    const since = reference.book.seq;
    await until(() => fresh.every((f) => f.watch.book.isLive && f.watch.agreesWith(reference, since, 10)), 15_000, 'the new clients live with md\'s book');
  }, 60_000);

  it('nats-server killed and restarted: edges and md say not ready, books stale, orders refused CLUSTER_NATS_DOWN; then all recover and orders flow', async () => {
    const live = watches.filter((w) => w.watch.client.closeCode === undefined);
    expect(new Set(live.map((w) => w.edge)).size).toBe(2);
    const staleBefore = live.map((w) => w.watch.staleMarkers);
    const activeBefore = omsB;
    await nats.kill();
    // What the cluster says it lost: every edge client's book STALE (never shown live), every node's /readyz 503.
    await until(() => live.every((w, i) => w.watch.staleMarkers > staleBefore[i]! && w.watch.book.status === 'stale'), 10_000, 'every edge client told its book is stale').catch((err) => {
      throw new Error(`${(err as Error).message}: ${live.map((w, i) => `edge-${w.edge + 1} markers ${staleBefore[i]}->${w.watch.staleMarkers} ${w.watch.book.status} closed ${w.watch.client.closeCode}`).join('; ')}; edge-1 said ${edges[0]!.proc.output}; edge-2 said ${edges[1]!.proc.output}`);
    });
    for (const url of [edgeUrl(0), edgeUrl(1), mdUrl]) await untilAsync(async () => (await statusOf(`${url}/readyz`)) === 503, 10_000, `${url} not ready without NATS`);
    for (const e of [0, 1]) {
      const metrics = await (await fetch(`${edgeUrl(e)}/metrics`)).text();
      expect(metricSample(metrics, 'tickmesh_cluster_role', { role: 'edge' })).toBe(1);
      expect(Number(/^tickmesh_cluster_edge_stale_markers_total (\S+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
    }
    // An order now is refused as not sent, on the edge itself.
    const direct = await ProtoClient.connect(edgeUrl(0), {}, token);
    clients.push(direct);
    direct.send({ ...order(3, 'down', 0, top().ask), requestId: 5 });
    await direct.error(ClusterOrderCode.CLUSTER_NATS_DOWN, 5000);
    // md's own market data goes on meanwhile (its venue is not behind NATS).
    const mdSeq = reference.book.seq;
    await until(() => reference.book.isLive && reference.book.seq > mdSeq + 10, 5000, 'md\'s book moving');

    await nats.start();
    for (const url of [edgeUrl(0), edgeUrl(1), mdUrl]) await untilAsync(async () => (await statusOf(`${url}/readyz`)) === 200, 20_000, `${url} ready again`);
    const from = reference.book.seq;
    await until(() => live.every((w) => w.watch.book.isLive && w.watch.agreesWith(reference, from, 20)), 20_000, 'every edge client live again with md\'s book');

    // Orders flow again through HAProxy (an OMS must hold the lease again: while none does, OMS_UNAVAILABLE says "not taken").
    const trader = live[0]!.watch.client;
    let k = 0;
    const refusals: string[] = [];
    await untilAsync(async () => {
      k++;
      const id = `after-nats-${k}`;
      const from = trader.received.length;
      trader.send({ ...order(3, 'x', 0, top().ask), clientOrderId: id, requestId: 5000 + k });
      const answer = await trader.next((m) => (m.type === 'executionReport' && m.clientOrderId === id && m.status === OrderStatus.Filled) || (m.type === 'error' && m.requestId === 5000 + k), 10_000, from);
      if (answer.type === 'error') refusals.push(answer.code);
      return answer.type === 'executionReport';
    }, 30_000, 'an order filled after NATS came back').catch((err) => {
      throw new Error(`${(err as Error).message}: refusals ${refusals}; oms-b (alive ${omsB.alive}) said ${omsB.output}; oms-a (alive ${omsA.alive}) said ${omsA.output}`);
    });
    for (const code of refusals) expect([ClusterOrderCode.OMS_UNAVAILABLE, ClusterOrderCode.OMS_TIMEOUT, ClusterOrderCode.CLUSTER_NATS_DOWN]).toContain(code);
    // The fill reached the other edge's sessions too.
    const other = live.find((w) => w.edge !== live[0]!.edge)!.watch.client;
    await until(() => reportsOf(other).some((r) => r.clientOrderId === `after-nats-${k}` && r.status === OrderStatus.Filled), 10_000, 'the fill on the other edge');
    // The active OMS either kept its lease through the outage, or said it lost it (CLUSTER_OMS_STOPPED, exit 5) and the standby took over.
    if (!activeBefore.alive) {
      expect(await activeBefore.exited).toBe(5);
      expect(activeBefore.output).toContain('CLUSTER_OMS_STOPPED');
      await omsA.waitFor(/oms node: /, 1000);
    }
    expect(new Set(fake.placed).size).toBe(fake.placed.length);
  }, 90_000);
});
