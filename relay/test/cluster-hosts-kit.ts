import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BookStream, StreamState, decodeServer } from '@tickmesh/shared';
import { buildLan, lanUnavailable, type Lan, type LanHost } from '../../web/test/e2e/lan/lan-hosts';
import { haproxyBinary, haproxyConfig } from './haproxy-kit';
import type { ProtoClient } from './harness';
import { natsServerBinary } from './nats-kit';

/**
 * The pieces of `cluster-hosts.test.ts`: every cluster node a process of the bundle `npm start`
 * runs, each in its own network namespace (a host of `buildLan`, web/test/e2e/lan/lan-hosts.ts),
 * plus one more port on the LAN's switch for the test process itself (`attachTestProcess`), so
 * the test's clients, its REST calls and the in-process fake exchange are on the LAN too.
 */

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const RELAY_BUNDLE = join(root, 'relay/dist/main.js');

/** Why the cluster of hosts cannot run here ('' = it can). */
export function clusterHostsUnavailable(): string {
  if (!natsServerBinary()) return 'needs nats-server (scripts/ensure-system-deps.sh installs it)';
  if (!haproxyBinary()) return 'needs haproxy (scripts/ensure-system-deps.sh installs it)';
  if (!existsSync(RELAY_BUNDLE)) return `needs the relay bundle ${RELAY_BUNDLE} (npm run build)`;
  return lanUnavailable();
}

export { buildLan, type Lan, type LanHost };

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

/**
 * Plugs the test process (the machine's own namespace) into the LAN's switch: a veth whose far
 * end joins the bridge, with the address .250 of the LAN's /24 (hosts are .1 up). Only the test
 * process uses it (a route to the /24, nothing else of the machine changes); deleting the
 * switch namespace would remove it too, `destroy` does it first.
 */
export function attachTestProcess(lan: Lan): { ip: string; destroy(): void } {
  const first = lan.hosts[0]!;
  // buildLan names the switch namespace tm<id>sw and its hosts tm<id>h<i>.
  const sw = first.ns.replace(/h\d+$/, 'sw');
  const subnet = first.ip.split('.').slice(0, 3).join('.');
  const a = first.ns.replace(/h\d+$/, 'ta');
  const b = first.ns.replace(/h\d+$/, 'tb');
  ip('link', 'add', a, 'type', 'veth', 'peer', 'name', b);
  const destroy = () => {
    try {
      ip('link', 'del', a);
    } catch {
      // Already gone (with the switch).
    }
  };
  try {
    ip('link', 'set', b, 'netns', sw);
    ip('-n', sw, 'link', 'set', b, 'master', 'br0');
    ip('-n', sw, 'link', 'set', b, 'up');
    ip('link', 'set', a, 'addrgenmode', 'none');
    ip('addr', 'add', `${subnet}.250/24`, 'dev', a);
    ip('link', 'set', a, 'up');
  } catch (e) {
    destroy();
    throw e;
  }
  return { ip: `${subnet}.250`, destroy };
}

/** True once something accepts TCP connections at host:port. */
export function acceptsAt(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, host);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Polls an async check (a TCP connect, an HTTP status) until it holds. */
export async function untilAsync(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * A TCP forwarder from the test process's LAN address to a loopback server of the test process
 * (the fake Binance listens on 127.0.0.1 only), so the md and OMS hosts reach it.
 */
export class LanForward {
  private constructor(
    private readonly server: Server,
    private readonly sockets: Set<Socket>,
    readonly host: string,
    readonly port: number,
  ) {}

  static async start(host: string, target: number): Promise<LanForward> {
    const sockets = new Set<Socket>();
    const server = createServer((client) => {
      const up = connect(target, '127.0.0.1');
      for (const s of [client, up]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          up.destroy();
        });
      }
      client.pipe(up);
      up.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => resolve());
    });
    return new LanForward(server, sockets, host, (server.address() as { port: number }).port);
  }

  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.server.close(r));
  }
}

