import type { RetentionOptions } from '../terminal-api';
import { recordingRange, streamChunkRange, type RecordingDb, type RecordingRow } from './recording-db';

/** What retention removed: bytes in total, and the live recording's new totals when it lost data. */
export interface RetentionResult {
  bytes: number;
  live?: Pick<RecordingRow, 'startUs' | 'frames' | 'bytes'>;
}

/** Bytes of every recording (chunks and checkpoints), from their rows. */
export async function sumStoredBytes(db: RecordingDb): Promise<number> {
  let n = 0;
  for (const r of await db.getAll('recordings')) n += r.bytes;
  return n;
}

/**
 * Recordings left unsealed by a worker that ended without `end()` (tab closed, crash) are
 * complete up to their last commit: sealed here. Recordings another recorder is writing
 * (`writing`: their Web Locks are held) are left alone.
 */
export async function sealAbandoned(db: RecordingDb, writing: ReadonlySet<number>): Promise<void> {
  const tx = db.transaction('recordings', 'readwrite');
  for (const r of await tx.store.getAll()) if (!r.sealed && !writing.has(r.id!)) await tx.store.put({ ...r, sealed: true });
  await tx.done;
}

/** Deletes a recording with all its chunks and checkpoints; returns the bytes freed. */
export async function deleteRecording(db: RecordingDb, id: number): Promise<number> {
  const tx = db.transaction(['recordings', 'chunks', 'checkpoints'], 'readwrite');
  const row = await tx.objectStore('recordings').get(id);
  await tx.objectStore('chunks').delete(recordingRange(id));
  await tx.objectStore('checkpoints').delete(recordingRange(id));
  await tx.objectStore('recordings').delete(id);
  await tx.done;
  return row?.bytes ?? 0;
}

/**
 * Removes the oldest data until every limit holds: chunks go oldest first (by their last
 * frame's receive time, across recordings) while the total is over `maxBytes` or the chunk
 * is older than `maxAgeMs`. A stream then must start at a checkpoint (a replay cannot start
 * from deltas alone), so its chunks up to the next checkpoint go too. Recordings left empty
 * are deleted, except the one being written (`liveId`). One transaction: all or nothing.
 */
export async function enforceRetention(db: RecordingDb, limits: RetentionOptions, nowUs: number, liveId: number | undefined, writing: ReadonlySet<number> = new Set()): Promise<RetentionResult> {
  const cutoffUs = nowUs - limits.maxAgeMs * 1000;
  const rows = await db.getAll('recordings');
  let total = 0;
  for (const r of rows) total += r.bytes;
  // Age applies to what this browser recorded; an imported recording stays until deleted or pushed out by size.
  const ages = (r: RecordingRow | undefined) => r !== undefined && r.source === 'recorded';
  // Another tab's recorder keeps its recording's totals in memory: its data is not ours to cut.
  const othersWriting = (id: number) => id !== liveId && writing.has(id);
  if (total <= limits.maxBytes && !rows.some((r) => ages(r) && r.startUs > 0 && r.startUs < cutoffUs)) return { bytes: 0 };

  const tx = db.transaction(['recordings', 'chunks', 'checkpoints'], 'readwrite');
  const chunks = tx.objectStore('chunks');
  const cps = tx.objectStore('checkpoints');
  const byId = new Map(rows.map((r) => [r.id!, { ...r }]));
  /** Highest chunk number deleted per "recording:stream". */
  const cut = new Map<string, { rec: number; stream: number; chunkNo: number }>();
  let freed = 0;
  const drop = (recordingId: number, bytes: number, frames: number) => {
    const r = byId.get(recordingId);
    if (r) {
      r.bytes -= bytes;
      r.frames -= frames;
    }
    freed += bytes;
    total -= bytes;
  };

  for (let c = await chunks.index('byEnd').openCursor(); c; c = await c.continue()) {
    const v = c.value;
    if (othersWriting(v.recordingId)) continue;
    if (total <= limits.maxBytes) {
      if (v.endUs >= cutoffUs) break;
      if (!ages(byId.get(v.recordingId))) continue;
    }
    drop(v.recordingId, v.data.byteLength, v.count);
    await c.delete();
    const key = `${v.recordingId}:${v.streamId}`;
    const prev = cut.get(key);
    if (!prev || v.chunkNo > prev.chunkNo) cut.set(key, { rec: v.recordingId, stream: v.streamId, chunkNo: v.chunkNo });
  }

  for (const { rec, stream, chunkNo } of cut.values()) {
    // The first checkpoint after the cut is where the stream now starts.
    const next = await cps.openCursor(streamChunkRange(rec, stream, chunkNo + 1));
    const startNo = next ? (next.value.chunkNo as number) : Number.MAX_SAFE_INTEGER;
    for (let c = await chunks.openCursor(streamChunkRange(rec, stream, 0, startNo, true)); c; c = await c.continue()) {
      drop(rec, c.value.data.byteLength, c.value.count);
      await c.delete();
    }
    for (let c = await cps.openCursor(streamChunkRange(rec, stream, 0, startNo, true)); c; c = await c.continue()) {
      drop(rec, c.value.snapshot.byteLength, 0);
      await c.delete();
    }
  }

  let live: RetentionResult['live'];
  const touched = new Set([...cut.values()].map((c) => c.rec));
  for (const id of touched) {
    const r = byId.get(id);
    if (!r) continue;
    let startUs = 0;
    for (const s of r.streams) {
      const first = await chunks.openCursor(streamChunkRange(id, s.streamId));
      if (first && (startUs === 0 || first.value.startUs < startUs)) startUs = first.value.startUs;
    }
    r.startUs = startUs;
    if (r.frames <= 0 && id !== liveId) {
      // Nothing left to replay: the checkpoints of a recording without chunks go with it.
      await cps.delete(recordingRange(id));
      await tx.objectStore('recordings').delete(id);
      freed += Math.max(0, r.bytes);
      continue;
    }
    if (startUs === 0) r.endUs = 0;
    await tx.objectStore('recordings').put(r);
    if (id === liveId) live = { startUs: r.startUs, frames: r.frames, bytes: r.bytes };
  }
  await tx.done;
  return live ? { bytes: freed, live } : { bytes: freed };
}
