import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../e2e/browser';
import { openModulePage, type ModulePage } from './browser-module-page';
import type { BookState, ImportOutcome, ReadBack, RecordResult, ReplayResult, SeekOutcome, SheddingRun, StepPauseSpeed, StoreSummary } from './fixtures/recording.entry';
import type { RecorderStatus } from '../../src/workers/terminal-api';

/*
 * The worker's recorder and replay player against Chromium's real IndexedDB (not a fake):
 * each group gets a fresh page (fresh origin, empty database) in one browser per file.
 * Feeds are seeded and synthetic; receive time is synthetic too, so a few minutes of a
 * 3-stream feed (1 s chunks, a checkpoint every 10 s per stream) record in well under a second.
 */

const entry = fileURLToPath(new URL('./fixtures/recording.entry.ts', import.meta.url));
const SEC = 1_000_000;
const DAY_US = 24 * 3600 * SEC;

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
}, 30_000);

afterAll(async () => {
  await browser?.close();
});

/** Runs `fn` on a fresh module page (its own IndexedDB) and closes the page whatever happens. */
async function withPage(fn: (mp: ModulePage) => Promise<void>, options: { quotaBytes?: number } = {}): Promise<void> {
  const mp = await openModulePage(entry, { browser, ...options });
  try {
    await fn(mp);
  } finally {
    await mp.close();
  }
}

/** The final books as hashes only (status may differ in wording between sides: compare what a replay must reproduce). */
const hashes = (books: BookState[]) => books.map((b) => ({ streamId: b.streamId, seq: b.seq, stateHash: b.stateHash }));

/** A summary row without `sealed` (a recorder that opens the database seals rows nobody is writing). */
const unsealed = (r: StoreSummary['recordings'][number]) => ({ ...r, sealed: undefined });

function expectTotalsMatchRows(rb: ReadBack): void {
  expect(rb.row).toBeDefined();
  expect(rb.row!.frames).toBe(rb.chunkFrames);
  expect(rb.row!.bytes).toBe(rb.chunkBytes + rb.checkpointBytes);
}

