/** Helpers for tests that work on real journal files in os.tmpdir(). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh directory per test; `cleanup` removes it. */
export async function tempDir(): Promise<{ dir: string; file: (name?: string) => string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'tickmesh-journal-'));
  return { dir, file: (name = 'journal.tmj') => join(dir, name), cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Where each record starts and how long its payload is, walking the length prefixes (16-byte header). */
export function recordLayout(file: Uint8Array): { offset: number; payloadBytes: number; end: number }[] {
  const view = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  const out: { offset: number; payloadBytes: number; end: number }[] = [];
  for (let off = 16; off + 4 <= view.length; ) {
    const payloadBytes = view.readUInt32LE(off);
    const end = off + 4 + payloadBytes + 4 + 32;
    if (end > view.length) break;
    out.push({ offset: off, payloadBytes, end });
    off = end;
  }
  return out;
}
