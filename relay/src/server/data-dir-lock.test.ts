import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockDataDir } from './data-dir-lock';

describe('one relay per data directory', () => {
  it('refuses a second holder while the first runs, with RELAY_DATA_DIR_IN_USE; free again once released', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tickmesh-lock-'));
    // Another live process holds it (a child that sleeps).
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      const first = lockDataDir(dir, child.pid!);
      expect(first.ok).toBe(true);
      const second = lockDataDir(dir);
      expect(second.ok).toBe(false);
      if (!second.ok) expect(second.reason.code).toBe('RELAY_DATA_DIR_IN_USE');
      if (first.ok) first.value();
      expect(existsSync(join(dir, 'relay.pid'))).toBe(false);
      const third = lockDataDir(dir);
      expect(third.ok).toBe(true);
      expect(readFileSync(join(dir, 'relay.pid'), 'utf8').trim()).toBe(String(process.pid));
      if (third.ok) third.value();
    } finally {
      child.kill();
    }
  });

  it('takes over a lock left by a process that no longer runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tickmesh-lock-'));
    const gone = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => gone.once('exit', r));
    writeFileSync(join(dir, 'relay.pid'), `${gone.pid}\n`);
    const r = lockDataDir(dir);
    expect(r.ok).toBe(true);
    if (r.ok) r.value();
  });
});
