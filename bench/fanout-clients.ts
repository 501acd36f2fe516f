/**
 * One load process of the fan-out benches (forked by fanout-run.ts, several at once so no
 * single client process is the bottleneck): opens N lightweight WebSocket clients
 * (fanout-raw-ws.ts) to one server, subscribes each, and between the parent's `start` and
 * `stop` counts every message and reads each one's publish time straight from its bytes (the
 * protobuf frame's trailing time_us, or the JSON text's first "timeUs") without decoding it.
 * Each connection's first batch is also fully decoded once, to check that the shortcut reads
 * the same time the real decoder does.
 *
 * Kinds: `tickmesh` (the relay's /ws, protobuf), `socketio` (engine.io v4 over WebSocket, the
 * frames socket.io-client would get), `ws-json` (plain ws, one JSON text per message).
 */
import { decodeServer, encodeClient } from '@tickmesh/shared';
import { LatencyHistogram, RawWsClient, jsonTimeUs, protoBatchTimeUs } from './fanout-raw-ws';

export type ServerKind = 'tickmesh' | 'socketio' | 'ws-json';

export interface ClientProcessConfig {
  kind: ServerKind;
  /** http://host:port of the server under test. */
  url: string;
  /** Relay access token (tickmesh only). */
  token?: string;
  connections: number;
  symbols: string[];
  /** Connections opened at a time (keeps the accept backlog from overflowing). */
  concurrency: number;
}

export type ParentMessage = { type: 'start' } | { type: 'stop' } | { type: 'exit' };

export interface ClientReady {
  type: 'ready';
  opened: number;
  failed: number;
  firstError?: string;
  /** Connections that received market data before the parent was told ready. */
  receiving: number;
}

export interface ClientStats {
  type: 'stats';
  deliveries: number;
  bytes: number;
  seconds: number;
  cpuSeconds: number;
  hist: number[];
  maxUs: number;
  /** Connections whose first batch was decoded in full and agreed with the shortcut. */
  verified: number;
  mismatched: number;
  frameErrors: number;
  closed: number;
}

const cfg = JSON.parse(process.argv[2]!) as ClientProcessConfig;
const target = new URL(cfg.url);
const host = target.hostname;
const port = Number(target.port);

let measuring = false;
let deliveries = 0;
let bytes = 0;
let verified = 0;
let mismatched = 0;
let receiving = 0;
let hist = new LatencyHistogram();
const clients: RawWsClient[] = [];

function nowUs(): number {
  return (performance.timeOrigin + performance.now()) * 1000;
}

function fullDecodeTimeUs(buf: Buffer, start: number, end: number): number {
  if (cfg.kind === 'tickmesh') {
    const r = decodeServer(new Uint8Array(buf.buffer, buf.byteOffset + start, end - start));
    return r.ok && r.value.type === 'bookBatch' ? r.value.timeUs : -1;
  }
  const text = buf.toString('utf8', start, end);
  const msg = JSON.parse(cfg.kind === 'socketio' ? text.slice(2) : text) as unknown;
  const body = (cfg.kind === 'socketio' ? (msg as unknown[])[1] : msg) as { timeUs?: number };
  return body.timeUs ?? -1;
}

function openOne(): Promise<void> {
  let checked = false;
  let gotData = false;
  let subscribed: () => void = () => {};
  const ready = new Promise<void>((r) => (subscribed = r));
  const timeOf = cfg.kind === 'tickmesh' ? protoBatchTimeUs : jsonTimeUs;
  const marketData = (buf: Buffer, start: number, end: number): void => {
    if (!gotData) {
      gotData = true;
      receiving++;
    }
    const t = timeOf(buf, start, end);
    if (t > 0 && !checked) {
      checked = true;
      if (fullDecodeTimeUs(buf, start, end) === t) verified++;
      else mismatched++;
    }
    if (!measuring) return;
    deliveries++;
    bytes += end - start;
    if (t > 0) hist.add(nowUs() - t);
  };
  const c = new RawWsClient((buf, start, end, binary) => {
    if (cfg.kind !== 'socketio') {
      // Tickmesh: Welcome, Subscribed and snapshots count as deliveries too (as the old bench
      // did); they are a handful per connection.
      if (binary || cfg.kind === 'ws-json') marketData(buf, start, end);
      return;
    }
    // engine.io v4 packets: 0 open, 2 ping, 4 message; socket.io: 40 connect, 42 event.
    const t0 = buf[start]!;
    if (t0 === 0x34 && buf[start + 1] === 0x32) marketData(buf, start, end);
    else if (t0 === 0x32) c.sendText('3');
    else if (t0 === 0x30) c.sendText('40');
    else if (t0 === 0x34 && buf[start + 1] === 0x30) {
      c.sendText(`42${JSON.stringify(['subscribe', cfg.symbols])}`);
      subscribed();
    }
  });
  clients.push(c);
  const path = cfg.kind === 'tickmesh' ? `/ws?access_token=${cfg.token}` : cfg.kind === 'socketio' ? '/socket.io/?EIO=4&transport=websocket' : '/';
  return c.open(host, port, path).then(() => {
    if (cfg.kind === 'tickmesh') {
      c.sendBinary(encodeClient({ type: 'subscribe', requestId: 1, streamIds: [], symbols: cfg.symbols }));
      subscribed();
    } else if (cfg.kind === 'ws-json') {
      c.sendText(JSON.stringify({ type: 'subscribe', symbols: cfg.symbols }));
      subscribed();
    }
    return ready;
  });
}

let opened = 0;
let failed = 0;
let firstError: string | undefined;
for (let i = 0; i < cfg.connections; i += cfg.concurrency) {
  const batch = Array.from({ length: Math.min(cfg.concurrency, cfg.connections - i) }, () =>
    openOne().then(
      () => void opened++,
      (e: unknown) => {
        failed++;
        firstError ??= e instanceof Error ? e.message : String(e);
      },
    ),
  );
  await Promise.all(batch);
}
// Give the last subscriptions their first market data before reporting.
for (let waited = 0; receiving < opened && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
process.send!({ type: 'ready', opened, failed, firstError, receiving } satisfies ClientReady);

let cpu0 = process.cpuUsage();
let t0 = performance.now();
process.on('message', (m: ParentMessage) => {
  if (m.type === 'start') {
    deliveries = 0;
    bytes = 0;
    hist = new LatencyHistogram();
    cpu0 = process.cpuUsage();
    t0 = performance.now();
    measuring = true;
  } else if (m.type === 'stop') {
    measuring = false;
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const stats: ClientStats = {
      type: 'stats',
      deliveries,
      bytes,
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      hist: hist.sparse(),
      maxUs: hist.maxUs,
      verified,
      mismatched,
      frameErrors: clients.reduce((n, c) => n + c.errors, 0),
      closed: clients.filter((c) => c.closed).length,
    };
    process.send!(stats);
  } else if (m.type === 'exit') {
    for (const c of clients) c.destroy();
    process.exit(0);
  }
});
