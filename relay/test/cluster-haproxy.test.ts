import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Algo, BookStream, OrderStatus, OrderType, Side, TimeInForce, decodeServer, type ExecutionReportMsg } from '@tickmesh/shared';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOmsNode, type MdPublisher, type OmsService } from '../src/cluster/index';
import type { Relay } from '../src/server/relay-server';
import { SimVenue } from '../src/venues/sim/index';
import { HaproxyKit, haproxyBinary } from './haproxy-kit';
import { ProtoClient, startRelay, tokenOf, until } from './harness';
import { NatsKit, freePort, natsServerBinary } from './nats-kit';

/**
 * HAProxy in front of two edge processes (the bundle npm start runs) fed by one OMS node
 * through NATS. Clients through HAProxy land on both edges and hold the OMS node's books; an
 * edge killed -9 under that load loses its clients, who reconnect through HAProxy to the other
 * edge, resync and trade on.
 */
const nats = natsServerBinary();
const haproxy = haproxyBinary();
if (!nats || !haproxy) console.warn('cluster-haproxy.test.ts skipped: needs nats-server and haproxy (scripts/ensure-system-deps.sh installs them)');

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const STREAM = 1;

/** One client's book as it applies the frames, and the checksum it had at each seq. */
class Watch {
  readonly book = new BookStream(STREAM);
  readonly checksums = new Map<number, number>();
  constructor(readonly client: ProtoClient) {
    client.ws.on('message', (raw: Buffer) => {
      const r = decodeServer(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength));
      if (!r.ok) return;
      const m = r.value;
      const res = m.type === 'bookSnapshot' && m.streamId === STREAM ? this.book.applySnapshot(m) : m.type === 'bookBatch' && m.streamId === STREAM ? this.book.applyBatch(m) : undefined;
      if (res?.action === 'applied') this.checksums.set(this.book.seq, this.book.book.checksum());
    });
  }
  /** Seqs from `from` on at which both had a checksum, each equal (at least `min` of them). */
  agreesWith(other: Watch, from: number, min: number): boolean {
    const common = [...this.checksums.keys()].filter((s) => s >= from && other.checksums.has(s));
    return common.length >= min && common.every((s) => this.checksums.get(s) === other.checksums.get(s));
  }
}

function startEdge(port: number, natsUrl: string, authDir: string, name: string): { proc: ChildProcess; ready: Promise<void> } {
  const dataDir = mkdtempSync(join(tmpdir(), `tickmesh-${name}-`));
  const proc = spawn(process.execPath, [join(root, 'relay/dist/main.js'), '--role', 'edge', '--nats-url', natsUrl, '--port', String(port), '--data-dir', dataDir, '--auth-dir', authDir, '--log-level', 'warn'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-8000)));
  const ready = new Promise<void>((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => {
      out = (out + d.toString()).slice(-8000);
      if (out.includes('Tickmesh edge ready')) resolve();
    });
    proc.once('exit', (c, signal) => reject(new Error(`${name} exited ${c ?? signal}: ${out}`)));
  });
  ready.catch(() => {});
  return { proc, ready };
}

async function sessionsOn(port: number): Promise<number> {
  const r = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
  return r ? ((await r.json()) as { sessions: number }).sessions : -1;
}

