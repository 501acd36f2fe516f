import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readSync, writeSync, closeSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Algo, OrderStatus, OrderType, Side, TimeInForce, type ExecutionReportMsg, type Order } from '@tickmesh/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { ProtoClient, until } from './harness';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const running: ChildProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
});

/** Starts `npm start`'s relay (the bundle `npm test` builds first: no transpiling at each start) as its own process; resolves with its URL and a trader token. */
async function startProcess(dataDir: string): Promise<{ proc: ChildProcess; url: string; token: string }> {
  const proc = spawn(process.execPath, [join(root, 'relay/dist/main.js'), '--port', '0', '--data-dir', dataDir, '--log-level', 'warn', '--seed', '9'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(proc);
  let out = '';
  const { url, code } = await new Promise<{ url: string; code: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`relay did not start: ${out}`)), 20_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /Open (http:\/\/[^/\s]+)\/\?login=(\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1]!, code: m[2]! });
      }
    });
    proc.on('exit', (c) => reject(new Error(`relay exited ${c}: ${out}`)));
  });
  const res = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
  const { token } = (await res.json()) as { token: string };
  return { proc, url, token };
}

async function get<T>(url: string, token: string, path: string): Promise<T> {
  return (await (await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } })).json()) as T;
}

const terminal = new Set<number>([OrderStatus.Filled, OrderStatus.Canceled, OrderStatus.Denied, OrderStatus.Rejected, OrderStatus.Expired]);

describe('crash safety', () => {
  it('a SIGKILLed relay restarts with every acknowledged order and fill; a flipped journal byte stops it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tickmesh-crash-'));
    const first = await startProcess(dataDir);
    const c = await ProtoClient.connect(first.url, {}, first.token);
    c.send({ type: 'subscribe', requestId: 1, streamIds: [], symbols: ['BTC-USD'] });
    const snap = await c.next((m) => m.type === 'bookSnapshot');
    if (snap.type !== 'bookSnapshot') throw new Error('no snapshot');
    const bid = snap.bids.price[0]!;
    const ask = snap.asks.price[0]!;

    // A steady stream: resting bids far from the market and small marketable IOCs that fill.
    let n = 0;
    const timer = setInterval(() => {
      n++;
      const taking = n % 3 === 0;
      c.send({
        type: 'newOrder', requestId: n, clientOrderId: `c-${n}`, symbol: 'BTC-USD', venue: taking ? '' : 'sim-a', side: Side.Buy,
        orderType: OrderType.Limit, timeInForce: taking ? TimeInForce.IOC : TimeInForce.GTC, price: taking ? ask + 100 : bid - 200 - n,
        qty: 1 + (n % 4), postOnly: false, algo: Algo.None, displayQty: 0, durationMs: 0,
      });
    }, 15);
    // Crash in the middle of the flow, once enough is acknowledged to matter: waited for, not
    // timed (a loaded machine acknowledges fewer orders in any fixed window).
    const ackedSoFar = () => {
      const ids = new Set<string>();
      let trades = 0;
      for (const m of c.received) if (m.type === 'executionReport') ids.add(m.orderId), (trades += m.execType === 2 && m.tradeId > 0 ? 1 : 0);
      return ids.size > 25 && trades > 0;
    };
    try {
      await until(ackedSoFar, 30_000, 'some orders and a fill acknowledged');
    } finally {
      clearInterval(timer);
    }
    first.proc.kill('SIGKILL');
    await new Promise((r) => first.proc.once('exit', r));

    // What the client was told before the crash: the acknowledged truth.
    const acked = new Map<string, ExecutionReportMsg>();
    const ackedTrades = new Set<number>();
    for (const m of c.received) {
      if (m.type !== 'executionReport') continue;
      acked.set(m.orderId, m);
      if (m.execType === 2 && m.tradeId > 0) ackedTrades.add(m.tradeId);
    }
    expect(acked.size).toBeGreaterThan(20);
    expect(ackedTrades.size).toBeGreaterThan(0);

    const second = await startProcess(dataDir);
    const { orders } = await get<{ orders: Order[] }>(second.url, second.token, '/api/orders');
    const { fills } = await get<{ fills: Array<{ tradeId: number }> }>(second.url, second.token, '/api/fills');
    const byId = new Map(orders.map((o) => [o.orderId, o]));
    for (const [id, last] of acked) {
      const o = byId.get(id);
      expect(o, `order ${id}`).toBeDefined();
      expect(o!.filledQty).toBeGreaterThanOrEqual(last.filledQty);
      if (terminal.has(last.status)) expect(o!.status).toBe(last.status);
      // Orders open at the crash: their venue session is gone, so they are closed, never lost.
      else expect([OrderStatus.Canceled, OrderStatus.Filled]).toContain(o!.status);
    }
    const fillIds = new Set(fills.map((f) => f.tradeId));
    for (const t of ackedTrades) expect(fillIds.has(t)).toBe(true);
    second.proc.kill('SIGTERM');
    await new Promise((r) => second.proc.once('exit', r));

    // Tamper: flip one byte in the middle of the journal. The relay must refuse to start.
    const file = join(dataDir, 'journal.tmj');
    const fd = openSync(file, 'r+');
    const at = Math.floor(statSync(file).size / 2);
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, at);
    b[0] ^= 0x20;
    writeSync(fd, b, 0, 1, at);
    closeSync(fd);
    const third = spawn(process.execPath, [join(root, 'relay/dist/main.js'), '--port', '0', '--data-dir', dataDir, '--log-level', 'warn'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    running.push(third);
    let err = '';
    third.stderr!.on('data', (d: Buffer) => (err += d));
    const exitCode = await new Promise<number | null>((r) => third.once('exit', r));
    expect(exitCode).not.toBe(0);
    expect(err).toMatch(/JOURNAL_(CORRUPT|CHAIN_BROKEN)/);
  }, 60_000);
});
