/**
 * One fan-out measurement: a server process (fanout-server.ts) and several client processes
 * (fanout-clients.ts), the window opened and closed for all of them at once over IPC, so the
 * server's CPU and the clients' counts cover the same seconds. Used by fanout.bench.ts and
 * connections.bench.ts.
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClientProcessConfig, ClientReady, ClientStats, ServerKind } from './fanout-clients';
import { LatencyHistogram } from './fanout-raw-ws';
import type { ServerConfig, ServerListening, ServerMem, ServerStats } from './fanout-server';

const here = dirname(fileURLToPath(import.meta.url));

export interface FanoutConfig {
  kind: ServerKind;
  clients: number;
  /** Client processes the connections are spread over. */
  processes: number;
  symbols: string[];
  simRate: number;
  flushMs?: number;
  heartbeatMs?: number;
  /** After every client is ready, before the window opens. */
  warmMs: number;
  measureMs: number;
  /** Connections each client process opens at a time. */
  concurrency?: number;
  /** Measure the server's memory before any client and after all are subscribed. */
  memory?: boolean;
}

export interface FanoutResult {
  cfg: FanoutConfig;
  opened: number;
  failed: number;
  firstError?: string;
  deliveries: number;
  bytes: number;
  seconds: number;
  hist: LatencyHistogram;
  server: ServerStats;
  clientCpuSeconds: number[];
  clientSeconds: number;
  verified: number;
  mismatched: number;
  frameErrors: number;
  closed: number;
  mem0?: ServerMem;
  mem1?: ServerMem;
  /** Time from the first connect to the last client receiving market data. */
  connectSeconds: number;
}

function next<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { type: string }) => {
      if (m.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(m as T);
    };
    const onExit = (code: number | null) => reject(new Error(`child exited (${code}) while waiting for ${type}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/**
 * FANOUT_PIN=1: the server on CPU 0, every client process on CPU 1 (taskset, all threads), so a
 * client woken by the server's write cannot preempt the server on its own core. Off by default:
 * on a machine shared with other work, a pinned server cannot move away from a busy core.
 */
export const PINNED = process.env.FANOUT_PIN === '1';

function pin(child: ChildProcess, cpu: number): void {
  if (PINNED && child.pid !== undefined) spawnSync('taskset', ['-a', '-c', '-p', String(cpu), String(child.pid)], { stdio: 'ignore' });
}

/**
 * FANOUT_CLIENT_NICE=10: the client processes (stand-ins for browsers on other machines) run
 * niced, so a client woken by the relay's write does not preempt the relay in the middle of
 * its fan-out. Off by default: on a machine shared with other work the niced clients starve
 * (measured 2026-12-07: p99 in seconds).
 */
export const CLIENT_NICE = Number(process.env.FANOUT_CLIENT_NICE ?? 0);

function deprioritize(child: ChildProcess): void {
  if (CLIENT_NICE !== 0 && child.pid !== undefined) spawnSync('renice', ['-n', String(CLIENT_NICE), '-p', String(child.pid)], { stdio: 'ignore' });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runFanout(cfg: FanoutConfig): Promise<FanoutResult> {
  const serverCfg: ServerConfig = { kind: cfg.kind, simRate: cfg.simRate, flushMs: cfg.flushMs ?? 10, heartbeatMs: cfg.heartbeatMs ?? 60_000 };
  const prof = process.env.FANOUT_CPU_PROF;
  const execArgv = ['--import', 'tsx', '--expose-gc', ...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}/${cfg.kind}-${cfg.clients}`] : [])];
  const server = fork(join(here, 'fanout-server.ts'), [JSON.stringify(serverCfg)], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  pin(server, 0);
  const children: ChildProcess[] = [server];
  try {
    const listening = await next<ServerListening>(server, 'listening');
    let mem0: ServerMem | undefined;
    if (cfg.memory) {
      await sleep(1000);
      server.send({ type: 'mem' });
      mem0 = await next<ServerMem>(server, 'mem');
    }
    const connectStart = performance.now();
    const clientProcs: ChildProcess[] = [];
    for (let i = 0; i < cfg.processes; i++) {
      const n = Math.floor(cfg.clients / cfg.processes) + (i < cfg.clients % cfg.processes ? 1 : 0);
      const ccfg: ClientProcessConfig = { kind: cfg.kind, url: listening.url, token: listening.token, connections: n, symbols: cfg.symbols, concurrency: cfg.concurrency ?? 50 };
      const c = fork(join(here, 'fanout-clients.ts'), [JSON.stringify(ccfg)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      pin(c, 1);
      deprioritize(c);
      clientProcs.push(c);
      children.push(c);
    }
    const ready = await Promise.all(clientProcs.map((c) => next<ClientReady>(c, 'ready')));
    const connectSeconds = (performance.now() - connectStart) / 1000;
    await sleep(cfg.warmMs);
    let mem1: ServerMem | undefined;
    if (cfg.memory) {
      server.send({ type: 'mem' });
      mem1 = await next<ServerMem>(server, 'mem');
    }
    const serverStats = next<ServerStats>(server, 'stats');
    const clientStats = clientProcs.map((c) => next<ClientStats>(c, 'stats'));
    for (const c of children) c.send({ type: 'start' });
    await sleep(cfg.measureMs);
    for (const c of children) c.send({ type: 'stop' });
    const stats = await Promise.all(clientStats);
    const sstats = await serverStats;
    const hist = new LatencyHistogram();
    for (const s of stats) hist.merge(s.hist, s.maxUs);
    const sum = (f: (s: ClientStats) => number) => stats.reduce((n, s) => n + f(s), 0);
    const seconds = Math.max(...stats.map((s) => s.seconds));
    return {
      cfg,
      opened: ready.reduce((n, r) => n + r.opened, 0),
      failed: ready.reduce((n, r) => n + r.failed, 0),
      firstError: ready.find((r) => r.firstError)?.firstError,
      deliveries: sum((s) => s.deliveries),
      bytes: sum((s) => s.bytes),
      seconds,
      hist,
      server: sstats,
      clientCpuSeconds: stats.map((s) => s.cpuSeconds),
      clientSeconds: seconds,
      verified: sum((s) => s.verified),
      mismatched: sum((s) => s.mismatched),
      frameErrors: sum((s) => s.frameErrors),
      closed: sum((s) => s.closed),
      mem0,
      mem1,
      connectSeconds,
    };
  } finally {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const kill = setTimeout(() => c.kill('SIGKILL'), 10_000);
            c.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            c.send({ type: 'exit' });
          }),
      ),
    );
  }
}

/** The limits a run of many connections is under, as this machine has them. */
export function connectionLimits(): string {
  const read = (p: string) => {
    try {
      return readFileSync(p, 'utf8').trim();
    } catch {
      return '?';
    }
  };
  const nofile = /Max open files\s+(\S+)\s+(\S+)/.exec(read('/proc/self/limits'));
  return [
    `open files per process (soft/hard) ${nofile ? `${nofile[1]}/${nofile[2]}` : '?'}`,
    `ephemeral ports ${read('/proc/sys/net/ipv4/ip_local_port_range').replace(/\s+/, '-')}`,
    `somaxconn ${read('/proc/sys/net/core/somaxconn')}`,
    `tcp_max_syn_backlog ${read('/proc/sys/net/ipv4/tcp_max_syn_backlog')}`,
    `fs.file-max ${read('/proc/sys/fs/file-max')}`,
  ].join(', ');
}

export const ms = (us: number): string => (us / 1000).toFixed(2);
