import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { Instrument } from '@tickmesh/shared';

/**
 * The IndexedDB schema of recordings (one database per origin).
 *
 * - `recordings`: one row per recording (what the replay picker lists), updated in the same
 *   transaction as its chunks so totals never disagree with the data.
 * - `chunks`: frames of one stream over a short span, packed (FrameChunkBuilder), keyed by
 *   recording, stream and a per-stream chunk number; `byStart` finds the chunk at a time.
 * - `checkpoints`: the book of a stream after every frame of chunks before `chunkNo` (an
 *   encoded BookSnapshot), so a seek starts from the nearest one instead of the beginning.
 */
export const RECORDING_DB_NAME = 'tickmesh-recordings';
const VERSION = 1;

export interface RecordingRow {
  id?: number;
  name: string;
  createdBy: string;
  createdUs: number;
  instruments: Instrument[];
  /** Receive time of the first and last frame kept, µs (0 while empty). */
  startUs: number;
  endUs: number;
  frames: number;
  bytes: number;
  /** Streams with frames, and the next chunk number of each (the writer's cursor). */
  streams: Array<{ streamId: number; nextChunkNo: number }>;
  source: 'recorded' | 'imported';
  /** False while a recorder writes it (and after a crash mid-recording, until the next open seals it). */
  sealed: boolean;
}

export interface ChunkRow {
  recordingId: number;
  streamId: number;
  chunkNo: number;
  startUs: number;
  endUs: number;
  count: number;
  data: ArrayBuffer;
}

export interface CheckpointRow {
  recordingId: number;
  streamId: number;
  /** The book equals the stream's state after every frame of chunks numbered below this. */
  chunkNo: number;
  /** Receive time of the last frame before the checkpoint, µs. */
  timeUs: number;
  epoch: number;
  seq: number;
  stateHash: string;
  /** One ServerMessage holding a BookSnapshot (the codec's bytes), recent trades included. */
  snapshot: ArrayBuffer;
}

export interface RecordingSchema extends DBSchema {
  recordings: { key: number; value: RecordingRow };
  chunks: { key: [number, number, number]; value: ChunkRow; indexes: { byEnd: number; byStart: [number, number, number] } };
  checkpoints: { key: [number, number, number]; value: CheckpointRow; indexes: { byTime: [number, number, number] } };
}

export type RecordingDb = IDBPDatabase<RecordingSchema>;

/** Opens (creating or upgrading) the recordings database. */
export function openRecordingDb(name = RECORDING_DB_NAME): Promise<RecordingDb> {
  return openDB<RecordingSchema>(name, VERSION, {
    upgrade(db) {
      db.createObjectStore('recordings', { keyPath: 'id', autoIncrement: true });
      const chunks = db.createObjectStore('chunks', { keyPath: ['recordingId', 'streamId', 'chunkNo'] });
      chunks.createIndex('byEnd', 'endUs');
      chunks.createIndex('byStart', ['recordingId', 'streamId', 'startUs']);
      const cps = db.createObjectStore('checkpoints', { keyPath: ['recordingId', 'streamId', 'chunkNo'] });
      cps.createIndex('byTime', ['recordingId', 'streamId', 'timeUs']);
    },
  });
}

/**
 * Keys of one stream from chunk number `fromChunkNo` up to `toChunkNo` (inclusive unless
 * `openEnd`), in the chunks or the checkpoints store (both keyed [recording, stream, chunk no]).
 */
export function streamChunkRange(recordingId: number, streamId: number, fromChunkNo = 0, toChunkNo = Number.MAX_SAFE_INTEGER, openEnd = false): IDBKeyRange {
  return IDBKeyRange.bound([recordingId, streamId, fromChunkNo], [recordingId, streamId, toChunkNo], false, openEnd);
}

/** Every key of one recording, in the chunks or the checkpoints store. */
export function recordingRange(recordingId: number): IDBKeyRange {
  return IDBKeyRange.bound([recordingId, 0, 0], [recordingId, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]);
}

/** Every checkpoint of one stream at or before `timeUs` (on the byTime index). */
export function checkpointsUntil(recordingId: number, streamId: number, timeUs: number): IDBKeyRange {
  return IDBKeyRange.bound([recordingId, streamId, 0], [recordingId, streamId, timeUs]);
}

/** True when an IndexedDB failure is the origin's quota running out (Chromium: DOMException "QuotaExceededError"). */
export function isQuotaError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'QuotaExceededError';
}
