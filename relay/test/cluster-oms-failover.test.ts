import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Algo, OrderStatus, OrderType, Side, TimeInForce, type ExecutionReportMsg, type NewOrderMsg, type ServerMsg } from '@tickmesh/shared';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { ClusterOrderCode, openEdgeUpstream, registerClusterMetrics } from '../src/cluster/index';
import { defaultRelayOptions } from '../src/server/options';
import type { Relay } from '../src/server/relay-server';
import { BinanceFakeServer } from '../src/venues/binance/index';
import { ProtoClient, startRelay, tokenOf, until } from './harness';
import { NatsKit, natsServerBinary } from './nats-kit';

/**
 * Active/standby OMS: two `--role oms` processes (the bundle npm start runs) trade one
 * exchange (the fake Binance, in this process) behind an edge. The active is killed -9 in the
 * middle of an order flow; the standby takes the lease, has every record from the journal
 * stream, reconciles with the exchange and answers. Nothing acknowledged is lost, nothing is
 * sent to the exchange twice.
 */
const binary = natsServerBinary();
if (!binary) console.warn('cluster-oms-failover.test.ts skipped: nats-server is not installed (apt-get install -y nats-server; scripts/ensure-system-deps.sh does it)');

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const running: ChildProcess[] = [];

/** Starts one OMS node; `ready` resolves with its URL once it serves (a standby serves only once it took over). */
function startOmsProcess(nats: string, fake: BinanceFakeServer, authDir: string, name: string): { proc: ChildProcess; ready: Promise<string>; output: () => string } {
  const dataDir = mkdtempSync(join(tmpdir(), `tickmesh-${name}-`));
  const args = [
    join(root, 'relay/dist/main.js'), '--role', 'oms', '--nats-url', nats, '--oms-lease-ms', '1000', '--port', '0', '--data-dir', dataDir, '--auth-dir', authDir,
    '--log-level', 'warn', '--venues', 'binance', '--binance-symbols', 'BTC-USDT', '--binance-rest-url', fake.restUrl, '--binance-ws-url', fake.wsUrl, '--binance-ws-api-url', `${fake.wsUrl}/ws-api/v3`,
  ];
  const proc = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BINANCE_API_KEY: 'k', BINANCE_API_SECRET: 's' } });
  running.push(proc);
  let out = '';
  proc.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-8000)));
  const ready = new Promise<string>((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => {
      out = (out + d.toString()).slice(-8000);
      const m = /Tickmesh relay ready: (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1].replace('localhost', '127.0.0.1'));
    });
    proc.once('exit', (c, signal) => reject(new Error(`${name} exited ${c ?? signal}: ${out}`)));
  });
  ready.catch(() => {}); // a node killed on purpose; the tests await what they need
  return { proc, ready, output: () => out };
}

const reportsOf = (c: ProtoClient) => c.received.filter((m): m is ExecutionReportMsg => m.type === 'executionReport');

