import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * A LAN of test hosts on one machine: a network namespace per host, each with one veth to a
 * bridge that lives in its own "switch" namespace, so nothing touches the machine's own
 * interfaces. Needs root (CI runs as root); `buildLan` says why when it cannot.
 */
export interface LanHost {
  readonly name: string;
  readonly ns: string;
  readonly ip: string;
  /** Runs a program inside this host's namespace. */
  spawn(command: string, args: string[], options?: SpawnOptions): ChildProcess;
  /** An executable path that runs `program` inside this host (for launchers that take a path, e.g. Playwright). */
  wrapper(program: string): string;
}

export interface Lan {
  readonly hosts: LanHost[];
  /** Cuts (or restores) a host's cable: its port on the switch goes down. */
  setLink(host: LanHost, up: boolean): void;
  destroy(): void;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

/** Why a LAN cannot be built here ('' = it can). */
export function lanUnavailable(): string {
  if (process.getuid?.() !== 0) return 'network namespaces need root (CI runs as root)';
  const probe = `tmprobe${randomBytes(2).toString('hex')}`;
  try {
    ip('netns', 'add', probe);
    ip('netns', 'del', probe);
    return '';
  } catch (e) {
    return `ip netns add failed: ${(e as { stderr?: Buffer }).stderr?.toString().trim() || (e as Error).message}`;
  }
}

/** Builds `names.length` hosts on 10.213.N.0/24 (N random per LAN, so parallel runs do not meet). */
export function buildLan(names: string[]): Lan {
  const id = randomBytes(2).toString('hex');
  const subnet = `10.213.${1 + (parseInt(id, 16) % 250)}`;
  const sw = `tm${id}sw`;
  const made: string[] = [];
  const ports = new Map<string, string>();
  const scripts = mkdtempSync(join(tmpdir(), 'tickmesh-lan-'));
  const destroy = () => {
    for (const ns of made.reverse()) {
      try {
        ip('netns', 'del', ns);
      } catch {
        // Already gone.
      }
    }
    made.length = 0;
  };
  try {
    ip('netns', 'add', sw);
    made.push(sw);
    ip('-n', sw, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', sw, 'link', 'set', 'br0', 'up');
    const hosts = names.map((name, i): LanHost => {
      const ns = `tm${id}h${i}`;
      ip('netns', 'add', ns);
      made.push(ns);
      // Interface names are at most 15 characters: tm<4 hex>h<i>{a,b}.
      const a = `${ns}a`;
      const b = `${ns}b`;
      ip('link', 'add', a, 'type', 'veth', 'peer', 'name', b);
      ip('link', 'set', a, 'netns', ns);
      ip('-n', ns, 'link', 'set', a, 'name', 'eth0');
      ip('link', 'set', b, 'netns', sw);
      ip('-n', sw, 'link', 'set', b, 'master', 'br0');
      ip('-n', sw, 'link', 'set', b, 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', ns, 'addr', 'add', `${subnet}.${i + 1}/24`, 'dev', 'eth0');
      // No IPv6 link-local address: the kernel would add one a second or two after the link
      // comes up (once duplicate-address detection ends), and Chromium, seeing an address
      // appear, aborts whatever it is loading with ERR_NETWORK_CHANGED (seen in CI). The LAN is IPv4.
      ip('-n', ns, 'link', 'set', 'eth0', 'addrgenmode', 'none');
      ip('-n', ns, 'link', 'set', 'eth0', 'up');
      // A default route, as every real LAN host has: Chromium offers WebRTC host candidates
      // only for the interface of the default route (it asks the OS which one reaches the
      // internet), so without one it offers none and no peer link forms.
      ip('-n', ns, 'route', 'add', 'default', 'dev', 'eth0');
      ports.set(ns, b);
      return {
        name,
        ns,
        ip: `${subnet}.${i + 1}`,
        spawn: (command, args, options = {}) => spawn('ip', ['netns', 'exec', ns, command, ...args], options),
        wrapper: (program) => {
          const path = join(scripts, `${name}-${program.split('/').pop()}`);
          writeFileSync(path, `#!/bin/sh\nexec ip netns exec ${ns} ${program} "$@"\n`);
          chmodSync(path, 0o755);
          return path;
        },
      };
    });
    return {
      hosts,
      setLink: (host, up) => ip('-n', sw, 'link', 'set', ports.get(host.ns)!, up ? 'up' : 'down'),
      destroy,
    };
  } catch (e) {
    destroy();
    throw e;
  }
}
