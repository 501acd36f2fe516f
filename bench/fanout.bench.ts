/**
 * Relay fan-out: the real relay with the simulated venues, N real WebSocket clients on
 * loopback in a second process (so relay and clients each get one of the two cores), every
 * client subscribed to every stream. Prints deliveries/s, bytes/s and publish -> client
 * latency percentiles, plus the relay's own CPU use.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { pino } from 'pino';
import { AuthService } from '../relay/src/server/auth/index';
import { defaultRelayOptions } from '../relay/src/server/options';
import { Relay } from '../relay/src/server/relay-server';
import { defaultSimVenues } from '../relay/src/venues/sim/index';
import { printTable, type BenchRow } from './table';

const here = dirname(fileURLToPath(import.meta.url));
/** Simulated order-flow actions per second per instrument. */
const SIM_RATE = 500;

async function run(clients: number): Promise<BenchRow> {
  // Busy enough that nearly every stream changes in every 10 ms flush (6 streams x 100 batches/s).
  const dataDir = mkdtempSync(join(tmpdir(), 'tickmesh-bench-'));
  const { auth } = await AuthService.open(dataDir);
  const grant = await auth.issueToken((await auth.createAccount({ account: 'bench', role: 'viewer' })).apiKey);
  if (!grant.ok) throw new Error(grant.reason.code);
  const relay = new Relay(
    { ...defaultRelayOptions, port: 0, flushMs: 10, simRate: SIM_RATE, compression: false, logLevel: 'silent', heartbeatMs: 60_000, dataDir },
    { venues: defaultSimVenues({ seed: 7, updatesPerSecond: SIM_RATE }), auth, logger: pino({ level: 'silent' }), defaultMetrics: false },
  );
  await relay.start();
  const batches0 = (await relay.metrics.mdBatches.get()).values[0]?.value ?? 0;
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'fanout-clients.ts'), relay.url, grant.value.token, String(clients), '1500', '5000'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  // Relay CPU over (roughly) the same window as the clients measure.
  await new Promise((r) => setTimeout(r, 1500 + clients * 2));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const relayCpu = process.cpuUsage(cpu0);
  const relaySeconds = (performance.now() - t0) / 1000;
  const batches = ((await relay.metrics.mdBatches.get()).values[0]?.value ?? 0) - batches0;
  await relay.stop();
  const r = JSON.parse(out) as { deliveries: number; bytes: number; seconds: number; p50Us: number; p99Us: number; maxUs: number; cpuSeconds: number };
  const ms = (us: number) => (us / 1000).toFixed(2);
  return {
    clients,
    'deliveries/s': Math.round(r.deliveries / r.seconds),
    'MB/s': (r.bytes / r.seconds / 1e6).toFixed(2),
    'p50 ms': ms(r.p50Us),
    'p99 ms': ms(r.p99Us),
    'max ms': ms(r.maxUs),
    'batches published/s': Math.round(batches / relaySeconds),
    'relay CPU %': Math.round(((relayCpu.user + relayCpu.system) / 1e6 / relaySeconds) * 100),
    'clients CPU %': Math.round((r.cpuSeconds / r.seconds) * 100),
  };
}

const rows: BenchRow[] = [];
for (const n of [100, 1000]) rows.push(await run(n));
printTable(
  'Relay fan-out over loopback WebSocket (protobuf, every client on all 6 streams)',
  rows,
  'Target (DESIGN.md): 1,000 clients >= 500 k deliveries/s, publish -> client p99 <= 10 ms. Clients run in a second process on the other core.',
);
process.exit(0);
