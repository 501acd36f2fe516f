/**
 * Many connections on one relay: 10,000 WebSocket clients on loopback, each subscribed to one
 * symbol (its 2 streams) and otherwise idle (they send nothing after subscribing but answer
 * the relay's heartbeat pings), over a quiet simulated market, spread over several client
 * processes (fanout-run.ts). Prints the relay's resident memory per connection (RSS after
 * every client is subscribed minus RSS before the first, both after a full GC), the latency
 * those clients still see, and the limits the run was under (open files, ephemeral ports,
 * accept backlog): the kernel's socket buffers are not in the relay's RSS.
 *
 * CONNECTIONS=n changes the count; CONNECTIONS_RUNS=3 repeats the run.
 */
import { connectionLimits, ms, runFanout, type FanoutResult } from './fanout-run';
import { percentile, printTable, type BenchRow } from './table';

const CLIENTS = Number(process.env.CONNECTIONS ?? 10_000);
const RUNS = Number(process.env.CONNECTIONS_RUNS ?? 1);
/** Client processes: each holds CLIENTS / PROCESSES sockets, well under its open-files limit. */
const PROCESSES = 4;
/** A quiet market: a few changes per second per instrument. */
const SIM_RATE = 1;

function row(r: FanoutResult, run: number): BenchRow {
  const perConn = (a: number, b: number) => `${((b - a) / r.opened / 1024).toFixed(1)} KiB`;
  const clientCpu = r.clientCpuSeconds.map((s) => (s / r.clientSeconds) * 100);
  return {
    run,
    clients: `${r.opened}${r.failed ? ` (${r.failed} failed: ${r.firstError})` : ''}`,
    'relay sessions': r.mem1!.sessions,
    'connect + subscribe s': r.connectSeconds.toFixed(1),
    'relay RSS before → after MB': `${(r.mem0!.rss / 1e6).toFixed(0)} → ${(r.mem1!.rss / 1e6).toFixed(0)}`,
    'RSS / connection': perConn(r.mem0!.rss, r.mem1!.rss),
    'JS heap / connection': perConn(r.mem0!.heapUsed, r.mem1!.heapUsed),
    'deliveries/s': Math.round(r.deliveries / r.seconds),
    'p50 ms': ms(r.hist.percentile(50)),
    'p99 ms': ms(r.hist.percentile(99)),
    'max ms': ms(r.hist.maxUs),
    'one flush to all, p50/p99 ms': `${ms(percentile(r.server.fanoutUs, 50))}/${ms(percentile(r.server.fanoutUs, 99))}`,
    'relay CPU %': Math.round((r.server.cpuSeconds / r.server.seconds) * 100),
    'clients CPU % (procs)': `${Math.round(clientCpu.reduce((a, b) => a + b, 0))} (${r.clientCpuSeconds.length} × ≤${Math.round(Math.max(...clientCpu))})`,
    'closed during run': r.closed,
  };
}

const rows: BenchRow[] = [];
for (let run = 1; run <= RUNS; run++) {
  const r = await runFanout({
    kind: 'tickmesh',
    clients: CLIENTS,
    processes: PROCESSES,
    symbols: ['BTC-USD'],
    simRate: SIM_RATE,
    heartbeatMs: 10_000,
    warmMs: 3000,
    measureMs: 5000,
    concurrency: 100,
    memory: true,
  });
  rows.push(row(r, run));
}
printTable(
  `${CLIENTS.toLocaleString('en')} idle-but-subscribed WebSocket clients on one relay (loopback, ${PROCESSES} client processes, 1 symbol = 2 streams each, sim at ${SIM_RATE} changes/s per instrument, heartbeat pings every 10 s)`,
  rows,
  `Limits in force: ${connectionLimits()}. One source address (127.0.0.1) to one port: at most one connection per ephemeral port.`,
);
process.exit(0);
