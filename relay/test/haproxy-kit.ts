import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accepts } from './nats-kit';

/** Debian's haproxy (scripts/ensure-system-deps.sh installs it), or undefined when it is missing. */
export function haproxyBinary(): string | undefined {
  for (const p of ['/usr/sbin/haproxy', '/usr/bin/haproxy', '/usr/local/sbin/haproxy']) if (existsSync(p)) return p;
  const which = spawnSync('sh', ['-c', 'command -v haproxy'], { encoding: 'utf8' });
  return which.status === 0 && which.stdout.trim() ? which.stdout.trim() : undefined;
}

/**
 * HAProxy in front of the edges, as the deployment docs configure it: HTTP mode with WebSocket
 * tunnels, /readyz health checks (an edge whose md snapshots or NATS are gone is taken out),
 * and a connection to a dead edge redispatched to a live one.
 */
export class HaproxyKit {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    private readonly output: () => string,
  ) {}

  static async start(binary: string, port: number, backends: { name: string; port: number }[]): Promise<HaproxyKit> {
    const dir = mkdtempSync(join(tmpdir(), 'tickmesh-haproxy-'));
    const config = join(dir, 'haproxy.cfg');
    writeFileSync(config, haproxyConfig(port, backends));
    const check = spawnSync(binary, ['-c', '-f', config], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`haproxy refused its config: ${check.stdout}${check.stderr}`);
    const child = spawn(binary, ['-db', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-8000)));
    child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-8000)));
    const kit = new HaproxyKit(child, port, () => out);
    const started = Date.now();
    while (!(await accepts(port))) {
      if (child.exitCode !== null) throw new Error(`haproxy exited ${child.exitCode}: ${out}`);
      if (Date.now() - started > 10_000) throw new Error(`haproxy not listening after 10 s: ${out}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return kit;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get log(): string {
    return this.output();
  }

  stop(): void {
    this.child.kill('SIGKILL');
  }
}

/** The configuration (the README's "Scale out" section shows the same one). */
export function haproxyConfig(port: number, backends: { name: string; port: number }[]): string {
  return [
    'global',
    '  maxconn 4096',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 30s',
    '  timeout server 30s',
    // An upgraded WebSocket is a tunnel: idle market-data sockets stay open through quiet spells.
    '  timeout tunnel 1h',
    '  option redispatch',
    '  retries 3',
    'frontend tickmesh',
    `  bind 127.0.0.1:${port}`,
    '  default_backend edges',
    'backend edges',
    '  balance roundrobin',
    '  option httpchk GET /readyz',
    '  http-check expect status 200',
    // Dead within about half a second, back after one good check.
    '  default-server inter 200ms fall 2 rise 1',
    ...backends.map((b) => `  server ${b.name} 127.0.0.1:${b.port} check`),
    '',
  ].join('\n');
}
