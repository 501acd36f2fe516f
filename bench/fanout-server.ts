/**
 * The server side of the fan-out benches, in a process of its own (forked by fanout-run.ts) so
 * its CPU is measured alone and `--cpu-prof` can be put on it (FANOUT_CPU_PROF=dir).
 *
 * Every kind runs the same relay with the same simulated venues (same seed, same rate), so the
 * market data, and the cost of making it, are the same for all of them:
 * - `tickmesh`: clients connect to the relay's own /ws (protobuf, encoded once per batch).
 * - `socketio`: socket.io 4 on its own port, one room per stream; every relay batch goes out
 *   as `io.to(room).emit('batch', json)` (socket.io encodes a broadcast once).
 * - `ws-json`: a plain `ws` server; every relay batch is JSON.stringify'd for each client and
 *   sent with ws.send, as a straightforward Node server does it.
 * The peers take the relay's batches through the same subscriber interface its sessions use.
 */
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BookBatch } from '@tickmesh/shared';
import { pino } from 'pino';
import { Server as SocketIoServer } from 'socket.io';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EncodedFrame } from '../relay/src/md/encoded-frame';
import type { MdSubscriber } from '../relay/src/md/market-data-service';
import { AuthService } from '../relay/src/server/auth/index';
import { defaultRelayOptions } from '../relay/src/server/options';
import { Relay } from '../relay/src/server/relay-server';
import { defaultSimVenues } from '../relay/src/venues/sim/index';
import type { ServerKind } from './fanout-clients';

export interface ServerConfig {
  kind: ServerKind;
  /** Simulated order-flow actions per second per instrument. */
  simRate: number;
  flushMs: number;
  heartbeatMs: number;
}

export type ServerRequest = { type: 'mem' } | { type: 'start' } | { type: 'stop' } | { type: 'exit' };

export interface ServerListening {
  type: 'listening';
  url: string;
  token: string;
}

export interface ServerMem {
  type: 'mem';
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  sessions: number;
}

export interface ServerStats {
  type: 'stats';
  cpuSeconds: number;
  userSeconds: number;
  systemSeconds: number;
  seconds: number;
  batches: number;
  /** Flush start -> all of its writes handed to the kernel, per flush (µs). */
  fanoutUs: number[];
}

const cfg = JSON.parse(process.argv[2]!) as ServerConfig;

const dataDir = mkdtempSync(join(tmpdir(), 'tickmesh-bench-'));
const { auth } = await AuthService.open(dataDir);
const grant = await auth.issueToken((await auth.createAccount({ account: 'bench', role: 'viewer' })).apiKey);
if (!grant.ok) throw new Error(grant.reason.code);
const relay = new Relay(
  { ...defaultRelayOptions, port: 0, flushMs: cfg.flushMs, simRate: cfg.simRate, compression: false, logLevel: 'silent', heartbeatMs: cfg.heartbeatMs, dataDir },
  { venues: defaultSimVenues({ seed: 7, updatesPerSecond: cfg.simRate }), auth, logger: pino({ level: 'silent' }), defaultMetrics: false },
);
await relay.start();

/** The batch as a JSON-minded Node server would send it: plain arrays, publish time first. */
function batchJson(b: BookBatch): object {
  return {
    timeUs: b.timeUs,
    streamId: b.streamId,
    epoch: b.epoch,
    seq: b.seq,
    bids: { price: Array.from(b.bids.price), size: Array.from(b.bids.size) },
    asks: { price: Array.from(b.asks.price), size: Array.from(b.asks.size) },
    trades: b.trades,
    checksum: b.checksum,
    state: b.state,
  };
}

function feed(deliver: (streamId: number, batch: BookBatch) => void): void {
  const sink: MdSubscriber = {
    deliverBatch: (frame: EncodedFrame) => deliver(frame.stream.id, frame.data as BookBatch),
    deliverSnapshot: () => {},
  };
  for (const inst of relay.md.instruments()) relay.md.subscribe(sink, inst.streamId);
}

function streamIdsOf(symbols: unknown): number[] {
  return Array.isArray(symbols) ? symbols.flatMap((s) => relay.md.streamIdsForSymbol(String(s))) : [];
}

let url = relay.url;
let sessions = () => relay.sessionCount;
if (cfg.kind === 'socketio') {
  const http = createServer();
  const io = new SocketIoServer(http, { serveClient: false, transports: ['websocket'], pingInterval: cfg.heartbeatMs });
  io.on('connection', (socket) => {
    socket.on('subscribe', (symbols: unknown) => {
      for (const id of streamIdsOf(symbols)) void socket.join(`s${id}`);
    });
  });
  feed((id, batch) => io.to(`s${id}`).emit('batch', batchJson(batch)));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  sessions = () => io.engine.clientsCount;
} else if (cfg.kind === 'ws-json') {
  const http = createServer();
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  const subs = new Map<number, Set<WebSocket>>();
  wss.on('connection', (ws) => {
    const mine: number[] = [];
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { type?: string; symbols?: unknown };
      if (msg.type !== 'subscribe') return;
      for (const id of streamIdsOf(msg.symbols)) {
        let set = subs.get(id);
        if (!set) subs.set(id, (set = new Set()));
        set.add(ws);
        mine.push(id);
      }
    });
    ws.on('close', () => {
      for (const id of mine) subs.get(id)?.delete(ws);
    });
  });
  feed((id, batch) => {
    const set = subs.get(id);
    if (!set) return;
    const obj = batchJson(batch);
    for (const ws of set) ws.send(JSON.stringify(obj));
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  sessions = () => wss.clients.size;
}

/**
 * Wall time of each flush from its start to the end of the tick it runs in, after every
 * session's corked writes went to the kernel (they are released by process.nextTick), i.e.
 * how long the last subscriber's bytes wait for the fan-out itself.
 */
const fanoutUs: number[] = [];
const flush = relay.md.flush.bind(relay.md);
relay.md.flush = () => {
  const t = performance.now();
  flush();
  process.nextTick(() => fanoutUs.push((performance.now() - t) * 1000));
};

const batchesNow = async () => (await relay.metrics.mdBatches.get()).values[0]?.value ?? 0;
let cpu0 = process.cpuUsage();
let t0 = performance.now();
let batches0 = 0;
process.on('message', (m: ServerRequest) => {
  void (async () => {
    if (m.type === 'mem') {
      // Twice: the first collection can leave finalizers for the second.
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      gc?.();
      const u = process.memoryUsage();
      process.send!({ type: 'mem', rss: u.rss, heapUsed: u.heapUsed, external: u.external, arrayBuffers: u.arrayBuffers, sessions: sessions() } satisfies ServerMem);
    } else if (m.type === 'start') {
      batches0 = await batchesNow();
      fanoutUs.length = 0;
      cpu0 = process.cpuUsage();
      t0 = performance.now();
    } else if (m.type === 'stop') {
      const cpu = process.cpuUsage(cpu0);
      const seconds = (performance.now() - t0) / 1000;
      const batches = (await batchesNow()) - batches0;
      process.send!({ type: 'stats', cpuSeconds: (cpu.user + cpu.system) / 1e6, userSeconds: cpu.user / 1e6, systemSeconds: cpu.system / 1e6, seconds, batches, fanoutUs } satisfies ServerStats);
    } else if (m.type === 'exit') {
      // No graceful close: the clients are told to go by their own parent. process.exit still
      // writes a --cpu-prof profile.
      process.exit(0);
    }
  })();
});
process.send!({ type: 'listening', url, token: grant.value.token } satisfies ServerListening);
