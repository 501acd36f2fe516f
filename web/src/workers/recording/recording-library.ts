import { ErrorCode, type Instrument } from '@tickmesh/shared';
import type { BookHash, ImportResult, RecordingInfo, ReplayRequest } from '../terminal-api';
import type { TradeSink } from '../stream-books';
import { Recorder, type CheckpointSource, type RecorderOptions } from './recorder';
import { exportRecording, importRecording, toInfo } from './recording-file';
import { openRecordingDb, RECORDING_DB_NAME, streamChunkRange, type RecordingDb, type RecordingRow } from './recording-db';
import { deleteRecording } from './recording-retention';
import { ReplayPlayer, type ReplayPlayerOptions } from './replay-player';

/** Options of `RecordingLibrary`. */
export interface RecordingLibraryOptions extends RecorderOptions {
  /** IndexedDB database name. Default 'tickmesh-recordings'. */
  dbName?: string;
}

/** A replay request checked against what is stored. */
export type OpenPlayerResult = { ok: true; player: ReplayPlayer } | { ok: false; code: string; message: string };

/**
 * Everything the worker does with stored recordings, in one place: the recorder of live
 * frames, the list the replay picker shows, delete, export, import, and players for replay.
 */
export class RecordingLibrary {
  readonly recorder: Recorder;

  constructor(checkpointOf: CheckpointSource, options: RecordingLibraryOptions = {}) {
    const name = options.dbName ?? RECORDING_DB_NAME;
    this.recorder = new Recorder(() => openRecordingDb(name), checkpointOf, options);
  }

  private db(): Promise<RecordingDb | undefined> {
    return this.recorder.database();
  }

  /** Starts recording what the relay listing `instruments` sends (unless IndexedDB is unavailable). */
  begin(instruments: Instrument[]): Promise<number> {
    return this.recorder.begin(instruments);
  }

  async list(): Promise<RecordingInfo[]> {
    const db = await this.db();
    if (!db) return [];
    const rows = await db.getAll('recordings');
    const live = this.recorder.recording ? this.recorder.recordingId : 0;
    return rows.reverse().map((r) => toInfo(r, r.id === live));
  }

  async delete(id: number): Promise<void> {
    const db = await this.db();
    if (!db) return;
    if (id === this.recorder.recordingId) await this.recorder.end();
    await deleteRecording(db, id);
    await this.recorder.recount();
  }

  /** The recording as a file; undefined when there is no such recording. */
  async export(id: number): Promise<Blob | undefined> {
    const r = await this.committedRow(id);
    return r && exportRecording(r.db, r.row);
  }

  /** A recording's row with everything received so far committed (the live one is flushed first); undefined when there is none. */
  private async committedRow(id: number): Promise<{ db: RecordingDb; row: RecordingRow } | undefined> {
    const db = await this.db();
    if (!db || !(await db.getKey('recordings', id))) return undefined;
    if (id === this.recorder.recordingId) await this.recorder.flush();
    const row = await db.get('recordings', id);
    return row && { db, row };
  }

  async import(file: Blob, name: string, partial: boolean): Promise<ImportResult> {
    const db = await this.db();
    if (!db) return { ok: false, code: ErrorCode.RECORDING_UNAVAILABLE, message: 'IndexedDB is not available here', intactFrames: 0, offset: 0 };
    const result = await importRecording(db, new Uint8Array(await file.arrayBuffer()), name, partial);
    await this.recorder.recount();
    return result;
  }

  /** Opens a player positioned at the request's start (paused); refuses with a REPLAY_* code. */
  async player(request: ReplayRequest, onTrade: TradeSink, options?: ReplayPlayerOptions): Promise<OpenPlayerResult> {
    const r = await this.committedRow(request.recordingId);
    if (!r) return { ok: false, code: ErrorCode.REPLAY_UNKNOWN_RECORDING, message: `no recording ${request.recordingId}` };
    const { db, row: fresh } = r;
    const held = fresh.streams.map((s) => s.streamId);
    const streamIds = request.streamIds === undefined ? held : request.streamIds.filter((s) => held.includes(s));
    if (streamIds.length === 0) return { ok: false, code: ErrorCode.REPLAY_NO_STREAMS, message: 'the recording holds none of the streams asked for' };
    const fromUs = Math.max(request.fromUs ?? fresh.startUs, fresh.startUs);
    const toUs = Math.min(request.toUs ?? fresh.endUs, fresh.endUs);
    if (fresh.frames === 0 || fromUs > toUs) return { ok: false, code: ErrorCode.REPLAY_EMPTY_RANGE, message: 'no recorded frame in that time range' };
    const player = new ReplayPlayer(db, fresh, streamIds, fromUs, toUs, onTrade, options);
    await player.open();
    return { ok: true, player };
  }

  /**
   * The last checkpoint of each stream of a recording: the book after the stream's last stored
   * frame when the stream was closed or the recording ended normally (a crash leaves the last
   * periodic one).
   */
  async lastCheckpointHashes(id: number): Promise<BookHash[]> {
    const db = await this.db();
    const row = db ? await db.get('recordings', id) : undefined;
    if (!db || !row) return [];
    const out: BookHash[] = [];
    for (const s of row.streams) {
      const c = await db.transaction('checkpoints').store.openCursor(streamChunkRange(id, s.streamId), 'prev');
      if (c) out.push({ streamId: s.streamId, seq: c.value.seq, stateHash: c.value.stateHash });
    }
    return out;
  }
}
