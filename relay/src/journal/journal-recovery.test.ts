import { readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal } from './journal';
import { JournalError, JournalErrorCode } from './journal-error';
import { HEADER_BYTES, chainHash, payloadCrc } from './journal-format';
import type { JournalEntry } from '@tickmesh/shared';
import { encodeJournalRecord } from '@tickmesh/shared';
import { verifyJournal } from './verify-journal';
import { recordLayout, tempDir } from './test-fixtures/journal-files';
import { sampleRecord } from './test-fixtures/sample-records';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => { tmp = await tempDir(); });
afterEach(async () => { await tmp.cleanup(); });

async function writeJournal(path: string, count: number): Promise<{ entries: JournalEntry[]; bytes: Buffer }> {
  const { journal } = await Journal.open(path);
  const entries = await Promise.all(Array.from({ length: count }, (_, i) => journal.append(sampleRecord(i + 1))));
  await journal.close();
  return { entries, bytes: await readFile(path) };
}

async function openError(path: string): Promise<JournalError> {
  try {
    const { journal } = await Journal.open(path);
    await journal.close();
  } catch (e) {
    if (e instanceof JournalError) return e;
    throw e;
  }
  throw new Error('open() accepted a damaged journal');
}

describe('torn tail', () => {
  it('recovers every earlier record at every cut inside the last record, then chains new appends', async () => {
    const path = tmp.file();
    const { entries, bytes } = await writeJournal(path, 5);
    const last = recordLayout(bytes)[4]!;
    for (let cut = last.offset + 1; cut < last.end; cut++) {
      await writeFile(path, bytes.subarray(0, cut));
      const read = await Journal.read(path); // read-only: skips the tail, leaves the file alone
      expect(read).toEqual(entries.slice(0, 4));
      expect((await stat(path)).size).toBe(cut);

      const { journal, entries: recovered, recovered: info } = await Journal.open(path);
      expect(recovered).toEqual(entries.slice(0, 4));
      expect(info.truncatedBytes).toBe(cut - last.offset);
      expect((await stat(path)).size).toBe(last.offset);
      const again = await journal.append(sampleRecord(5));
      await journal.close();
      // Same record at the same seq after the same chain: byte-identical to the original.
      expect(again).toEqual(entries[4]);
      expect(await readFile(path)).toEqual(bytes);
    }
  });

  it('treats a cut inside the length prefix of the first record as torn', async () => {
    const path = tmp.file();
    const { bytes } = await writeJournal(path, 1);
    await writeFile(path, bytes.subarray(0, HEADER_BYTES + 2));
    const { journal, entries, recovered } = await Journal.open(path);
    await journal.close();
    expect(entries).toEqual([]);
    expect(recovered.truncatedBytes).toBe(2);
  });

  it('treats a zero-filled tail (size extended before data landed) as torn', async () => {
    const path = tmp.file();
    const { entries, bytes } = await writeJournal(path, 3);
    await writeFile(path, Buffer.concat([bytes, Buffer.alloc(300)]));
    const v = await verifyJournal(path);
    expect(v).toMatchObject({ ok: true, records: 3, tornBytes: 300 });
    const { journal, entries: got, recovered } = await Journal.open(path);
    await journal.close();
    expect(got).toEqual(entries);
    expect(recovered.truncatedBytes).toBe(300);
  });

  it('refuses, rather than truncates, a length field pointing far past the end (more than one write)', async () => {
    const path = tmp.file();
    const { journal } = await Journal.open(path, { maxBatchBytes: 4096, maxRecordBytes: 1 << 20 });
    for (let n = 1; n <= 400; n++) await journal.append(sampleRecord(n)); // ~40 KiB, far more than one record's slack
    await journal.close();
    const bytes = await readFile(path);
    const third = recordLayout(bytes)[2]!;
    bytes.writeUInt32LE(bytes.length, third.offset); // a plausible length, but past EOF
    await writeFile(path, bytes);
    const opts = { maxBatchBytes: 4096, maxRecordBytes: 8192 };
    const v = await verifyJournal(path, opts);
    expect(v).toMatchObject({ ok: false, code: JournalErrorCode.JOURNAL_CORRUPT, record: 3, offset: third.offset });
    await expect(Journal.open(path, opts)).rejects.toMatchObject({ code: JournalErrorCode.JOURNAL_CORRUPT, record: 3 });
  });
});