describe('recorder + replay player on one recording (3 streams × 120 s × 20 frames/s)', () => {
  let mp: ModulePage;
  let feed: { frames: number; bytes: number; startUs: number; endUs: number };
  let rec: RecordResult;

  beforeAll(async () => {
    mp = await openModulePage(entry, { browser });
    feed = await mp.call('makeFeed', 'A', { streams: 3, seconds: 120, rate: 20, seed: 11 });
    rec = await mp.call<RecordResult>('record', 'A');
  }, 30_000);

  afterAll(async () => {
    await mp?.close();
  });

  it('batches frames into far fewer chunk rows and reads every frame back in receive order, byte for byte', async () => {
    expect(feed.frames).toBe(7200);
    expect(rec.recordingId).toBeGreaterThan(0);
    expect(rec.status.state).toBe('off');
    expect(rec.status.framesRecorded).toBe(7200);
    expect(rec.status.framesShed).toBe(0);

    const rb = await mp.call<ReadBack>('readBack', rec.recordingId, 'A');
    // 1 s chunks: about one row per stream per second, not one per frame.
    expect(rb.chunkRows).toBeGreaterThanOrEqual(3 * 100);
    expect(rb.chunkRows).toBeLessThanOrEqual(3 * 130);
    expect(rb.chunkRows * 10).toBeLessThan(feed.frames);
    expect(rb.framesRead).toBe(7200);
    expect(rb.ordered).toBe(true);
    expect(rb.feedPrefix).toBe(true);
    expect(rb.streams.map((s) => [s.streamId, s.count, s.startIndex, s.contiguous])).toEqual([
      [1, 2400, 0, true],
      [2, 2400, 0, true],
      [3, 2400, 0, true],
    ]);
    // The row's totals are the sums of its rows: frames of its chunks, bytes of chunks + checkpoints.
    expectTotalsMatchRows(rb);
    expect(rb.chunkBytes).toBeGreaterThan(feed.bytes); // frames plus per-frame time/length varints
    expect(rb.row).toMatchObject({ startUs: feed.startUs, endUs: feed.endUs });
    expect(mp.errors).toEqual([]);
  });

  it('checkpoints: a full replay verifies them all, 0 mismatches, and ends on the recorder-side books', async () => {
    const rb = await mp.call<ReadBack>('readBack', rec.recordingId, 'A');
    // Every 10 s per stream, plus the final one at end().
    expect(rb.checkpointRows).toBeGreaterThanOrEqual(3 * 11);
    expect(rb.checkpointRows).toBeLessThanOrEqual(3 * 14);

    const r = await mp.call<ReplayResult>('replay', rec.recordingId);
    expect(r.status.state).toBe('ended');
    expect(r.status.framesPlayed).toBe(7200);
    expect(r.status.checkpointMismatches).toBe(0);
    expect(r.status.checkpointsVerified).toBeGreaterThanOrEqual(3 * 11);
    expect(r.restored).toBe(0);
    expect(r.staleAfterFrame).toBe(0);
    expect(r.resyncs).toBe(0);
    expect(r.status.lastError).toBe('');
    expect(hashes(r.books)).toEqual(hashes(rec.books));
    expect(r.books.every((b) => b.seq === 2399 && b.status === 'live')).toBe(true);
    // The last checkpoint of each stream is the book the recording ended with.
    expect(rb.lastCheckpoints.map((c) => ({ streamId: c.streamId, seq: c.seq, stateHash: c.stateHash }))).toEqual(hashes(rec.books));
  });

  it('seek: each book equals one built from the feed up to the target, starting from a checkpoint', async () => {
    const mid = Math.round((feed.startUs + feed.endUs) / 2);
    const targets = [feed.startUs, feed.startUs + 37 * SEC + 123_457, mid, feed.endUs - 2 * SEC, feed.startUs + 5 * SEC, feed.endUs];
    const out = await mp.call<SeekOutcome[]>('seekCheck', rec.recordingId, 'A', targets);
    expect(out).toHaveLength(targets.length);
    for (const o of out) {
      expect(hashes(o.replayed), `seek to ${o.targetUs}`).toEqual(hashes(o.reference));
      expect(o.positionUs).toBe(o.targetUs);
    }
    expect(out[0]!.feedFramesBefore).toBe(1);
    expect(out[0]!.framesApplied).toBe(1);
    // From a checkpoint at most ~10 s (+ one 1 s chunk) before the target: ≤ 12 s × 60 frames/s.
    for (const o of out.slice(1)) expect(o.framesApplied, `seek to ${o.targetUs}`).toBeLessThanOrEqual(12 * 60);
    for (const o of [out[2]!, out[3]!]) expect(o.framesApplied * 5).toBeLessThan(o.feedFramesBefore);
    expect(out[3]!.feedFramesBefore).toBeGreaterThan(6900);
    expect(out[5]!.state).toBe('ended');
    expect(out[5]!.replayed.every((b) => b.seq === 2399)).toBe(true);
  });

  it('paper trading: a seek cancels resting paper orders (never fills them from the frames it replays); a marketable order fills', async () => {
    const r = await mp.call<{ restingAfterPlace: number; afterSeek: Array<{ clientOrderId: string; status: number; filledQty: number }>; afterTake: Array<{ clientOrderId: string; status: number; filledQty: number }> }>('paperAcrossSeek', rec.recordingId);
    expect(r.restingAfterPlace).toBe(1);
    expect(r.afterSeek).toEqual([{ clientOrderId: 'rest', status: 10 /* Canceled */, filledQty: 0 }]);
    expect(r.afterTake.find((o) => o.clientOrderId === 'take')).toEqual({ clientOrderId: 'take', status: 9 /* Filled */, filledQty: 10 });
  });

  it('step(5) applies exactly 5 frames; pause stops playback; 100× plays faster than 1×', async () => {
    const r = await mp.call<StepPauseSpeed>('stepPauseSpeed', rec.recordingId);
    expect(r.afterOpen).toBe(1);
    expect(r.afterStep - r.afterOpen).toBe(5);
    expect(r.stateAfterStep).toBe('paused');
    expect(r.stepPositionUs).toBe(r.fifthFrameUs);
    // 1×: 60 frames per recorded second; 300 ms of wall time is ~18 frames (slack for a busy machine).
    expect(r.playedAt1x).toBeGreaterThan(0);
    expect(r.playedAt1x).toBeLessThan(150);
    expect(r.pausedState).toBe('paused');
    expect(r.pausedB).toBe(r.pausedA);
    expect(r.playedAt100x).toBeGreaterThan(5 * Math.max(r.playedAt1x, 10));
  });
});

