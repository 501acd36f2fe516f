import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal } from './journal';
import { JournalErrorCode } from './journal-error';
import { FRAME_OVERHEAD, HEADER_BYTES, encodeHeader, genesisHash } from './journal-format';
import type { JournalRecord } from '@tickmesh/shared';
import { decodeJournalRecord, encodeJournalRecord } from '@tickmesh/shared';
import { verifyJournal } from './verify-journal';
import { recordLayout, tempDir } from './test-fixtures/journal-files';
import { everyKind, sampleRecord } from './test-fixtures/sample-records';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => { tmp = await tempDir(); });
afterEach(async () => { await tmp.cleanup(); });

/** The chain recomputed from the file bytes with node:crypto alone, independent of the journal code. */
function expectedHashes(file: Buffer, records: JournalRecord[]): string[] {
  let prev = createHash('sha256').update(file.subarray(0, HEADER_BYTES)).digest();
  return records.map((r, i) => {
    const seq = Buffer.alloc(8);
    seq.writeBigUInt64LE(BigInt(i + 1));
    prev = createHash('sha256').update(prev).update(seq).update(encodeJournalRecord(r)).digest();
    return prev.toString('hex');
  });
}

describe('record codec', () => {
  it('round-trips every record kind exactly', () => {
    for (const r of everyKind()) expect(decodeJournalRecord(encodeJournalRecord(r))).toEqual(r);
  });

  it('round-trips records whose fields are all defaults', () => {
    const r: JournalRecord = { kind: 'admin', timeUs: 0, actor: '', action: '', target: '', detail: '' };
    expect(decodeJournalRecord(encodeJournalRecord(r))).toEqual(r);
  });

  it('refuses a payload without a known body', () => {
    expect(() => decodeJournalRecord(new Uint8Array([8, 1]))).toThrow();
  });
});

describe('format', () => {
  it('matches the check value in FORMAT.md', () => {
    const header = encodeHeader(0);
    expect(header.toString('hex')).toBe('544d4a31010000000000000000000000');
    expect(genesisHash(header).toString('hex')).toBe('8a8f588ad749b6bc74e65acc17988fa1157e31a17b18ece25e6526652e0fa37a');
  });
});

