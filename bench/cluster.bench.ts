/**
 * The cluster's market-data path (issue 12): one md node (this process, the simulated venues)
 * publishes each batch once to a real nats-server; 1 or 2 edge processes forward those bytes to
 * their WebSocket clients (fanout-clients.ts, a process per edge). Same input, same total client
 * count: deliveries/s and publish -> client latency through one edge vs two, and the md node's
 * egress to NATS, which is per batch, not per client or edge.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { startMdPublisher } from '../relay/src/cluster/index';
import { AuthService } from '../relay/src/server/auth/index';
import { defaultRelayOptions } from '../relay/src/server/options';
import { Relay } from '../relay/src/server/relay-server';
import { defaultSimVenues } from '../relay/src/venues/sim/index';
import { NatsKit, natsServerBinary } from '../relay/test/nats-kit';
import { printTable, type BenchRow } from './table';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const SIM_RATE = 500;
const CLIENTS = 200;
const WARM_MS = 1500;
const MEASURE_MS = 5000;

const binary = natsServerBinary();
if (!binary) {
  console.log('\n## Cluster fan-out: skipped (nats-server is not installed: apt-get install -y nats-server)');
  process.exit(0);
}

/** An edge process (relay/src/main.ts under tsx, as `--role edge`); resolves with its URL once it serves. */
function startEdge(natsUrl: string, authDir: string): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(root, 'relay/src/main.ts'), '--role', 'edge', '--nats-url', natsUrl, '--port', '0', '--data-dir', mkdtempSync(join(tmpdir(), 'tickmesh-bench-edge-')), '--auth-dir', authDir, '--log-level', 'warn'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /Tickmesh edge ready: (http:\/\/\S+)/.exec(out);
      if (m) resolve({ proc, url: m[1]!.replace('localhost', '127.0.0.1') });
    });
    proc.once('exit', (c) => reject(new Error(`edge exited ${c}: ${out}`)));
  });
}

async function readyz(url: string): Promise<void> {
  for (let i = 0; i < 300 && (await fetch(`${url}/readyz`).then((r) => r.status, () => 0)) !== 200; i++) await new Promise((r) => setTimeout(r, 50));
}

/** Runs fanout-clients.ts against `url` with `n` clients; resolves with its JSON result. */
function clients(url: string, token: string, n: number): Promise<{ deliveries: number; bytes: number; seconds: number; p50Us: number; p99Us: number; maxUs: number; cpuSeconds: number; latencies?: number[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'fanout-clients.ts'), url, token, String(n), String(WARM_MS), String(MEASURE_MS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  return new Promise((resolve) => child.on('exit', () => resolve(JSON.parse(out))));
}

async function run(edgeCount: number, natsUrl: string): Promise<BenchRow> {
  const authDir = mkdtempSync(join(tmpdir(), 'tickmesh-bench-auth-'));
  const { auth } = await AuthService.open(authDir);
  const grant = await auth.issueToken((await auth.createAccount({ account: 'bench', role: 'viewer' })).apiKey);
  if (!grant.ok) throw new Error(grant.reason.code);
  const md = new Relay(
    { ...defaultRelayOptions, role: 'md', natsUrls: [natsUrl], port: 0, flushMs: 10, simRate: SIM_RATE, compression: false, logLevel: 'silent', heartbeatMs: 60_000, dataDir: mkdtempSync(join(tmpdir(), 'tickmesh-bench-md-')), authDir },
    { venues: defaultSimVenues({ seed: 7, updatesPerSecond: SIM_RATE }), auth, logger: pino({ level: 'silent' }), defaultMetrics: false },
  );
  await md.start();
  const publisher = await startMdPublisher(md.options, md, pino({ level: 'silent' }));
  const edges = await Promise.all(Array.from({ length: edgeCount }, () => startEdge(natsUrl, authDir)));
  for (const e of edges) await readyz(e.url);
  const bytes0 = publisher.stats.bytes;
  const frames0 = publisher.stats.frames;
  const t0 = performance.now();
  const results = await Promise.all(edges.map((e) => clients(e.url, grant.value.token, CLIENTS / edgeCount)));
  const seconds = (performance.now() - t0) / 1000;
  const egress = publisher.stats.bytes - bytes0;
  const frames = publisher.stats.frames - frames0;
  for (const e of edges) e.proc.kill('SIGKILL');
  await publisher.close();
  await md.stop();
  const deliveries = results.reduce((n, r) => n + r.deliveries / r.seconds, 0);
  // Percentiles of the edges' own percentiles: the worse edge's, for a conservative figure.
  const p50 = Math.max(...results.map((r) => r.p50Us));
  const p99 = Math.max(...results.map((r) => r.p99Us));
  return {
    edges: edgeCount,
    clients: CLIENTS,
    'deliveries/s': Math.round(deliveries),
    'p50 ms (worst edge)': (p50 / 1000).toFixed(2),
    'p99 ms (worst edge)': (p99 / 1000).toFixed(2),
    'md batches/s': Math.round(frames / seconds),
    'md -> NATS kB/s': (egress / seconds / 1000).toFixed(1),
    'B per batch': Math.round(egress / Math.max(1, frames)),
  };
}

const nats = await NatsKit.start(binary);
const rows: BenchRow[] = [];
for (const n of [1, 2]) rows.push(await run(n, nats.url));
await nats.kill();
printTable(
  `Cluster fan-out: md node -> nats-server -> edges -> ${CLIENTS} WebSocket clients (protobuf, every client on all 6 streams)`,
  rows,
  'md publishes each batch once (its egress does not grow with edges or clients). On this 2-core machine md, NATS, the edges and the client processes share the cores: a second edge adds processes, not cores.',
);
process.exit(0);