describe('retention', () => {
  let mp: ModulePage | undefined;
  afterEach(async () => {
    await mp?.close();
    mp = undefined;
  });

  it('by size: the oldest data goes first; the newest recording stays whole; a cut stream starts at a checkpoint', async () => {
    mp = await openModulePage(entry, { browser });
    const recs: RecordResult[] = [];
    for (const [k, shiftH] of [['R1', -3], ['R2', -2], ['R3', -1]] as const) {
      await mp.call('makeFeed', k, { streams: 3, seconds: 90, rate: 20, seed: 100 + shiftH, shiftUs: shiftH * 3600 * SEC });
      recs.push(await mp.call<RecordResult>('record', k));
    }
    const before = await mp.call<StoreSummary>('summary');
    expect(before.recordings).toHaveLength(3);
    const [b1, b2, b3] = before.recordings;
    const maxBytes = b3!.bytes + Math.round(b2!.bytes / 2);
    const nowUs = b3!.endUs + SEC;

    const status = await mp.call<RecorderStatus>('retain', { maxBytes }, nowUs);
    const after = await mp.call<StoreSummary>('summary');
    expect(status.storedBytes).toBeLessThanOrEqual(maxBytes);
    const total = after.recordings.reduce((n, r) => n + r.bytes, 0);
    expect(total).toBeLessThanOrEqual(maxBytes);
    expect(status.storedBytes).toBe(total);
    // The oldest recording is gone, the middle one lost its start, the newest is untouched.
    expect(after.recordings.map((r) => r.id)).toEqual([b2!.id, b3!.id]);
    const a2 = after.recordings[0]!;
    expect(unsealed(after.recordings[1]!)).toEqual(unsealed(b3!));
    expect(a2.frames).toBeGreaterThan(0);
    expect(a2.frames).toBeLessThan(b2!.frames);
    expect(a2.startUs).toBeGreaterThan(b2!.startUs);
    expect(a2.endUs).toBe(b2!.endUs);
    expect(b1!.id).toBe(recs[0]!.recordingId);

    // What is left of R2: for each stream a contiguous run of its latest frames, starting at a checkpoint.
    const rb2 = await mp.call<ReadBack>('readBack', b2!.id, 'R2');
    expectTotalsMatchRows(rb2);
    expect(rb2.framesRead).toBe(a2.frames);
    expect(rb2.ordered).toBe(true);
    for (const s of rb2.streams) {
      expect(s.contiguous, `stream ${s.streamId}`).toBe(true);
      expect(s.startIndex).toBeGreaterThan(0);
      expect(s.startIndex + s.count).toBe(s.feedCount);
    }
    expect(rb2.firstChunks.every((c) => c.checkpointThere)).toBe(true);
    const r2 = await mp.call<ReplayResult>('replay', b2!.id);
    expect(r2.status.framesPlayed).toBe(a2.frames);
    expect(r2.status.checkpointMismatches).toBe(0);
    expect(r2.status.checkpointsVerified).toBeGreaterThan(0);
    expect(r2.staleAfterFrame).toBe(0);
    expect(r2.resyncs).toBe(0);
    expect(hashes(r2.books)).toEqual(hashes(recs[1]!.books));
    // Exported after the cut, the file still replays to the same books anywhere: each stream's
    // starting checkpoint travels in it as a snapshot frame.
    const exported = await mp.call<{ ok: boolean }>('exportTo', b2!.id, 'cutR2');
    expect(exported.ok).toBe(true);
    const applied = await mp.call<{ ok: boolean; books: BookState[]; staleStreams: number }>('applyFile', 'cutR2');
    expect(applied.staleStreams).toBe(0);
    expect(hashes(applied.books)).toEqual(hashes(recs[1]!.books));

    const rb3 = await mp.call<ReadBack>('readBack', b3!.id, 'R3');
    expect(rb3.feedPrefix).toBe(true);
    expect(rb3.framesRead).toBe(b3!.frames);
    expect(mp.errors).toEqual([]);
  });

  it('by quota: the size limit shrinks to 80% of what the browser gives the origin, oldest first', async () => {
    mp = await openModulePage(entry, { browser });
    for (const [k, shiftH] of [['Q1', -2], ['Q2', -1]] as const) {
      await mp.call('makeFeed', k, { streams: 3, seconds: 60, rate: 20, seed: 200 + shiftH, shiftUs: shiftH * 3600 * SEC });
      await mp.call<RecordResult>('record', k);
    }
    const before = await mp.call<StoreSummary>('summary');
    const total = before.recordings.reduce((n, r) => n + r.bytes, 0);
    const quota = Math.round(total * 0.9); // 80% of it is below what is stored
    const status = await mp.call<RecorderStatus>('retain', {}, before.recordings[1]!.endUs + SEC, quota);
    expect(status.retention.maxBytes).toBe(512 * 1024 * 1024); // the trader's limit is unchanged
    expect(status.storedBytes).toBeLessThanOrEqual(Math.floor(quota * 0.8));
    const after = await mp.call<StoreSummary>('summary');
    // The older recording lost data first; the newer one is whole.
    expect(after.recordings.find((r) => r.id === before.recordings[1]!.id)?.frames).toBe(before.recordings[1]!.frames);
    expect(after.recordings.find((r) => r.id === before.recordings[0]!.id)?.frames ?? 0).toBeLessThan(before.recordings[0]!.frames);
  });

  it('by age: old recorded data goes, an imported recording of the same age stays', async () => {
    mp = await openModulePage(entry, { browser });
    await mp.call('makeFeed', 'old', { streams: 3, seconds: 30, rate: 20, seed: 5, shiftUs: -10 * DAY_US });
    await mp.call('makeFeed', 'new', { streams: 3, seconds: 30, rate: 20, seed: 6 });
    const old = await mp.call<RecordResult>('record', 'old');
    await mp.call('exportTo', old.recordingId, 'oldFile');
    const imported = await mp.call<ImportOutcome>('importFile', 'oldFile', { kind: 'none' }, 'old.tmrec', false);
    expect(imported.ok).toBe(true);
    const fresh = await mp.call<RecordResult>('record', 'new');
    const before = await mp.call<StoreSummary>('summary');
    expect(before.recordings).toHaveLength(3);
    const nowUs = before.recordings[2]!.endUs + SEC;

    await mp.call('retain', { maxAgeMs: 7 * 24 * 3600 * 1000 }, nowUs);
    const after = await mp.call<StoreSummary>('summary');
    const importedId = imported.ok ? imported.recording.id : -1;
    expect(after.recordings.map((r) => r.id)).toEqual([importedId, fresh.recordingId]);
    expect(after.recordings.map(unsealed)).toEqual([before.recordings[1]!, before.recordings[2]!].map(unsealed));
    expect(after.recordings[0]!.source).toBe('imported');
    expect(after.recordings[0]!.startUs).toBeLessThan(nowUs - 7 * DAY_US);
    // Nothing of the aged-out recording is left behind.
    const rb = await mp.call<ReadBack>('readBack', old.recordingId, 'old');
    expect(rb.row).toBeUndefined();
    expect(rb.chunkRows).toBe(0);
    expect(rb.checkpointRows).toBe(0);
  });
});