describe.skipIf(!nats || !haproxy)('cluster: HAProxy in front of two edges; one edge killed -9', () => {
  let natsKit: NatsKit;
  let oms: Relay;
  let publisher: MdPublisher;
  let service: OmsService;
  let proxy: HaproxyKit;
  const edges: { proc: ChildProcess; port: number }[] = [];
  const clients: ProtoClient[] = [];

  beforeAll(async () => {
    natsKit = await NatsKit.start(nats!);
    const authDir = mkdtempSync(join(tmpdir(), 'tickmesh-cluster-auth-'));
    oms = await startRelay([new SimVenue({ id: 'sim-a', seed: 5, symbols: ['BTC-USD'], updatesPerSecond: 300 })], { flushMs: 10, role: 'oms', natsUrls: [natsKit.url], authDir });
    ({ publisher, service } = await startOmsNode(oms.options, oms, pino({ level: 'silent' })));
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const e = startEdge(port, natsKit.url, authDir, `edge-${i + 1}`);
      edges.push({ proc: e.proc, port });
      await e.ready;
    }
    proxy = await HaproxyKit.start(haproxy!, await freePort(), edges.map((e, i) => ({ name: `edge${i + 1}`, port: e.port })));
    // Both edges healthy in HAProxy's eyes (their /readyz says the md snapshots are there).
    for (const e of edges) await readyOn(e.port);
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    proxy?.stop();
    for (const e of edges) e.proc.kill('SIGKILL');
    await service?.close();
    await publisher?.close();
    await oms?.stop();
    await natsKit?.kill();
  });

  it('clients through HAProxy spread over both edges with the OMS node books; an edge killed -9: its clients reconnect to the other, resync and trade', async () => {
    const token = tokenOf(oms.url);
    const onOms = new Watch(await ProtoClient.connect(oms.url, {}, token));
    onOms.client.send({ type: 'subscribe', requestId: 1, streamIds: [STREAM], symbols: [] });
    const watches: Watch[] = [];
    for (let i = 0; i < 4; i++) {
      const c = await ProtoClient.connect(proxy.url, {}, token);
      clients.push(c);
      const w = new Watch(c);
      c.send({ type: 'subscribe', requestId: 1, streamIds: [STREAM], symbols: [] });
      watches.push(w);
    }
    clients.push(onOms.client);
    // Round robin: both edges hold clients.
    const counts = await Promise.all(edges.map((e) => sessionsOn(e.port)));
    expect(counts.every((n) => n >= 1), `sessions per edge ${counts}`).toBe(true);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(4);
    const from = onOms.book.seq;
    await until(() => watches.every((w) => w.agreesWith(onOms, from, 50)), 15_000, 'every client with the OMS node book at 50 common seqs');

    // Kill -9 the edge holding the most clients: its clients lose their socket.
    const victim = counts[0] >= counts[1] ? 0 : 1;
    const lost = counts[victim];
    edges[victim].proc.kill('SIGKILL');
    await until(() => clients.filter((c) => c.closeCode !== undefined).length === lost, 10_000, 'the dead edge clients closed');
    const reconnected: Watch[] = [];
    for (const w of watches.filter((x) => x.client.closeCode !== undefined)) {
      // What the PWA does: reconnect to the same address (HAProxy), subscribe again.
      const c = await ProtoClient.connect(proxy.url, {}, token);
      clients.push(c);
      const again = new Watch(c);
      c.send({ type: 'subscribe', requestId: 2, streamIds: [STREAM], symbols: [] });
      reconnected.push(again);
    }
    expect(reconnected.length).toBe(lost);
    expect(await sessionsOn(edges[1 - victim].port)).toBe(4);
    const after = onOms.book.seq;
    await until(() => reconnected.every((w) => w.book.isLive && w.agreesWith(onOms, after, 30)), 15_000, 'the reconnected clients resynced to the OMS node book');

    // And they trade on: an order through the surviving edge fills; every session of the account hears it.
    const trader = reconnected[0].client;
    trader.send({
      type: 'newOrder', requestId: 7, clientOrderId: 'after-failover', symbol: 'BTC-USD', venue: '', side: Side.Buy, orderType: OrderType.Market,
      timeInForce: TimeInForce.IOC, price: 0, qty: 3, postOnly: false, algo: Algo.None, displayQty: 0, durationMs: 0,
    });
    const filled = (c: ProtoClient) => c.received.some((m) => m.type === 'executionReport' && (m as ExecutionReportMsg).clientOrderId === 'after-failover' && (m as ExecutionReportMsg).status === OrderStatus.Filled);
    await until(() => filled(trader) && filled(onOms.client), 10_000, 'the fill on the new edge and on the OMS node');
  }, 90_000);

  async function readyOn(port: number): Promise<void> {
    const start = Date.now();
    while ((await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status, () => 0)) !== 200) {
      if (Date.now() - start > 15_000) throw new Error(`edge on ${port} not ready`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // HAProxy's checks run every 200 ms: give it one round to see the edge up.
    await new Promise((r) => setTimeout(r, 500));
  }
});