describe('tamper evidence', () => {
  it('reports a flipped payload byte as JOURNAL_CORRUPT at that record', async () => {
    const path = tmp.file();
    const { bytes } = await writeJournal(path, 7);
    const rec = recordLayout(bytes)[3]!;
    bytes[rec.offset + 4 + (rec.payloadBytes >> 1)]! ^= 0x01;
    await writeFile(path, bytes);

    const err = await openError(path);
    expect(err).toMatchObject({ code: JournalErrorCode.JOURNAL_CORRUPT, record: 4, offset: rec.offset });
    await expect(Journal.read(path)).rejects.toMatchObject({ code: JournalErrorCode.JOURNAL_CORRUPT, record: 4 });
    expect(await verifyJournal(path)).toMatchObject({ ok: false, code: JournalErrorCode.JOURNAL_CORRUPT, record: 4, offset: rec.offset });
    expect((await readFile(path)).equals(bytes)).toBe(true); // a failed open changes nothing
  });

  it('reports a rewritten payload with a fixed CRC as JOURNAL_CHAIN_BROKEN', async () => {
    const path = tmp.file();
    const { bytes } = await writeJournal(path, 7);
    const rec = recordLayout(bytes)[3]!;
    // A same-length forgery: the same kind of record with a different detail string.
    const forged = encodeJournalRecord({ ...sampleRecord(4), detail: '#X' } as ReturnType<typeof sampleRecord>);
    expect(forged.length).toBe(rec.payloadBytes);
    Buffer.from(forged).copy(bytes, rec.offset + 4);
    bytes.writeUInt32LE(payloadCrc(forged), rec.offset + 4 + rec.payloadBytes);
    await writeFile(path, bytes);

    expect(await openError(path)).toMatchObject({ code: JournalErrorCode.JOURNAL_CHAIN_BROKEN, record: 4, offset: rec.offset });
    expect(await verifyJournal(path)).toMatchObject({ ok: false, code: JournalErrorCode.JOURNAL_CHAIN_BROKEN, record: 4, offset: rec.offset });
  });

  it('reports a forged stored hash as JOURNAL_CHAIN_BROKEN at that record', async () => {
    const path = tmp.file();
    const { bytes } = await writeJournal(path, 5);
    const second = recordLayout(bytes)[1]!;
    bytes[second.end - 1]! ^= 0xff;
    await writeFile(path, bytes);
    expect(await verifyJournal(path)).toMatchObject({ ok: false, code: JournalErrorCode.JOURNAL_CHAIN_BROKEN, record: 2, offset: second.offset });
  });

  it('catches a forgery that also fixes its CRC and its own hash at the following record', async () => {
    const path = tmp.file();
    const { entries, bytes } = await writeJournal(path, 5);
    const [, second, third] = recordLayout(bytes);
    const forged = encodeJournalRecord({ ...sampleRecord(2), report: { ...(sampleRecord(2) as { report: object }).report, tradeId: 7 } } as ReturnType<typeof sampleRecord>);
    expect(forged.length).toBe(second!.payloadBytes);
    Buffer.from(forged).copy(bytes, second!.offset + 4);
    bytes.writeUInt32LE(payloadCrc(forged), second!.offset + 4 + forged.length);
    chainHash(Buffer.from(entries[0]!.hash, 'hex'), 2, forged).copy(bytes, second!.end - 32);
    await writeFile(path, bytes);
    expect(await verifyJournal(path)).toMatchObject({ ok: false, code: JournalErrorCode.JOURNAL_CHAIN_BROKEN, record: 3, offset: third!.offset });
  });

  it('reports a deleted middle record as JOURNAL_CHAIN_BROKEN', async () => {
    const path = tmp.file();
    const { bytes } = await writeJournal(path, 5);
    const layout = recordLayout(bytes);
    const cut = Buffer.concat([bytes.subarray(0, layout[1]!.offset), bytes.subarray(layout[1]!.end)]);
    await writeFile(path, cut);
    expect(await verifyJournal(path)).toMatchObject({ ok: false, code: JournalErrorCode.JOURNAL_CHAIN_BROKEN, record: 2, offset: layout[1]!.offset });
  });

  it('reports swapped records as JOURNAL_CHAIN_BROKEN', async () => {
    const path = tmp.file();
    const { bytes } = await writeJournal(path, 4);
    const [, b, c] = recordLayout(bytes);
    const swapped = Buffer.concat([
      bytes.subarray(0, b!.offset), bytes.subarray(c!.offset, c!.end), bytes.subarray(b!.offset, b!.end), bytes.subarray(c!.end),
    ]);
    await writeFile(path, swapped);
    expect(await verifyJournal(path)).toMatchObject({ ok: false, code: JournalErrorCode.JOURNAL_CHAIN_BROKEN, record: 2 });
  });

  it('detects a changed header through the genesis hash', async () => {
    const path = tmp.file();
    const { bytes } = await writeJournal(path, 2);
    bytes[HEADER_BYTES - 1]! ^= 0x01; // created time
    await writeFile(path, bytes);
    expect(await verifyJournal(path)).toMatchObject({ ok: false, code: JournalErrorCode.JOURNAL_CHAIN_BROKEN, record: 1, offset: HEADER_BYTES });
  });

  it('reports a garbage length in the middle as JOURNAL_CORRUPT', async () => {
    const path = tmp.file();
    const { bytes } = await writeJournal(path, 5);
    const rec = recordLayout(bytes)[2]!;
    bytes.writeUInt32LE(0xfffffff0, rec.offset);
    await writeFile(path, bytes);
    expect(await verifyJournal(path)).toMatchObject({ ok: false, code: JournalErrorCode.JOURNAL_CORRUPT, record: 3, offset: rec.offset });
  });
});

describe('bad header', () => {
  it.each([
    ['wrong magic', (b: Buffer) => { b.write('XXXX', 0, 'latin1'); }],
    ['unknown version', (b: Buffer) => { b.writeUInt32LE(99, 4); }],
  ])('refuses a journal with %s', async (_name, damage) => {
    const path = tmp.file();
    const { bytes } = await writeJournal(path, 1);
    damage(bytes);
    await writeFile(path, bytes);
    expect(await openError(path)).toMatchObject({ code: JournalErrorCode.JOURNAL_BAD_HEADER, record: 0, offset: 0 });
    expect(await verifyJournal(path)).toMatchObject({ ok: false, code: JournalErrorCode.JOURNAL_BAD_HEADER, record: 0, offset: 0 });
  });

  it('refuses a file shorter than the header (creation is atomic, so this is never a crash)', async () => {
    const path = tmp.file();
    await writeJournal(path, 0);
    await truncate(path, 10);
    expect(await openError(path)).toMatchObject({ code: JournalErrorCode.JOURNAL_BAD_HEADER });
    await writeFile(path, '');
    expect(await openError(path)).toMatchObject({ code: JournalErrorCode.JOURNAL_BAD_HEADER });
  });
});