describe('shedding', () => {
  it('a tiny pending limit with nothing committing sheds visibly; after flush it records again and replay crosses the hole', async () => {
    await withPage(async (mp) => {
      const feed = await mp.call<{ frames: number }>('makeFeed', 'S', { streams: 3, seconds: 60, rate: 20, seed: 21 });
      const r = await mp.call<SheddingRun>('recordShedding', 'S', 8 * 1024);
      expect(r.whileShedding.state).toBe('shedding');
      expect(r.whileShedding.framesShed).toBeGreaterThanOrEqual(200);
      expect(r.whileShedding.framesRecorded).toBe(0);
      // Once flush() has committed the backlog, the next frame is accepted again (buffered).
      expect(r.afterFlushAppend.state).toBe('recording');
      expect(r.afterFlushAppend.pendingBytes).toBeGreaterThan(0);
      expect(r.afterTick.state).toBe('recording');
      expect(r.final.state).toBe('off');
      expect(r.final.framesShed).toBeLessThan(400);
      expect(r.final.framesRecorded + r.final.framesShed).toBe(feed.frames);

      const rb = await mp.call<ReadBack>('readBack', r.recordingId, 'S');
      expectTotalsMatchRows(rb);
      expect(rb.framesRead).toBe(r.final.framesRecorded);
      expect(rb.ordered).toBe(true);
      // Each stream: its first frames, a hole, then the rest to the end.
      for (const s of rb.streams) {
        expect(s.startIndex).toBe(0);
        expect(s.contiguous).toBe(false);
        expect(s.count).toBeLessThan(s.feedCount);
      }

      const rp = await mp.call<ReplayResult>('replay', r.recordingId);
      expect(rp.status.framesPlayed).toBe(r.final.framesRecorded);
      expect(rp.status.checkpointMismatches).toBe(0);
      expect(rp.status.checkpointsVerified).toBeGreaterThan(0);
      // Every stream resumed from the checkpoint taken at resume.
      expect(rp.restored).toBe(3);
      expect(rp.staleAfterFrame).toBe(0);
      expect(hashes(rp.books)).toEqual(hashes(r.books));
      expect(mp.errors).toEqual([]);
    });
  });
});

