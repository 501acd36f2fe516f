/**
 * Journal: durable appends/s with group commit at several concurrencies, against the naive
 * alternative (one write + one fdatasync per record, serialised) run in the same process on the
 * same records, plus fsync off for scale. Concurrency = appends in flight (workers that each
 * await their append before the next). Real files in os.tmpdir(); figures depend on the disk's
 * fdatasync latency, so compare rows, not machines.
 *
 *   node --import tsx bench/journal.bench.ts
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal } from '../relay/src/journal/index';
import { FRAME_OVERHEAD } from '../relay/src/journal/journal-format';
import { encodeJournalRecord } from '../shared/src/codec/index';
import { sampleRecord } from '../relay/src/journal/test-fixtures/sample-records';
import { percentile, printTable, type BenchRow } from './table';

const RUN_MS = Number(process.env.JOURNAL_BENCH_MS ?? 1500);
const dir = await mkdtemp(join(tmpdir(), 'tickmesh-journal-bench-'));
let fileNo = 0;

// Records are built up front so the figures measure the journal, not the generator.
const RECORDS = Array.from({ length: 4096 }, (_, i) => sampleRecord(i + 1));

async function groupCommit(concurrency: number, fsync: boolean): Promise<BenchRow> {
  const { journal } = await Journal.open(join(dir, `j${fileNo++}.tmj`), { fsync });
  const latUs: number[] = [];
  let n = 0;
  const deadline = performance.now() + RUN_MS;
  const start = performance.now();
  const worker = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      await journal.append(RECORDS[n++ & 4095]!);
      latUs.push((performance.now() - t0) * 1000);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - start;
  await journal.close();
  const s = journal.stats;
  return {
    mode: 'journal (group commit)', fsync: fsync ? 'on' : 'off', concurrency,
    'appends/s': (s.appends * 1000) / elapsed, writes: s.batches, syncs: s.syncs,
    'records/write': s.appends / s.batches, 'p50 µs': percentile(latUs, 50), 'p99 µs': percentile(latUs, 99),
  };
}

/** The peer figure: what the journal would cost without group commit. */
async function writeSyncEach(concurrency: number): Promise<BenchRow> {
  const h = await open(join(dir, `naive${fileNo++}.bin`), 'w');
  const latUs: number[] = [];
  let pos = 0;
  let n = 0;
  let syncs = 0;
  let tail: Promise<void> = Promise.resolve();
  const deadline = performance.now() + RUN_MS;
  const start = performance.now();
  const appendOne = (payload: Uint8Array): Promise<void> => {
    const frame = Buffer.alloc(payload.length + FRAME_OVERHEAD);
    frame.set(payload, 4);
    const at = pos;
    pos += frame.length;
    tail = tail.then(async () => { await h.write(frame, 0, frame.length, at); await h.datasync(); syncs++; });
    return tail;
  };
  const worker = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      await appendOne(encodeJournalRecord(RECORDS[n++ & 4095]!));
      latUs.push((performance.now() - t0) * 1000);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - start;
  await h.close();
  return {
    mode: 'naive write+fdatasync each', fsync: 'on', concurrency,
    'appends/s': (n * 1000) / elapsed, writes: syncs, syncs, 'records/write': 1,
    'p50 µs': percentile(latUs, 50), 'p99 µs': percentile(latUs, 99),
  };
}

try {
  const rows: BenchRow[] = [];
  for (const c of [1, 16, 256]) {
    rows.push(await groupCommit(c, true));
    rows.push(await writeSyncEach(c));
  }
  for (const c of [1, 16, 256]) rows.push(await groupCommit(c, false));
  const recordBytes = encodeJournalRecord(RECORDS[0]!).length + FRAME_OVERHEAD;
  printTable(
    'Journal appends (durable = resolved after fdatasync)', rows,
    `~${recordBytes} B/record on disk; ${RUN_MS} ms per row; latency = append() call to resolve. No budget in DESIGN.md; printed, not asserted.`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
