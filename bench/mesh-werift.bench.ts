/**
 * Relay market-data egress with and without the WebRTC mesh: the real relay in-process (sim
 * venues, auth), first N plain WebSocket clients on one symbol for S seconds (the relay's
 * direct market-data bytes from its metrics), then N headless werift peers (the mesh-load
 * tool's MeshFleet: peerjs client + negotiated data channel 99 + MeshNode, as in the browser)
 * measuring direct + mesh bytes. One-hop added latency is child first receive minus parent
 * first receive of the same seq (all peers share this process's clock).
 *
 * MESH_BENCH_CLIENTS (default 20) and MESH_BENCH_SECONDS (default 15) override the sizes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeServer, encodeClient } from '@tickmesh/shared';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import { AuthService } from '../relay/src/server/auth/index';
import { defaultRelayOptions } from '../relay/src/server/options';
import { Relay } from '../relay/src/server/relay-server';
import { defaultSimVenues } from '../relay/src/venues/sim/index';
import { MeshFleet, percentile } from '../scripts/mesh-load/fleet';
import { fetchEgress, wsUrl, type EgressCounters } from '../scripts/mesh-load/relay-api';
import { printTable, type BenchRow } from './table';

const CLIENTS = Number(process.env.MESH_BENCH_CLIENTS ?? 20);
const SECONDS = Number(process.env.MESH_BENCH_SECONDS ?? 15);
const WARMUP_MS = 3000;
const SYMBOL = 'BTC-USD';
/** Simulated order-flow actions per second per instrument; flush every 20 ms. Kept moderate: 20 werift stacks share this process. */
const SIM_RATE = 200;
const FLUSH_MS = 20;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// Hard stop: the bench must end by itself whatever werift does.
const watchdog = setTimeout(() => {
  console.error('mesh-werift bench: watchdog fired');
  process.exit(1);
}, (SECONDS * 2 + 90) * 1000);
watchdog.unref();

async function startRelay(): Promise<{ relay: Relay; token: string; tokens: string[] }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tickmesh-bench-'));
  const { auth } = await AuthService.open(dataDir);
  const grant = await auth.issueToken((await auth.createAccount({ account: 'bench', role: 'trader' })).apiKey);
  if (!grant.ok) throw new Error(grant.reason.code);
  const relay = new Relay(
    { ...defaultRelayOptions, port: 0, flushMs: FLUSH_MS, simRate: SIM_RATE, compression: false, logLevel: 'silent', heartbeatMs: 60_000, dataDir },
    { venues: defaultSimVenues({ seed: 7, updatesPerSecond: SIM_RATE }), auth, logger: pino({ level: 'silent' }), defaultMetrics: false },
  );
  await relay.start();
  // One account per mesh peer, as browsers of different users (signalling caps PeerJS ids per account).
  const tokens: string[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const g = await auth.issueToken((await auth.createAccount({ account: `peer${i}`, role: 'trader' })).apiKey);
    if (!g.ok) throw new Error(g.reason.code);
    tokens.push(g.value.token);
  }
  return { relay, token: grant.value.token, tokens };
}

const mdBytes = (e: EgressCounters) => e.directBytes + e.meshFrameBytes + e.meshControlBytes;

async function directMode(url: string, token: string): Promise<{ bytesPerSec: number; batches: number }> {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const ws = new WebSocket(wsUrl(url, '/ws', token));
    await new Promise<void>((resolve, reject) => (ws.once('open', () => resolve()), ws.once('error', reject)));
    ws.send(encodeClient({ type: 'subscribe', requestId: 1, streamIds: [], symbols: [SYMBOL] }));
    sockets.push(ws);
  }
  let batches = 0;
  sockets[0]!.on('message', (d: Buffer) => {
    const m = decodeServer(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
    if (m.ok && m.value.type === 'bookBatch') batches++;
  });
  await sleep(WARMUP_MS);
  const e0 = await fetchEgress(url);
  const b0 = batches;
  const t0 = performance.now();
  await sleep(SECONDS * 1000);
  const e1 = await fetchEgress(url);
  const secs = (performance.now() - t0) / 1000;
  for (const ws of sockets) ws.close();
  return { bytesPerSec: (mdBytes(e1) - mdBytes(e0)) / secs, batches: (batches - b0) / secs };
}

async function meshMode(url: string, tokens: string[]) {
  const fleet = await MeshFleet.start({ url, tokens, peers: CLIENTS, symbol: SYMBOL, onError: (e) => console.error(`peer failed: ${e instanceof Error ? e.message : String(e)}`) });
  await sleep(WARMUP_MS);
  const e0 = await fetchEgress(url);
  const t0x = fleet.totals();
  fleet.hopMs.length = 0;
  const t0 = performance.now();
  await sleep(SECONDS * 1000);
  const e1 = await fetchEgress(url);
  const secs = (performance.now() - t0) / 1000;
  const t = fleet.totals();
  const hops = [...fleet.hopMs];
  fleet.close();
  return {
    peers: t.peers,
    bytesPerSec: (mdBytes(e1) - mdBytes(e0)) / secs,
    directPerSec: (e1.directBytes - e0.directBytes) / secs,
    p50: percentile(hops, 50),
    p99: percentile(hops, 99),
    hops: hops.length,
    dupPerMsg: t.firstCopies - t0x.firstCopies > 0 ? (t.duplicates - t0x.duplicates) / (t.firstCopies - t0x.firstCopies) : NaN,
    fed: t.fed,
    rejected: t.rejected,
    resyncs: t.resyncs,
  };
}

const { relay, token, tokens } = await startRelay();
try {
  const direct = await directMode(relay.url, token);
  await sleep(1000);
  const mesh = await meshMode(relay.url, tokens);
  const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : 'n/a');
  const rows: BenchRow[] = [
    { mode: 'direct /ws', clients: CLIENTS, 'relay md bytes/s': Math.round(direct.bytesPerSec), 'ratio vs direct': '1.00', 'one-hop p50 ms': '', 'p99 ms': '', 'duplicates/msg': '' },
    {
      mode: 'werift mesh', clients: mesh.peers, 'relay md bytes/s': Math.round(mesh.bytesPerSec),
      'ratio vs direct': (mesh.bytesPerSec / direct.bytesPerSec).toFixed(2), 'one-hop p50 ms': ms(mesh.p50), 'p99 ms': ms(mesh.p99),
      'duplicates/msg': Number.isFinite(mesh.dupPerMsg) ? mesh.dupPerMsg.toFixed(3) : 'n/a',
    },
  ];
  printTable(
    `Relay market-data egress: ${CLIENTS} direct /ws clients vs ${CLIENTS} werift mesh peers on ${SYMBOL} (${SECONDS} s each, after ${WARMUP_MS / 1000} s warm-up)`,
    rows,
    `relay md bytes = tickmesh_md_direct_bytes_total + tickmesh_mesh_frame_bytes_sent_total + tickmesh_mesh_control_bytes_sent_total; ` +
      `${Math.round(direct.batches)} batches/s on the symbol. Mesh: direct part ${Math.round(mesh.directPerSec)} B/s; ` +
      `streams fed mesh/seed/direct at the end ${mesh.fed.mesh}/${mesh.fed.seed}/${mesh.fed.direct}; ${mesh.hops} hop samples; rejected ${mesh.rejected}; resyncs ${mesh.resyncs}. ` +
      'All peers, their werift stacks and the relay share one process.',
  );
} finally {
  await relay.stop().catch(() => {});
}
process.exit(0);
