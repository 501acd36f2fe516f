import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Algo, OrderStatus, OrderType, Side, TimeInForce, type ExecutionReportMsg, type Order } from '@tickmesh/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { reconnectDelayMs } from '../../web/src/workers/reconnect-backoff';
import { ProtoClient, until } from './harness';

/**
 * The drain a Kubernetes rollout or node drain does (deploy/k8s: preStop, then SIGTERM), on two
 * real relay processes that share the token key and accounts as the StatefulSet's replicas do:
 * SIGTERM to the first with 200 clients connected and orders in flight. Every client gets 1001
 * SESSION_SHUTTING_DOWN and gets back in on the second relay at its first reconnect attempt;
 * the first exits cleanly, and restarted on its volume it still has every acknowledged order.
 */
const root = join(import.meta.dirname, '../..');
const CLIENTS = 200;
const running: ChildProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
});

/** A relay process (`npm start`'s bundle, which `npm test` builds first: no transpiling at each start) on `dataDir`; resolves with its URL and, on a first run, its login code. */
async function startProcess(dataDir: string): Promise<{ proc: ChildProcess; url: string; code?: string }> {
  const proc = spawn(process.execPath, [join(root, 'relay/dist/main.js'), '--port', '0', '--data-dir', dataDir, '--log-level', process.env.E2E_RELAY_LOG ? 'info' : 'warn', '--seed', '5'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(proc);
  let out = '';
  // E2E_RELAY_LOG=1 shows the relays' logs.
  if (process.env.E2E_RELAY_LOG) for (const s of [proc.stdout!, proc.stderr!]) s.on('data', (d: Buffer) => process.stderr.write(`relay: ${d}`));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`relay did not start: ${out}`)), 30_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d;
      // serve() prints everything in one write: the URL, then the login line on a first run.
      const url = /(http:\/\/(?:localhost|127\.0\.0\.1):\d+)/.exec(out)?.[1];
      if (!url) return;
      clearTimeout(timer);
      resolve({ proc, url, code: /\?login=(\S+)/.exec(out)?.[1] });
    });
    proc.on('exit', (c) => reject(new Error(`relay exited ${c}: ${out}`)));
  });
}

const exited = (p: ChildProcess) => new Promise<number | null>((r) => (p.exitCode !== null ? r(p.exitCode) : p.once('exit', (c) => r(c))));

describe('graceful drain', () => {
  it('SIGTERM with 200 clients and orders in flight: all get 1001, reconnect to the second relay at once, no acknowledged order is lost', async () => {
    const dirA = mkdtempSync(join(tmpdir(), 'tickmesh-drain-a-'));
    const dirB = mkdtempSync(join(tmpdir(), 'tickmesh-drain-b-'));
    const a = await startProcess(dirA);
    // The second replica shares the token key and the accounts (the init container's seeding).
    for (const f of ['signing-secret', 'accounts.json']) copyFileSync(join(dirA, f), join(dirB, f));
    const b = await startProcess(dirB);
    const res = await fetch(`${a.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: a.code }) });
    const { token } = (await res.json()) as { token: string };
    expect(token).toBeTruthy();
    // The other 199 watch as the admin account: each order's reports go to the trader's
    // account only, as with 200 people of whom one trades.
    const adminKey = /^admin\s+\S+\s+(\S+)$/m.exec(readFileSync(join(dirA, 'credentials.txt'), 'utf8'))![1]!;
    const adminRes = await fetch(`${a.url}/api/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiKey: adminKey }) });
    const watcher = ((await adminRes.json()) as { token: string }).token;
    const tokens = Array.from({ length: CLIENTS }, (_, i) => (i === 0 ? token : watcher));

    const clients: ProtoClient[] = [];
    for (let i = 0; i < CLIENTS; i++) clients.push(await ProtoClient.connect(a.url, {}, tokens[i]));
    const trader = clients[0]!;
    trader.send({ type: 'subscribe', requestId: 1, streamIds: [], symbols: ['BTC-USD'] });
    const snap = await trader.next((m) => m.type === 'bookSnapshot');
    if (snap.type !== 'bookSnapshot') throw new Error('no snapshot');
    const bid = snap.bids.price[0]!;
    const ask = snap.asks.price[0]!;

    // Orders keep going out until the socket closes: some are acknowledged, some in flight.
    let n = 0;
    const flow = setInterval(() => {
      if (trader.closeCode !== undefined) return;
      n++;
      const taking = n % 3 === 0;
      trader.send({
        type: 'newOrder', requestId: 100 + n, clientOrderId: `d-${n}`, symbol: 'BTC-USD', venue: taking ? '' : 'sim-a', side: Side.Buy,
        orderType: OrderType.Limit, timeInForce: taking ? TimeInForce.IOC : TimeInForce.GTC, price: taking ? ask + 100 : bid - 200 - n,
        qty: 1 + (n % 3), postOnly: false, algo: Algo.None, displayQty: 0, durationMs: 0,
      });
    }, 20);
    const acked = () => new Set(trader.received.filter((m) => m.type === 'executionReport').map((m) => (m as ExecutionReportMsg).orderId));
    try {
      await until(() => acked().size > 20, 30_000, 'orders acknowledged');
      // The drain, as the kubelet does it after preStop.
      a.proc.kill('SIGTERM');

      // Each client, told 1001, reconnects after the PWA's first backoff delay to the Service's
      // other endpoint: the second relay. Nobody should need a second attempt.
      const firstAttempt = await Promise.all(
        clients.map(async (c, i) => {
          await c.closed;
          await new Promise((r) => setTimeout(r, reconnectDelayMs(0)));
          try {
            const again = await ProtoClient.connect(b.url, {}, tokens[i]);
            again.close();
            return true;
          } catch {
            return false;
          }
        }),
      );
      expect(firstAttempt.filter(Boolean)).toHaveLength(CLIENTS);
    } finally {
      clearInterval(flow);
    }
    expect(await exited(a.proc)).toBe(0);
    for (const c of clients) {
      expect(c.closeCode).toBe(1001);
      expect(c.closeReason).toBe('SESSION_SHUTTING_DOWN');
    }

    // What the trader was told before the close is the truth the journal must keep.
    const told = new Map<string, ExecutionReportMsg>();
    for (const m of trader.received) if (m.type === 'executionReport') told.set(m.orderId, m);
    expect(told.size).toBeGreaterThan(20);
    const restarted = await startProcess(dirA);
    const { orders } = (await (await fetch(`${restarted.url}/api/orders`, { headers: { authorization: `Bearer ${token}` } })).json()) as { orders: Order[] };
    const byId = new Map(orders.map((o) => [o.orderId, o]));
    const terminal = new Set<number>([OrderStatus.Filled, OrderStatus.Canceled, OrderStatus.Denied, OrderStatus.Rejected, OrderStatus.Expired]);
    for (const [id, last] of told) {
      const o = byId.get(id);
      expect(o, `order ${id}`).toBeDefined();
      expect(o!.filledQty).toBeGreaterThanOrEqual(last.filledQty);
      if (terminal.has(last.status)) expect(o!.status).toBe(last.status);
    }
    restarted.proc.kill('SIGTERM');
    b.proc.kill('SIGTERM');
    expect(await exited(restarted.proc)).toBe(0);
    expect(await exited(b.proc)).toBe(0);
  }, 90_000);
});