describe('quota exceeded', () => {
  it('a commit past the quota stops the recording (full, RECORDING_QUOTA_EXCEEDED); what was committed stays readable', async () => {
    await withPage(async (mp) => {
      await mp.call('makeFeed', 'small', { streams: 3, seconds: 30, rate: 20, seed: 31 });
      const big = await mp.call<{ frames: number; bytes: number }>('makeFeed', 'big', { streams: 3, seconds: 1500, rate: 20, seed: 32, shiftUs: 3600 * SEC });
      expect(big.bytes).toBeGreaterThan(4 * 1024 * 1024);
      const first = await mp.call<RecordResult>('record', 'small');
      expect(first.status.state).toBe('off');

      const r = await mp.call<RecordResult>('record', 'big', { stopWhenDead: true });
      expect(r.failedAt).toBeDefined();
      expect(r.status.state).toBe('full');
      expect(r.status.lastError).toBe('RECORDING_QUOTA_EXCEEDED');
      expect(r.appended).toBeLessThan(big.frames);
      expect(r.status.framesRecorded).toBeGreaterThan(0);

      // The earlier recording, whole.
      const rb1 = await mp.call<ReadBack>('readBack', first.recordingId, 'small');
      expect(rb1.feedPrefix).toBe(true);
      expect(rb1.framesRead).toBe(1800);
      const rp1 = await mp.call<ReplayResult>('replay', first.recordingId);
      expect(rp1.status.checkpointMismatches).toBe(0);
      expect(hashes(rp1.books)).toEqual(hashes(first.books));

      // The committed part of this one: a prefix of each stream, totals consistent, replayable.
      const rb2 = await mp.call<ReadBack>('readBack', r.recordingId, 'big');
      expectTotalsMatchRows(rb2);
      expect(rb2.framesRead).toBe(r.status.framesRecorded);
      expect(rb2.framesRead).toBeGreaterThan(0);
      for (const s of rb2.streams) {
        expect(s.startIndex).toBe(0);
        expect(s.contiguous).toBe(true);
      }
      const rp2 = await mp.call<ReplayResult>('replay', r.recordingId);
      expect(rp2.status.framesPlayed).toBe(rb2.framesRead);
      expect(rp2.status.checkpointMismatches).toBe(0);
      expect(rp2.status.checkpointsVerified).toBeGreaterThan(0);
      expect(rp2.staleAfterFrame).toBe(0);
      // Over quota, a delete-only transaction still passes: the trader can make room.
      expect(await mp.call<number[]>('remove', first.recordingId)).toEqual([r.recordingId]);
      expect(mp.errors).toEqual([]);
    }, { quotaBytes: 3 * 1024 * 1024 });
  }, 40_000);
});

