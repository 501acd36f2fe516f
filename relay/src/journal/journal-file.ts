import { writeSync } from 'node:fs';
import { link, open, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { encodeHeader } from './journal-format';

/**
 * Writes `len` bytes of `buf` at `position`, synchronously. The journal writes on the event
 * loop on purpose: a write only copies into the page cache (a few µs for a batch), while a
 * threadpool round trip costs more than that and its wake-up is what made the order path's
 * p99 (ms on a busy 2-core machine). Only the fdatasync, which waits for the disk, goes to the
 * threadpool.
 */
export function writeFullySync(fd: number, buf: Buffer, len: number, position: number): void {
  for (let done = 0; done < len; ) {
    const n = writeSync(fd, buf, done, len - done, position + done);
    if (n <= 0) throw new Error('write made no progress');
    done += n;
  }
}

export async function openIfExists(path: string, flags: string): Promise<FileHandle | null> {
  try {
    return await open(path, flags);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/**
 * Creates a journal holding only its header, atomically: the header is written and synced under
 * a temporary name, then hard-linked into place (which fails rather than clobbering a journal
 * someone else just created). A crash can therefore never leave a half-written header at
 * `path`, and a short header always means damage. Returns false if `path` appeared meanwhile.
 */
export async function createJournalFile(path: string): Promise<boolean> {
  const tmp = `${path}.${process.pid}.tmp`;
  // Owner only, like the rest of the data directory: the journal holds every account's orders.
  const h = await open(tmp, 'w', 0o600);
  try {
    await h.write(encodeHeader(Date.now() * 1000), 0, undefined, 0);
    await h.datasync();
  } finally {
    await h.close();
  }
  let created = true;
  try {
    await link(tmp, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    created = false;
  } finally {
    await unlink(tmp);
  }
  await syncDirectory(dirname(path));
  return created;
}

/** Makes the new directory entry durable; platforms that cannot fsync a directory skip it. */
async function syncDirectory(dir: string): Promise<void> {
  let h: FileHandle | undefined;
  try {
    h = await open(dir, 'r');
    await h.sync();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL') throw e;
  } finally {
    await h?.close();
  }
}
