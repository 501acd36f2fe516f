/**
 * Relay fan-out beside what a Node team would run instead, same machine, same run, same input:
 * every server below is the relay with the same simulated venues (same seed and rate), and
 * 1,000 WebSocket clients on loopback subscribed to all 6 streams.
 * - tickmesh: the relay's own /ws (protobuf, one encoded frame per batch for every subscriber);
 * - socket.io 4: `io.to(room).emit` of each batch as JSON (encoded once per broadcast);
 * - ws + JSON: plain `ws`, JSON.stringify per client per batch.
 * Server and clients run in separate processes (fanout-run.ts); clients are lightweight raw
 * WebSocket readers (fanout-raw-ws.ts) spread over several processes, their CPU printed so it
 * shows they are not the bottleneck. Relay CPU per delivery = the server process's CPU time
 * over the window / deliveries counted by the clients in the same window.
 *
 * FANOUT_RUNS=3 repeats every configuration (interleaved, so noise from other work on the
 * machine spreads over all of them); FANOUT_ONLY=tickmesh-1000 runs one row; FANOUT_CPU_PROF=dir
 * writes a --cpu-prof of each server; FANOUT_PIN=1 / FANOUT_CLIENT_NICE=10 pin or nice the
 * processes (fanout-run.ts; for a machine nobody else uses).
 *
 * "one flush to all" is the relay's own part of the latency: from a flush's start until every
 * session's bytes of it were handed to the kernel (the last subscriber cannot get them sooner).
 */
import { percentile, printTable, type BenchRow } from './table';
import { ms, runFanout, type FanoutConfig, type FanoutResult } from './fanout-run';

const SYMBOLS = ['BTC-USD', 'ETH-USD', 'SOL-USD'];
/** Simulated order-flow actions per second per instrument: nearly every stream changes in every 10 ms flush. */
const SIM_RATE = 500;
const RUNS = Number(process.env.FANOUT_RUNS ?? 1);
const LABEL = { tickmesh: 'tickmesh relay (protobuf)', socketio: 'socket.io 4 broadcast (JSON)', 'ws-json': 'ws, JSON per client' } as const;

const base = { symbols: SYMBOLS, simRate: SIM_RATE, warmMs: 1500, measureMs: 5000 } satisfies Partial<FanoutConfig>;
const ALL: FanoutConfig[] = [
  { ...base, kind: 'tickmesh', clients: 100, processes: 2 },
  { ...base, kind: 'tickmesh', clients: 1000, processes: 4 },
  { ...base, kind: 'socketio', clients: 1000, processes: 4 },
  { ...base, kind: 'ws-json', clients: 1000, processes: 4 },
];
/** FANOUT_ONLY=tickmesh (or socketio, ws-json, or tickmesh-1000) runs those rows only (for profiling). */
const only = process.env.FANOUT_ONLY;
const configs = ALL.filter((c) => !only || c.kind === only || `${c.kind}-${c.clients}` === only);

function perCpuSecond(r: FanoutResult): number {
  return r.deliveries / r.server.cpuSeconds;
}

function row(r: FanoutResult, run: number): BenchRow {
  const c = r.cfg;
  const clientCpu = r.clientCpuSeconds.map((s) => (s / r.clientSeconds) * 100);
  return {
    server: LABEL[c.kind],
    clients: `${r.opened}${r.failed ? ` (${r.failed} failed)` : ''}`,
    run,
    'deliveries/s': Math.round(r.deliveries / r.seconds),
    'MB/s': (r.bytes / r.seconds / 1e6).toFixed(2),
    'p50 ms': ms(r.hist.percentile(50)),
    'p99 ms': ms(r.hist.percentile(99)),
    'max ms': ms(r.hist.maxUs),
    'B/delivery': Math.round(r.bytes / r.deliveries),
    'relay CPU % (sys)': `${Math.round((r.server.cpuSeconds / r.server.seconds) * 100)} (${Math.round((r.server.systemSeconds / r.server.seconds) * 100)})`,
    'one flush to all, p50/p99 ms': `${ms(percentile(r.server.fanoutUs, 50))}/${ms(percentile(r.server.fanoutUs, 99))}`,
    'relay µs/delivery': ((r.server.cpuSeconds * 1e6) / r.deliveries).toFixed(3),
    'deliveries/relay CPU s': Math.round(perCpuSecond(r)),
    'clients CPU % (procs)': `${Math.round(clientCpu.reduce((a, b) => a + b, 0))} (${r.clientCpuSeconds.length} × ≤${Math.round(Math.max(...clientCpu))})`,
    'time read ok': r.mismatched === 0 && r.frameErrors === 0 ? `${r.verified}/${r.opened}` : `MISMATCH ${r.mismatched}, frame errors ${r.frameErrors}`,
  };
}

const results: FanoutResult[][] = configs.map(() => []);
for (let run = 1; run <= RUNS; run++) {
  for (let i = 0; i < configs.length; i++) results[i]!.push(await runFanout(configs[i]!));
}

printTable(
  'Relay fan-out over loopback WebSocket, every client on all 6 streams, beside socket.io and plain ws',
  results.flatMap((rs) => rs.map((r, i) => row(r, i + 1))),
  'Target (DESIGN.md, issue 13): 1,000 clients >= 500 k deliveries/s, publish -> client p99 <= 10 ms; >= 5x socket.io deliveries per relay CPU second.\n' +
    'Server and client processes share the 2 cores; clients read the publish time from the frame bytes (checked once per connection against a full decode).',
);

const tm = results[1]!;
if (configs.length !== ALL.length) process.exit(0);
const ratioRows: BenchRow[] = [];
for (const [i, name] of [
  [2, 'socketio'],
  [3, 'ws-json'],
] as const) {
  const peer = results[i]!;
  const per = tm.map((r, k) => perCpuSecond(r) / perCpuSecond(peer[k]!));
  const rate = tm.map((r, k) => r.deliveries / r.seconds / (peer[k]!.deliveries / peer[k]!.seconds));
  const p99 = tm.map((r, k) => peer[k]!.hist.percentile(99) / r.hist.percentile(99));
  const range = (xs: number[]) => (xs.length === 1 ? `${xs[0]!.toFixed(1)}×` : `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}×`);
  ratioRows.push({
    'tickmesh vs': LABEL[name],
    'deliveries per relay CPU s': range(per),
    'deliveries/s': range(rate),
    'p99 (theirs / ours)': range(p99),
  });
}
printTable('Fan-out ratios, 1,000 clients, tickmesh / peer in the same run (range over runs)', ratioRows, 'Goal (issue 13): >= 5x socket.io deliveries per relay CPU second.');
process.exit(0);
