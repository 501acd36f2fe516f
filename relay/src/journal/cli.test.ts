import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal } from './journal';
import { JournalErrorCode } from './journal-error';
import { recordLayout, tempDir } from './test-fixtures/journal-files';
import { sampleRecord } from './test-fixtures/sample-records';

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: repoRoot }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => { tmp = await tempDir(); });
afterEach(async () => { await tmp.cleanup(); });

describe('journal CLI', () => {
  it('verify prints the record count and head hash; dump prints a window as JSON lines', async () => {
    const { journal } = await Journal.open(tmp.file());
    for (let n = 1; n <= 6; n++) await journal.append(sampleRecord(n));
    const head = journal.headHash;
    await journal.close();

    const v = await run('verify', tmp.file());
    expect(v.code).toBe(0);
    expect(v.stdout).toContain(' 6 ');
    expect(v.stdout).toContain(head);

    const d = await run('dump', tmp.file(), '--from', '2', '--limit', '3');
    expect(d.code).toBe(0);
    const lines = d.stdout.trim().split('\n').map((l) => JSON.parse(l) as { seq: number; record: unknown });
    expect(lines.map((l) => l.seq)).toEqual([2, 3, 4]);
    expect(lines.map((l) => l.record)).toEqual([2, 3, 4].map(sampleRecord));
  });

  it('verify exits 1 with the code, record and offset of the damage', async () => {
    const { journal } = await Journal.open(tmp.file());
    for (let n = 1; n <= 3; n++) await journal.append(sampleRecord(n));
    await journal.close();
    const bytes = await readFile(tmp.file());
    const rec = recordLayout(bytes)[1]!;
    bytes[rec.offset + 6]! ^= 0x40;
    await writeFile(tmp.file(), bytes);

    const v = await run('verify', tmp.file());
    expect(v.code).toBe(1);
    expect(v.stdout).toContain(JournalErrorCode.JOURNAL_CORRUPT);
    expect(v.stdout).toContain(`record 2 offset ${rec.offset}`);
  });

  it('exits 2 on bad usage', async () => {
    expect((await run('frobnicate', tmp.file())).code).toBe(2);
    expect((await run('dump', tmp.file(), '--from')).code).toBe(2);
  });
});