describe('Journal', () => {
  it('creates a file with only a header, and reports it', async () => {
    const { journal, entries, recovered } = await Journal.open(tmp.file());
    expect(entries).toEqual([]);
    expect(recovered).toEqual({ truncatedBytes: 0, created: true });
    expect(journal.lastSeq).toBe(0);
    await journal.close();
    const bytes = await readFile(tmp.file());
    expect(bytes.length).toBe(HEADER_BYTES);
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('TMJ1');
    expect(journal.headHash).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('with a replica, an append resolves only once the replica took its record, each handed over once in seq order; a refusal fails that append only', async () => {
    const handed: number[] = [];
    const release: (() => void)[] = [];
    const replicate = (e: { seq: number }) => {
      handed.push(e.seq);
      if (e.seq === 3) return Promise.reject(new Error('replica refused'));
      if (e.seq > 4) return Promise.resolve();
      return new Promise<void>((r) => release.push(r));
    };
    const { journal } = await Journal.open(tmp.file(), { fsync: false, replicate });
    let resolved = 0;
    const settled = Promise.allSettled([1, 2, 3, 4].map((n) => journal.append(sampleRecord(n)).then((e) => (resolved++, e.seq))));
    await new Promise((r) => setTimeout(r, 20));
    expect(handed).toEqual([1, 2, 3, 4]);
    expect(resolved).toBe(0);
    for (const r of release) r();
    const outcomes = await settled;
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[0] as PromiseFulfilledResult<number>).value).toBe(1);
    // The journal itself is fine: the next append goes through.
    expect((await journal.append(sampleRecord(5))).seq).toBe(5);
    await journal.close();
  });

  it('round-trips every kind with gap-free seqs and a chain recomputable from the bytes', async () => {
    const records = everyKind();
    const { journal } = await Journal.open(tmp.file());
    const appended = [];
    for (const r of records) appended.push(await journal.append(r));
    await journal.close();

    expect(appended.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    const file = await readFile(tmp.file());
    expect(appended.map((e) => e.hash)).toEqual(expectedHashes(file, records));
    expect(journal.headHash).toBe(appended[4]!.hash);

    const read = await Journal.read(tmp.file());
    expect(read).toEqual(appended);
    const { journal: again, entries, recovered } = await Journal.open(tmp.file());
    expect(entries).toEqual(appended);
    expect(recovered).toEqual({ truncatedBytes: 0, created: false });
    await again.close();
  });

  it('continues the chain after reopening', async () => {
    const first = await Journal.open(tmp.file());
    for (let n = 1; n <= 3; n++) await first.journal.append(sampleRecord(n));
    await first.journal.close();

    const second = await Journal.open(tmp.file());
    expect(second.journal.lastSeq).toBe(3);
    const e4 = await second.journal.append(sampleRecord(4));
    const e5 = await second.journal.append(sampleRecord(5));
    await second.journal.close();
    expect([e4.seq, e5.seq]).toEqual([4, 5]);

    const all = await Journal.read(tmp.file());
    expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(all.map((e) => e.record)).toEqual([1, 2, 3, 4, 5].map(sampleRecord));
    expect(all.map((e) => e.hash)).toEqual(expectedHashes(await readFile(tmp.file()), all.map((e) => e.record)));
    const v = await verifyJournal(tmp.file());
    expect(v).toEqual({ ok: true, records: 5, headHash: e5.hash, tornBytes: 0 });
  });

  it('group-commits 1,000 concurrent appends into far fewer syncs, all durable and in order', async () => {
    const { journal } = await Journal.open(tmp.file());
    const n = 1000;
    const acks = await Promise.all(Array.from({ length: n }, (_, i) => journal.append(sampleRecord(i + 1))));
    expect(acks.map((e) => e.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(journal.stats.appends).toBe(n);
    expect(journal.stats.syncs).toBeGreaterThan(0);
    expect(journal.stats.syncs).toBeLessThanOrEqual(10);
    expect(journal.stats.syncs).toBe(journal.stats.batches);
    await journal.close();

    const { journal: again, entries } = await Journal.open(tmp.file());
    await again.close();
    expect(entries).toEqual(acks);
  });

  it('batches appends that arrive while a write is in flight, in waves', async () => {
    const { journal } = await Journal.open(tmp.file());
    // 20 workers each appending 25 records back to back: every wave after the first lands
    // while a sync is in flight, so it must be carried by the next batch.
    let next = 1;
    const worker = async () => { for (let i = 0; i < 25; i++) await journal.append(sampleRecord(next++)); };
    await Promise.all(Array.from({ length: 20 }, worker));
    expect(journal.stats.appends).toBe(500);
    expect(journal.stats.syncs).toBeLessThan(100);
    await journal.close();
    const entries = await Journal.read(tmp.file());
    expect(entries.map((e) => e.record)).toEqual(Array.from({ length: 500 }, (_, i) => sampleRecord(i + 1)));
  });

  it('writes nothing while a fdatasync is in flight, so at most one batch is ever unsynced (the torn-tail bound)', async () => {
    const { journal } = await Journal.open(tmp.file());
    const first = journal.append(sampleRecord(1));
    await null; // the flush (a microtask) wrote batch 1 and started its fdatasync
    expect(journal.stats).toMatchObject({ batches: 1, syncs: 0 });
    const more = [2, 3, 4].map((n) => journal.append(sampleRecord(n)));
    await null;
    // The sync completes on a later turn of the event loop at the earliest: nothing more went down.
    expect(journal.stats).toMatchObject({ batches: 1, syncs: 0 });
    await first;
    await Promise.all(more);
    expect(journal.stats).toMatchObject({ appends: 4, batches: 2, syncs: 2 });
    await journal.close();
    expect((await Journal.read(tmp.file())).map((e) => e.record)).toEqual([1, 2, 3, 4].map(sampleRecord));
  });

  it('resolves an append only once its record is in the file', async () => {
    for (const fsync of [false, true]) {
      const path = tmp.file(`written-${fsync}.tmj`);
      const { journal } = await Journal.open(path, { fsync });
      const frame = encodeJournalRecord(sampleRecord(1)).length + FRAME_OVERHEAD;
      await journal.append(sampleRecord(1));
      expect((await stat(path)).size).toBe(HEADER_BYTES + frame);
      await journal.close();
    }
  });

  it('splits a burst into batches no larger than maxBatchBytes', async () => {
    const frame = encodeJournalRecord(sampleRecord(1)).length + FRAME_OVERHEAD;
    const { journal } = await Journal.open(tmp.file(), { maxBatchBytes: frame * 10 });
    await Promise.all(Array.from({ length: 100 }, (_, i) => journal.append(sampleRecord(i + 1))));
    expect(journal.stats.batches).toBeGreaterThanOrEqual(100 / 11);
    expect(journal.stats.bytes / journal.stats.batches).toBeLessThanOrEqual(frame * 11);
    await journal.close();
    expect((await Journal.read(tmp.file())).length).toBe(100);
  });

  it('writes a record larger than maxBatchBytes alone', async () => {
    const { journal } = await Journal.open(tmp.file(), { maxBatchBytes: 64 });
    const big: JournalRecord = { kind: 'admin', timeUs: 1, actor: 'a', action: 'b', target: 'c', detail: 'x'.repeat(5000) };
    await Promise.all([journal.append(sampleRecord(1)), journal.append(big), journal.append(sampleRecord(3))]);
    await journal.close();
    expect((await Journal.read(tmp.file(), { maxBatchBytes: 64 })).map((e) => e.record)).toEqual([sampleRecord(1), big, sampleRecord(3)]);
  });

  it('does not sync with fsync: false, and still stores everything', async () => {
    const { journal } = await Journal.open(tmp.file(), { fsync: false });
    await Promise.all(Array.from({ length: 50 }, (_, i) => journal.append(sampleRecord(i + 1))));
    expect(journal.stats.syncs).toBe(0);
    await journal.close();
    expect((await Journal.read(tmp.file())).length).toBe(50);
  });

  it('close() flushes appends that were not awaited', async () => {
    const { journal } = await Journal.open(tmp.file());
    const pending = Array.from({ length: 30 }, (_, i) => journal.append(sampleRecord(i + 1)));
    await journal.close();
    await expect(Promise.all(pending)).resolves.toHaveLength(30);
    expect((await Journal.read(tmp.file())).length).toBe(30);
    await journal.close(); // idempotent
  });

  it('rejects appends after close with JOURNAL_CLOSED, without consuming a seq', async () => {
    const { journal } = await Journal.open(tmp.file());
    await journal.append(sampleRecord(1));
    await journal.close();
    await expect(journal.append(sampleRecord(2))).rejects.toMatchObject({ code: JournalErrorCode.JOURNAL_CLOSED });
    expect(journal.lastSeq).toBe(1);
  });

  it('rejects a record over maxRecordBytes with JOURNAL_RECORD_TOO_LARGE, without consuming a seq', async () => {
    const { journal } = await Journal.open(tmp.file(), { maxRecordBytes: 200 });
    const big: JournalRecord = { kind: 'admin', timeUs: 1, actor: '', action: '', target: '', detail: 'x'.repeat(300) };
    await expect(journal.append(big)).rejects.toMatchObject({ code: JournalErrorCode.JOURNAL_RECORD_TOO_LARGE });
    const e = await journal.append(sampleRecord(1));
    expect(e.seq).toBe(1);
    await journal.close();
  });

  it('fails every later append with JOURNAL_IO_FAILED once a write has failed', async () => {
    const { journal } = await Journal.open(tmp.file());
    // Closing the descriptor underneath the journal is the simplest real I/O failure (EBADF).
    await (journal as unknown as { handle: { close(): Promise<void> } }).handle.close();
    await expect(journal.append(sampleRecord(1))).rejects.toMatchObject({ code: JournalErrorCode.JOURNAL_IO_FAILED });
    await expect(journal.append(sampleRecord(2))).rejects.toMatchObject({ code: JournalErrorCode.JOURNAL_IO_FAILED });
    expect((await stat(tmp.file())).size).toBe(HEADER_BYTES);
  });

  it('lays records out as length | payload | crc | hash after a 16-byte header', async () => {
    const { journal } = await Journal.open(tmp.file());
    const records = everyKind();
    for (const r of records) await journal.append(r);
    await journal.close();
    const file = await readFile(tmp.file());
    const layout = recordLayout(file);
    expect(layout.map((l) => l.payloadBytes)).toEqual(records.map((r) => encodeJournalRecord(r).length));
    expect(layout[layout.length - 1]!.end).toBe(file.length);
  });
});
