import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, connect } from 'node:net';

/** Debian's nats-server (scripts/ensure-system-deps.sh installs it), or undefined when it is missing. */
export function natsServerBinary(): string | undefined {
  for (const p of ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server']) if (existsSync(p)) return p;
  const which = spawnSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' });
  return which.status === 0 && which.stdout.trim() ? which.stdout.trim() : undefined;
}

/** A free loopback TCP port (for servers that need their port before they start: NATS, HAProxy backends). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** True once something accepts TCP connections on the loopback port. */
export async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * A real nats-server on a free loopback port (core NATS; JetStream when asked), for the cluster tests.
 * kill() is a kill -9; start() again brings it back on the same port.
 */
export class NatsKit {
  private child: ChildProcess | undefined;

  private constructor(
    private readonly binary: string,
    readonly port: number,
    /** JetStream's store directory, when JetStream is on (kept across kill and start). */
    private readonly storeDir: string | undefined,
    /** More nats-server arguments (auth, TLS). */
    private readonly extraArgs: string[] = [],
  ) {}

  /** `jetstream`: JetStream on, stored in a fresh directory; `args`: more nats-server arguments. */
  static async start(binary: string, options: { jetstream?: boolean; args?: string[] } = {}): Promise<NatsKit> {
    const kit = new NatsKit(binary, await freePort(), options.jetstream ? mkdtempSync(join(tmpdir(), 'tickmesh-js-')) : undefined, options.args);
    await kit.start();
    return kit;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const js = this.storeDir ? ['-js', '-sd', this.storeDir] : [];
    const child = spawn(this.binary, ['-a', '127.0.0.1', '-p', String(this.port), ...js, ...this.extraArgs], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    this.child = child;
    const start = Date.now();
    while (!(await accepts(this.port))) {
      if (child.exitCode !== null) throw new Error(`nats-server exited ${child.exitCode}: ${stderr}`);
      if (Date.now() - start > 10_000) throw new Error(`nats-server not listening on ${this.port} after 10 s: ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** kill -9, then waits for the process to be gone. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  }
}
