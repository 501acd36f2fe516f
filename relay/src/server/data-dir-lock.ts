import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, fail, ok, type Result } from '@tickmesh/shared';
import lockfile from 'proper-lockfile';

/** Options of `lockDataDir`; every one has a default. */
export interface DataDirLockOptions {
  /**
   * A lock not refreshed for this long belongs to a relay that died (SIGKILL, power loss) and
   * is taken over. Default 5,000 ms (proper-lockfile refreshes it every `staleMs / 5`).
   */
  staleMs?: number;
  /** Called if the lock is lost while held (its file removed or not refreshable): the relay must stop. Default: throw. */
  onCompromised?: (err: Error) => void;
}

/**
 * One relay per data directory: the journal is one hash-chained file and order ids count up in
 * it, so a second process appending would break both. The lock is proper-lockfile's (an
 * atomic mkdir of `relay.lock`, refreshed while held; a lock left by a dead process goes stale
 * and is taken over, so a relay restarted right after a crash waits up to `staleMs`). Resolves
 * with the release, or RELAY_DATA_DIR_IN_USE when a live relay holds it.
 */
export async function lockDataDir(dir: string, options: DataDirLockOptions = {}): Promise<Result<() => Promise<void>>> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stale = options.staleMs ?? 5_000;
  const interval = 250;
  try {
    const release = await lockfile.lock(dir, {
      lockfilePath: join(dir, 'relay.lock'),
      realpath: false,
      stale,
      update: Math.max(1_000, Math.floor(stale / 5)),
      // Keep trying a little past `stale`: a crashed relay's lock becomes takeable by then.
      retries: { retries: Math.ceil((stale * 1.5) / interval), factor: 1, minTimeout: interval, maxTimeout: interval },
      onCompromised: options.onCompromised ?? ((err) => {
        throw err;
      }),
    });
    return ok(release);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw e;
    return fail(ErrorCode.RELAY_DATA_DIR_IN_USE, `${dir} is in use by another relay (one relay per data directory; pass another --data-dir)`);
  }
}
