import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Journal } from './journal';
import { tempDir } from './test-fixtures/journal-files';
import { sampleRecord } from './test-fixtures/sample-records';

const writer = fileURLToPath(new URL('./test-fixtures/crash-writer.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => { tmp = await tempDir(); });
afterEach(async () => { await tmp.cleanup(); });

/**
 * Runs the writer in a real child process and SIGKILLs it `killAfterMs` after its first
 * acknowledgement. Returns every seq it printed, i.e. every append it saw resolve.
 */
function runAndKill(path: string, killAfterMs: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, path], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      timer ??= setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { err += chunk; });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') return reject(new Error(`writer exited ${code}/${signal} before the kill: ${err}`));
      // Only whole lines count: a line cut by the kill was never fully printed.
      const lines = out.split('\n');
      lines.pop();
      resolve(lines.map(Number));
    });
  });
}

it('keeps every acknowledged append across SIGKILL of the writing process, twice', async () => {
  const path = tmp.file();
  let acknowledged: number[] = [];
  for (let round = 0; round < 2; round++) {
    const printed = await runAndKill(path, 300);
    expect(printed.length).toBeGreaterThan(0);
    acknowledged = acknowledged.concat(printed);

    const { journal, entries, recovered } = await Journal.open(path);
    await journal.close();
    expect(recovered.truncatedBytes).toBeGreaterThanOrEqual(0);
    // Gap-free, and every stored record (acknowledged or not) is the one written at that seq.
    entries.forEach((e, i) => {
      expect(e.seq).toBe(i + 1);
      expect(e.record).toEqual(sampleRecord(e.seq));
    });
    const maxAck = Math.max(...acknowledged);
    expect(entries.length).toBeGreaterThanOrEqual(maxAck);
    for (const seq of acknowledged) expect(entries[seq - 1]?.record).toEqual(sampleRecord(seq));
  }
});
