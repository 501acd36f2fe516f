import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, fail, ok, type Result } from '@tickmesh/shared';

/**
 * One relay per data directory: the journal is one hash-chained file and order ids count up in
 * it, so a second process appending would break both. The lock is a `relay.pid` file created
 * exclusively; one left by a process that no longer runs (a crash, SIGKILL) is taken over.
 * Returns the release function, or RELAY_DATA_DIR_IN_USE naming the process that holds it.
 */
export function lockDataDir(dir: string, pid = process.pid): Result<() => void> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'relay.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, `${pid}\n`);
      closeSync(fd);
      let released = false;
      return ok(() => {
        if (released) return;
        released = true;
        rmSync(file, { force: true });
      });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = Number.parseInt(readFileSync(file, 'utf8'), 10);
    if (Number.isSafeInteger(holder) && holder > 0 && holder !== pid && isRunning(holder)) {
      return fail(ErrorCode.RELAY_DATA_DIR_IN_USE, `${dir} is in use by the relay with pid ${holder} (one relay per data directory; pass another --data-dir)`);
    }
    rmSync(file, { force: true }); // stale: its process is gone
  }
  return fail(ErrorCode.RELAY_DATA_DIR_IN_USE, `${dir}/relay.pid could not be taken over`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it runs, under another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