describe.skipIf(!binary)('cluster: the active OMS killed -9 under order flow, the standby takes over', () => {
  let nats: NatsKit;
  let fake: BinanceFakeServer;
  let edge: Relay;

  afterAll(async () => {
    for (const p of running.splice(0)) p.kill('SIGKILL');
    await edge?.stop();
    await fake?.stop();
    await nats?.kill();
  });

  it('every acknowledged order and fill is on the standby, none reached the exchange twice, and orders flow again', async () => {
    nats = await NatsKit.start(binary!, { jetstream: true });
    fake = await BinanceFakeServer.start({
      symbols: [{ symbol: 'BTCUSDT', baseAsset: 'BTC', quoteAsset: 'USDT', tickSize: '0.01', stepSize: '0.00001', midTicks: 6_500_000 }],
      apiKey: 'k',
      apiSecret: 's',
    });
    const authDir = mkdtempSync(join(tmpdir(), 'tickmesh-cluster-auth-'));
    const opened = await openEdgeUpstream({ ...defaultRelayOptions, role: 'edge', natsUrls: [nats.url] }, pino({ level: 'silent' }), {}, { budgetMs: 4000 });
    // The edge creates the test accounts in the shared auth dir before the OMS nodes load it.
    edge = await startRelay([], { role: 'edge', natsUrls: [nats.url], authDir }, opened.upstream);
    registerClusterMetrics(edge.metrics.registry, 'edge', { feed: opened.feed, orders: opened.orders });
    const a = startOmsProcess(nats.url, fake, authDir, 'oms-a');
    await a.ready;
    const b = startOmsProcess(nats.url, fake, authDir, 'oms-b');
    await until(() => opened.feed.ready, 15_000, 'the edge ready');

    const c = await ProtoClient.connect(edge.url);
    const welcome = c.received.find((m) => m.type === 'welcome') as Extract<ServerMsg, { type: 'welcome' }>;
    const inst = welcome.instruments.find((i) => i.venue === 'binance')!;
    c.send({ type: 'subscribe', requestId: 1, streamIds: [inst.streamId], symbols: [] });
    const snap = await c.next((m) => m.type === 'bookSnapshot' && m.streamId === inst.streamId);
    if (snap.type !== 'bookSnapshot') throw new Error('no snapshot');
    const bid = snap.bids.price[0]!;
    const ask = snap.asks.price[0]!;

    // A steady flow: resting bids far from the market, and every third a marketable IOC that fills.
    let n = 0;
    const refused = new Map<string, string>();
    const order = (k: number): NewOrderMsg => {
      const taking = k % 3 === 0;
      return {
        type: 'newOrder', requestId: 1000 + k, clientOrderId: `f-${k}`, symbol: 'BTC-USDT', venue: 'binance', side: Side.Buy, orderType: OrderType.Limit,
        timeInForce: taking ? TimeInForce.IOC : TimeInForce.GTC, price: taking ? ask + 100 : bid - 500 - k, qty: 100 + k, postOnly: false, algo: Algo.None, displayQty: 0, durationMs: 0,
      };
    };
    const timer = setInterval(() => c.send(order(++n)), 25);
    const acked = () => new Set(reportsOf(c).map((r) => r.clientOrderId));
    const fillsSeen = () => reportsOf(c).filter((r) => r.tradeId > 0);
    try {
      await until(() => acked().size > 20 && fillsSeen().length > 2, 30_000, 'orders and fills acknowledged by the active').catch((err) => {
        throw new Error(`${(err as Error).message}; the client got ${reportsOf(c).length} reports; oms-a (exit ${a.proc.exitCode}) said ${a.output()}`);
      });
      a.proc.kill('SIGKILL');
      const ackedBeforeKill = acked();
      const fillsBeforeKill = fillsSeen().map((r) => r.tradeId);
      const sentAtKill = n;
      // The standby takes over within the lease (1 s) plus its start; orders keep coming meanwhile.
      const url = await b.ready;
      await until(() => reportsOf(c).filter((r) => Number(r.clientOrderId.slice(2)) > sentAtKill).length >= 5, 30_000, 'orders acknowledged by the new active');
      clearInterval(timer);
      await new Promise((r) => setTimeout(r, 300));
      for (const m of c.received) if (m.type === 'error') refused.set(`f-${m.requestId - 1000}`, m.code);

      const token = tokenOf(edge.url);
      const get = async <T>(path: string) => (await (await fetch(`${edge.url}${path}`, { headers: { authorization: `Bearer ${token}` } })).json()) as T;
      const orders = (await get<{ orders: { clientOrderId: string; status: number; venue: string }[] }>('/api/orders')).orders;
      const byId = new Map(orders.map((o) => [o.clientOrderId, o]));
      // Nothing acknowledged lost: every order the client saw a report of before the kill.
      for (const id of ackedBeforeKill) expect(byId.has(id), `acknowledged order ${id} on the standby`).toBe(true);
      const fills = (await get<{ fills: { tradeId: number }[] }>('/api/fills')).fills.map((f) => f.tradeId);
      for (const t of fillsBeforeKill) expect(fills, `fill ${t} on the standby`).toContain(t);
      // Nothing sent twice to the exchange, and the standby's open orders are the exchange's.
      expect(new Set(fake.placed).size).toBe(fake.placed.length);
      const openAtVenue = [...fake.orders.values()].filter((o) => o.info.status === 'NEW' || o.info.status === 'PARTIALLY_FILLED').length;
      const open = (await get<{ orders: unknown[] }>('/api/orders?open=true')).orders.length;
      expect(open).toBe(openAtVenue);
      // Refused for want of an OMS: never taken (OMS_UNAVAILABLE), or said so (OMS_TIMEOUT).
      for (const [id, code] of refused) {
        if (code === ClusterOrderCode.OMS_UNAVAILABLE) expect(byId.has(id), `${id} refused as not taken`).toBe(false);
      }
      expect(url).toMatch(/^http:/);

      // An order the killed node placed, still resting, is canceled through the new active.
      const resting = orders.find((o) => ackedBeforeKill.has(o.clientOrderId) && o.status === OrderStatus.Accepted);
      expect(resting, 'a resting order from before the kill').toBeDefined();
      const before = c.received.length;
      c.send({ type: 'cancelOrder', requestId: 99, clientOrderId: 'cx-1', origClientOrderId: resting!.clientOrderId });
      await until(() => reportsOf(c).some((r) => r.clientOrderId === resting!.clientOrderId && r.status === OrderStatus.Canceled), 10_000, 'the cancel through the new active').catch((err) => {
        throw new Error(`${(err as Error).message}; after the cancel the client got ${JSON.stringify(c.received.slice(before).filter((m) => m.type === 'error' || m.type === 'executionReport'))}; oms-b said ${b.output()}`);
      });
      // The new active handed its open orders back before anything at the venue counted as unknown.
      expect(b.output()).not.toContain('VENUE_UNKNOWN_ORDER');
      expect(fake.orders.get([...fake.orders.keys()].find((k) => k.endsWith(`-${resting!.orderId}`))!)?.info.status).toBe('CANCELED');
    } finally {
      clearInterval(timer);
      c.close();
    }
  }, 90_000);
});