describe('export / import', () => {
  let mp: ModulePage;
  let rec: RecordResult;
  let fileFrames: number;

  beforeAll(async () => {
    mp = await openModulePage(entry, { browser });
    await mp.call('makeFeed', 'E', { streams: 3, seconds: 60, rate: 20, seed: 41 });
    rec = await mp.call<RecordResult>('record', 'E');
    const ex = await mp.call<{ ok: boolean; frames: number }>('exportTo', rec.recordingId, 'file');
    expect(ex.ok).toBe(true);
    fileFrames = ex.frames;
  }, 30_000);

  afterAll(async () => {
    await mp?.close();
  });

  it('export then import gives a new recording with equal frames that replays to the same books', async () => {
    expect(fileFrames).toBe(3600);
    const res = await mp.call<ImportOutcome>('importFile', 'file', { kind: 'none' }, 'copy.tmrec', false);
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.recording.id).not.toBe(rec.recordingId);
    expect(res.recording).toMatchObject({ frames: 3600, source: 'imported', name: 'copy.tmrec', streamIds: [1, 2, 3] });
    const same = await mp.call<{ a: number; b: number; equal: boolean }>('sameFrames', rec.recordingId, res.recording.id);
    expect(same).toEqual({ a: 3600, b: 3600, equal: true });
    const rp = await mp.call<ReplayResult>('replay', res.recording.id);
    expect(rp.status.checkpointMismatches).toBe(0);
    expect(rp.status.checkpointsVerified).toBeGreaterThan(0);
    expect(hashes(rp.books)).toEqual(hashes(rec.books));
  });

  it('damaged files are refused with their code and leave the store unchanged', async () => {
    const before = await mp.call<StoreSummary>('summary');
    const truncated = await mp.call<ImportOutcome>('importFile', 'file', { kind: 'truncate', keepFraction: 0.6 }, 'cut.tmrec', false);
    expect(truncated).toMatchObject({ ok: false, code: 'RECORDING_TRUNCATED' });
    expect(!truncated.ok && truncated.intactFrames).toBeGreaterThan(1000);
    expect(!truncated.ok && truncated.intactFrames).toBeLessThan(3600);
    expect(await mp.call<StoreSummary>('summary')).toEqual(before);

    const corrupt = await mp.call<ImportOutcome>('importFile', 'file', { kind: 'flipInFrame', frameIndex: 1234 }, 'flip.tmrec', false);
    expect(corrupt).toMatchObject({ ok: false, code: 'RECORDING_CORRUPT', intactFrames: 1234 });
    expect(await mp.call<StoreSummary>('summary')).toEqual(before);

    const garbage = await mp.call<ImportOutcome>('importFile', 'file', { kind: 'garbage', bytes: 4096 }, 'junk.tmrec', false);
    expect(garbage).toMatchObject({ ok: false, code: 'RECORDING_BAD_MAGIC', intactFrames: 0, offset: 0 });
    expect(await mp.call<StoreSummary>('summary')).toEqual(before);
    expect(mp.errors).toEqual([]);
  });

  it('partial=true imports the intact frames of a truncated file', async () => {
    const refused = await mp.call<ImportOutcome>('importFile', 'file', { kind: 'truncate', keepFraction: 0.5 }, 'half.tmrec', false);
    expect(refused.ok).toBe(false);
    const intact = refused.ok ? -1 : refused.intactFrames;
    const res = await mp.call<ImportOutcome>('importFile', 'file', { kind: 'truncate', keepFraction: 0.5 }, 'half.tmrec', true);
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.recording.frames).toBe(intact);
    const rb = await mp.call<ReadBack>('readBack', res.recording.id, 'E');
    expect(rb.framesRead).toBe(intact);
    expect(rb.feedPrefix).toBe(true);
    expectTotalsMatchRows(rb);
    const rp = await mp.call<ReplayResult>('replay', res.recording.id);
    expect(rp.status.framesPlayed).toBe(intact);
    expect(rp.status.checkpointMismatches).toBe(0);
    expect(rp.staleAfterFrame).toBe(0);
  });
});

/* Races between the recorder's writers, each once a bug: found by these tests, then fixed. */
describe('concurrent writes', () => {
  it('end() while a timer commit is in flight still seals the recording row', async () => {
    await withPage(async (mp) => {
      await mp.call('makeFeed', 'U', { streams: 3, seconds: 10, rate: 20, seed: 4 });
      const r = await mp.call<{ recordingId: number; status: RecorderStatus }>('endDuringCommit', 'U');
      expect(r.status.state).toBe('off');
      const rb = await mp.call<ReadBack>('readBack', r.recordingId, 'U');
      expect(rb.framesRead).toBe(600);
      expect(rb.row!.sealed).toBe(true);
    });
  });

  it('row.bytes counts a checkpoint once when end() meets a chunk number flush() already checkpointed', async () => {
    await withPage(async (mp) => {
      await mp.call('makeFeed', 'D', { streams: 3, seconds: 30, rate: 20, seed: 3 });
      // A checkpoint at every seal: the flush's seal checkpoints chunk n, end() puts another at n (same key).
      const r = await mp.call<RecordResult>('record', 'D', { flushBeforeEnd: true, checkpointIntervalUs: 1 });
      const rb = await mp.call<ReadBack>('readBack', r.recordingId, 'D');
      expect(rb.row!.frames).toBe(rb.chunkFrames);
      expect(rb.row!.bytes).toBe(rb.chunkBytes + rb.checkpointBytes);
    });
  });

  it('a flush() during applyRetention() leaves the live row with totals that agree with its chunks', async () => {
    await withPage(async (mp) => {
      await mp.call('makeFeed', 'Q', { streams: 3, seconds: 120, rate: 20, seed: 9 });
      const r = await mp.call<{ recordingId: number }>('retentionDuringFlush', 'Q', 3600, 150_000);
      const rb = await mp.call<ReadBack>('readBack', r.recordingId, 'Q');
      expect(rb.row!.frames).toBe(rb.chunkFrames);
      expect(rb.row!.bytes).toBe(rb.chunkBytes + rb.checkpointBytes);
    });
  });
});
