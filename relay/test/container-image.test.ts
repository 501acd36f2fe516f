import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The Dockerfile, built and started for real (scripts/container-image.sh: buildah builds it,
// podman runs it read-only), where a daemonless builder runs: root with buildah, podman and
// runc (scripts/ensure-system-deps.sh installs them). Elsewhere it says why and skips.
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const missing = ['buildah', 'podman', 'runc', 'debootstrap', 'curl'].filter((c) => !has(c));
const unavailable = process.getuid?.() !== 0 ? 'building images needs root (CI runs as root)' : missing.length > 0 ? `not installed: ${missing.join(', ')}` : '';
if (unavailable) console.warn(`container image test skipped: ${unavailable}`);

function buildAndRun(): Promise<{ code: number | null; facts: Record<string, string>; log: string }> {
  return new Promise((resolve) => {
    const p = spawn(join(root, 'scripts/container-image.sh'), [], { cwd: root, env: { ...process.env, PORT: '18089' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let log = '';
    p.stdout.on('data', (d: Buffer) => (out += d));
    p.stderr.on('data', (d: Buffer) => (log += d));
    p.on('exit', (code) => {
      const facts = Object.fromEntries(out.trim().split('\n').map((l) => [l.split(' ')[0]!, l.slice(l.indexOf(' ') + 1)]));
      resolve({ code, facts, log: log.slice(-4000) });
    });
  });
}

describe.skipIf(!!unavailable)('the container image', () => {
  it('builds from the Dockerfile and runs read-only as uid 10001: health, readiness, the PWA, its HEALTHCHECK, SIGTERM exit 0', async () => {
    const { code, facts, log } = await buildAndRun();
    expect(code, log).toBe(0);
    expect(facts, log).toMatchObject({ healthz: '200', readyz: '200', pwa: '200', healthcheck: '0', user: '10001', rootfs: 'read-only', exit: '0' });
    expect(facts['healthcheck-config']).toContain('healthcheck.mjs');
    // The relay's own drain finishes well inside podman's 10 s before SIGKILL.
    expect(Number(facts['stop-ms'])).toBeLessThan(10_000);
  }, 600_000);
});
