import { randomBytes } from 'node:crypto';
import { link, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces `file` with `data` so that a reader (or a crash) sees either the old or the new
 * content, never half of it: write a temporary file beside it, fsync, rename over. The
 * temporary file is created exclusively with `mode`, so a secret is never readable by
 * others, not even for a moment.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, mode: number): Promise<void> {
  const tmp = await writeTemp(file, data, mode);
  try {
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Like `writeFileAtomic`, but only when `file` does not exist yet: resolves false, writing
 * nothing, when it does. Publishing with link() rather than rename() is what makes it
 * exclusive, so two processes starting on one directory cannot both create the file.
 */
export async function writeFileExclusive(file: string, data: string | Uint8Array, mode: number): Promise<boolean> {
  const tmp = await writeTemp(file, data, mode);
  try {
    await link(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await rm(tmp, { force: true });
  }
}

async function writeTemp(file: string, data: string | Uint8Array, mode: number): Promise<string> {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  return tmp;
}