/** A process on a host, its output kept (the last 16 kB), waited on by pattern. */
export class HostProcess {
  private out = '';
  readonly exited: Promise<number | string>;
  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (d: Buffer) => (this.out = (this.out + d.toString()).slice(-16_000)));
    child.stderr?.on('data', (d: Buffer) => (this.out = (this.out + d.toString()).slice(-16_000)));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  }

  static spawn(host: LanHost, name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): HostProcess {
    return new HostProcess(name, host.spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } }));
  }

  get output(): string {
    return this.out;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves with the first match of `pattern` in the output; rejects if the process exits first or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = pattern.exec(this.out);
        if (m) return done(() => resolve(m));
        if (!this.alive) return done(() => reject(new Error(`${this.name} exited (${this.child.exitCode ?? this.child.signalCode}) before ${pattern}: ${this.out}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`${this.name}: no ${pattern} after ${timeoutMs} ms: ${this.out}`))), timeoutMs);
      const done = (f: () => void) => {
        clearTimeout(timer);
        this.child.stdout?.off('data', later);
        this.child.stderr?.off('data', later);
        this.child.off('exit', later);
        f();
      };
      const later = () => setImmediate(check);
      this.child.stdout?.on('data', later);
      this.child.stderr?.on('data', later);
      this.child.on('exit', later);
      check();
    });
  }

  /** kill -9, resolved once the process is gone. */
  async kill(): Promise<void> {
    if (this.alive) this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** A relay node (`--role md|oms|edge`) on a host, listening on every interface of it at :8080. */
export function startNode(host: LanHost, name: string, args: string[], env: NodeJS.ProcessEnv = {}): HostProcess {
  return HostProcess.spawn(host, name, process.execPath, [RELAY_BUNDLE, '--host', '0.0.0.0', '--port', '8080', '--log-level', 'warn', ...args], env);
}

/** nats-server with JetStream on its host at :4222, its store kept across kill and start. */
export class NatsHost {
  private proc: HostProcess | undefined;
  private readonly storeDir = mkdtempSync(join(tmpdir(), 'tickmesh-hosts-js-'));
  constructor(private readonly host: LanHost) {}

  get url(): string {
    return `nats://${this.host.ip}:4222`;
  }

  get dir(): string {
    return this.storeDir;
  }

  async start(): Promise<void> {
    this.proc = HostProcess.spawn(this.host, 'nats-server', natsServerBinary()!, ['-a', '0.0.0.0', '-p', '4222', '-js', '-sd', this.storeDir]);
    const p = this.proc;
    await untilAsync(async () => {
      if (!p.alive) throw new Error(`nats-server exited: ${p.output}`);
      return acceptsAt(this.host.ip, 4222);
    }, 10_000, 'nats-server listening');
  }

  async kill(): Promise<void> {
    await this.proc?.kill();
  }
}

/**
 * The temp dir buildLan made for its hosts' wrapper scripts (its destroy() leaves it): found from
 * a wrapper's path, so the test removes exactly that one.
 */
export function lanScriptsDir(lan: Lan): string {
  return dirname(lan.hosts[0]!.wrapper('true'));
}

/** HAProxy on its host at :8080, in front of the edges (the documented configuration, with the hosts' addresses), its config in `dir`. */
export async function startHaproxy(host: LanHost, edges: LanHost[], dir: string): Promise<HostProcess> {
  const backends = edges.map((e, i) => ({ name: `edge${i + 1}`, port: 8080 }));
  let config = haproxyConfig(8080, backends).replace('bind 127.0.0.1:8080', 'bind 0.0.0.0:8080');
  edges.forEach((e, i) => (config = config.replace(`server edge${i + 1} 127.0.0.1:8080`, `server edge${i + 1} ${e.ip}:8080`)));
  if (edges.some((e) => !config.includes(`${e.ip}:8080`))) throw new Error(`haproxy config shape changed: ${config}`);
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, config);
  const proc = HostProcess.spawn(host, 'haproxy', haproxyBinary()!, ['-db', '-f', file]);
  await untilAsync(async () => {
    if (!proc.alive) throw new Error(`haproxy exited: ${proc.output}`);
    return acceptsAt(host.ip, 8080);
  }, 10_000, 'haproxy listening');
  return proc;
}

/** HTTP status of GET url (0 when nothing answers). */
export async function statusOf(url: string, token?: string): Promise<number> {
  return fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(2000) }).then(
    (r) => r.arrayBuffer().then(() => r.status),
    () => 0,
  );
}

/** Sessions an edge holds (its /readyz says), -1 when it does not answer. */
export async function sessionsOn(url: string): Promise<number> {
  const r = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
  return r ? ((await r.json()) as { sessions: number }).sessions : -1;
}

/** One client's book of one stream as it applies the frames, the checksum at each seq, and the STALE markers seen. */
export class Watch {
  readonly book: BookStream;
  readonly checksums = new Map<number, number>();
  staleMarkers = 0;
  constructor(
    readonly client: ProtoClient,
    readonly streamId: number,
  ) {
    this.book = new BookStream(streamId);
    client.ws.on('message', (raw: Buffer) => {
      const r = decodeServer(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength));
      if (!r.ok) return;
      const m = r.value;
      if (m.type === 'bookSnapshot' && m.streamId === streamId && m.state === StreamState.Stale) this.staleMarkers++;
      const res = m.type === 'bookSnapshot' && m.streamId === streamId ? this.book.applySnapshot(m) : m.type === 'bookBatch' && m.streamId === streamId ? this.book.applyBatch(m) : undefined;
      if (res?.action === 'applied') this.checksums.set(this.book.seq, this.book.book.checksum());
    });
  }

  subscribe(requestId = 1): this {
    this.client.send({ type: 'subscribe', requestId, streamIds: [this.streamId], symbols: [] });
    return this;
  }

  /** Seqs from `from` on at which both had a checksum. */
  common(other: Watch, from: number): number[] {
    return [...this.checksums.keys()].filter((s) => s >= from && other.checksums.has(s));
  }

  /** At least `min` common seqs from `from` on, the checksum equal at each. */
  agreesWith(other: Watch, from: number, min: number): boolean {
    const common = this.common(other, from);
    return common.length >= min && common.every((s) => this.checksums.get(s) === other.checksums.get(s));
  }

  /** The seqs from `from` on where the two disagree (for failure messages). */
  disagreements(other: Watch, from: number): number[] {
    return this.common(other, from).filter((s) => this.checksums.get(s) !== other.checksums.get(s));
  }
}
