import { decodeServer, readRecording, venuesOf, RecordingWriter, type RecordingReadResult } from '@tickmesh/shared';
import { StreamBooks } from '../stream-books';
import type { ImportResult } from '../terminal-api';
import { bookCheckpoint } from './book-checkpoint';
import { MergedFrameReader } from './merged-frame-reader';
import { Recorder } from './recorder';
import { deleteRecording } from './recording-retention';
import type { RecordingDb, RecordingRow } from './recording-db';

/** Bytes an export collects before handing a part to the Blob (few large parts, not one per frame). */
const PART_BYTES = 1 << 20;

/**
 * A recording as a file (shared/src/codec/RECORDING-FORMAT.md): its header, then the frames of
 * every stream merged in receive order, each exactly as received. Where a stream's stored
 * frames alone cannot rebuild its book (it starts at a checkpoint — it joined with its book in
 * sync, or retention cut its beginning — or it resumes after frames shed while recording), the
 * checkpoint's BookSnapshot is written as a frame just before the stream's next one, so the
 * file replays anywhere exactly as the recording does.
 */
export async function exportRecording(db: RecordingDb, row: RecordingRow): Promise<Blob> {
  const writer = new RecordingWriter({ createdBy: row.createdBy, createdTimeUs: row.createdUs, instruments: row.instruments });
  const parts: BlobPart[] = [writer.head.slice()];
  let part = new Uint8Array(PART_BYTES);
  let used = 0;
  const put = (bytes: Uint8Array) => {
    if (used + bytes.length > part.length) {
      parts.push(part.slice(0, used));
      used = 0;
      if (bytes.length > part.length) part = new Uint8Array(bytes.length);
    }
    part.set(bytes, used);
    used += bytes.length;
  };
  /** Per stream: the (epoch, seq) of the last book frame written, and a snapshot waiting to go before its next frame. */
  const last = new Map<number, { epoch: number; seq: number }>();
  const pending = new Map<number, Uint8Array>();
  const reader = await MergedFrameReader.whole(db, row, (streamId, cp) => {
    const l = last.get(streamId);
    if (l === undefined || l.epoch !== cp.epoch || l.seq !== cp.seq) pending.set(streamId, new Uint8Array(cp.snapshot));
  });
  await reader.forEach((streamId, receiveTimeUs, frame) => {
    const snapshot = pending.get(streamId);
    if (snapshot !== undefined) {
      pending.delete(streamId);
      put(writer.append({ streamId, receiveTimeUs, frame: snapshot }));
    }
    put(writer.append({ streamId, receiveTimeUs, frame }));
    const m = decodeServer(frame);
    if (m.ok && (m.value.type === 'bookBatch' || m.value.type === 'bookSnapshot')) last.set(streamId, { epoch: m.value.epoch, seq: m.value.seq });
  });
  if (used > 0) parts.push(part.slice(0, used));
  return new Blob(parts, { type: 'application/x-tickmesh-recording' });
}

/**
 * Reads a recording file into a new recording. A damaged file is refused with its
 * RECORDING_* code and nothing is written, unless `partial` (then its intact frames are
 * imported). Frames are replayed through books while stored, so the import gets
 * checkpoints like a live recording. Existing recordings are never touched.
 */
export async function importRecording(db: RecordingDb, bytes: Uint8Array, name: string, partial: boolean, reader: (b: Uint8Array) => RecordingReadResult = readRecording): Promise<ImportResult> {
  const read = reader(bytes);
  let recording;
  if (read.ok) recording = read.value;
  else if (partial && read.partial) recording = read.partial;
  else return { ok: false, code: read.reason.code, message: read.reason.message, intactFrames: read.reason.intactFrames, offset: read.reason.offset };

  const { header, frames } = recording;
  const books = new StreamBooks(() => {}, () => {});
  books.setStreams(header.instruments, venuesOf(header.instruments));
  let lastTimeUs = 0;
  // No shedding: the importer flushes every 2 MiB itself, so nothing it appends may be dropped.
  const recorder = new Recorder(
    async () => db,
    (streamId) => {
      const e = books.get(streamId);
      return e ? bookCheckpoint(e.stream, lastTimeUs) : undefined;
    },
    { maxPendingBytes: Number.POSITIVE_INFINITY },
  );
  const id = await recorder.begin(header.instruments, { name, createdBy: header.createdBy, createdUs: header.createdTimeUs, source: 'imported' });
  if (id === 0) return { ok: false, code: recorder.status().lastError || 'RECORDING_UNAVAILABLE', message: 'IndexedDB is not available', intactFrames: 0, offset: 0 };
  let sinceFlush = 0;
  for (const f of frames) {
    lastTimeUs = f.receiveTimeUs;
    // Stored before it is applied, as live: a checkpoint describes the frames already stored.
    recorder.append(f.streamId, f.receiveTimeUs, f.frame);
    const m = decodeServer(f.frame);
    if (m.ok && m.value.type === 'bookSnapshot') books.applySnapshot(m.value);
    else if (m.ok && m.value.type === 'bookBatch') books.applyBatch(m.value);
    sinceFlush += f.frame.length;
    if (sinceFlush >= 2 * 1024 * 1024) {
      sinceFlush = 0;
      await recorder.flush();
    }
  }
  await recorder.end();
  const status = recorder.status();
  if (status.state === 'full' || status.state === 'error') {
    // Half an import is no use: it goes; recordings held before were never touched.
    await deleteRecording(db, id).catch(() => {});
    return { ok: false, code: status.lastError, message: 'the import could not be stored; recordings held before are unchanged', intactFrames: 0, offset: 0 };
  }
  const row = await db.get('recordings', id);
  return { ok: true, recording: toInfo(row!, false) };
}

/** A row as the replay picker lists it. */
export function toInfo(row: RecordingRow, live: boolean): import('../terminal-api').RecordingInfo {
  return {
    id: row.id!,
    name: row.name,
    createdBy: row.createdBy,
    startUs: row.startUs,
    endUs: row.endUs,
    frames: row.frames,
    bytes: row.bytes,
    instruments: row.instruments.map((i) => ({ ...i })),
    streamIds: row.streams.map((s) => s.streamId),
    source: row.source,
    live,
  };
}
