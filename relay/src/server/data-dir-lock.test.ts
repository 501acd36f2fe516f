import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockDataDir } from './data-dir-lock';

const root = join(import.meta.dirname, '../../..');

/** A child process that takes the lock of `dir`, says so, and holds it until killed. */
function holder(dir: string, staleMs: number) {
  const code = `import { lockDataDir } from './relay/src/server/data-dir-lock.ts';
    const r = await lockDataDir(${JSON.stringify(dir)}, { staleMs: ${staleMs} });
    console.log(r.ok ? 'locked' : r.reason.code);
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const said = new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));
  return { child, said };
}

describe('one relay per data directory', () => {
  it('refuses a second relay while the first holds it (RELAY_DATA_DIR_IN_USE); free once released', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tickmesh-lock-'));
    const first = await lockDataDir(dir, { staleMs: 2_000 });
    expect(first.ok).toBe(true);
    const second = await lockDataDir(dir, { staleMs: 2_000 });
    expect(second.ok).toBe(false);
    if (!second.ok) expect(second.reason.code).toBe('RELAY_DATA_DIR_IN_USE');
    if (first.ok) await first.value();
    const third = await lockDataDir(dir, { staleMs: 2_000 });
    expect(third.ok).toBe(true);
    if (third.ok) await third.value();
  });

  it('takes over the lock of a relay that was SIGKILLed, once it has gone stale', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tickmesh-lock-'));
    const h = holder(dir, 2_000);
    expect(await h.said).toBe('locked');
    expect((await lockDataDir(dir, { staleMs: 2_000 })).ok).toBe(false); // alive: refused (after waiting past stale: it keeps refreshing)
    h.child.kill('SIGKILL');
    await new Promise((r) => h.child.once('exit', r));
    const r = await lockDataDir(dir, { staleMs: 2_000 });
    expect(r.ok).toBe(true);
    if (r.ok) await r.value();
  });
});
