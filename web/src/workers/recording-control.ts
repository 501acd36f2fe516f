/*
 * The recorder on the live path and the library of stored recordings: what is recorded (every
 * book frame of a held stream, before it is applied), when a recording starts and ends, and
 * the worker API over stored recordings (retention, list, delete, export, import). Kept apart
 * from the engine so IndexedDB concerns stay out of the message handling; replay mode reads
 * the same library (replay-mode.ts).
 */
import { ErrorCode, wallClockUs, type Instrument, type ServerMsg } from '@tickmesh/shared';
import { refused } from './place-result';
import { bookCheckpoint } from './recording/book-checkpoint';
import type { Recorder } from './recording/recorder';
import { RecordingLibrary, type RecordingLibraryOptions } from './recording/recording-library';
import { badRetention, isRecordingId } from './replay-input';
import type { StreamBooks } from './stream-books';
import type { BookHash, ExportResult, ImportResult, PlaceResult, RecordingInfo, RetentionOptions } from './terminal-api';

/** What the recorder takes from the engine whose frames it stores. */
export interface RecordingHost {
  /** The live books: what is held is recorded, and checkpoints are taken of them. */
  readonly books: StreamBooks;
  /** The relay's Welcome arrived on the current connection. */
  welcomed(): boolean;
  /** The relay's instruments (a new recording lists them). */
  instruments(): Instrument[];
}

export class RecordingControl {
  /** Stored frames: the recorder of what arrives, and replays of what was stored. */
  readonly library: RecordingLibrary;
  private wanted: boolean;
  /** Time the recorder took on the live path (copying frames into its chunks). */
  recordMs = 0;

  /** `options`: see TerminalEngineOptions.recording (`false` = never record). */
  constructor(
    private readonly host: RecordingHost,
    options: false | RecordingLibraryOptions | undefined,
  ) {
    this.wanted = options !== false;
    this.library = new RecordingLibrary((streamId) => {
      const e = host.books.get(streamId);
      return e === undefined ? undefined : bookCheckpoint(e.stream, wallClockUs());
    }, options || {});
  }

  get recorder(): Recorder {
    return this.library.recorder;
  }

  /** Stores a book frame of a held stream, before it is applied (see Recorder.append). */
  record(msg: ServerMsg, bytes: Uint8Array): void {
    if (msg.type !== 'bookBatch' && msg.type !== 'bookSnapshot') return;
    if (this.host.books.get(msg.streamId) === undefined) return; // not held: the books ignore it too
    const recorder = this.library.recorder;
    if (!recorder.recording) return;
    const t0 = performance.now();
    recorder.append(msg.streamId, wallClockUs(), bytes);
    this.recordMs += performance.now() - t0;
  }

  /** A Welcome with the relay's instruments: a recording begins when wanted and none is running, else the running one lists them. */
  onWelcome(instruments: Instrument[]): void {
    const recorder = this.library.recorder;
    if (this.wanted && !recorder.recording) void this.library.begin(instruments);
    else recorder.setInstruments(instruments);
  }

  async setRecording(on: boolean): Promise<void> {
    this.wanted = on;
    const recorder = this.library.recorder;
    if (!on) await recorder.end();
    else if (!recorder.recording && this.host.welcomed()) await this.library.begin(this.host.instruments());
  }

  async setRetention(options: Partial<RetentionOptions>): Promise<PlaceResult> {
    const bad = badRetention(options);
    if (bad) return refused(ErrorCode.CODEC_INVALID_FIELD, bad);
    this.library.recorder.setRetention(options);
    await this.library.recorder.applyRetention();
    return { ok: true };
  }

  async setPersisted(persisted: boolean): Promise<void> {
    this.library.recorder.setPersisted(persisted);
  }

  list(): Promise<RecordingInfo[]> {
    return this.library.list();
  }

  /** Deletes a recording; the live one is replaced by a fresh recording when recording is on. */
  async delete(id: number): Promise<PlaceResult> {
    if (!isRecordingId(id)) return refused(ErrorCode.CODEC_INVALID_FIELD, `not a recording id: ${id}`);
    const live = id === this.library.recorder.recordingId;
    await this.library.delete(id);
    if (live && this.wanted && this.host.welcomed()) await this.library.begin(this.host.instruments());
    return { ok: true };
  }

  async export(id: number): Promise<ExportResult> {
    if (!isRecordingId(id)) return refused(ErrorCode.CODEC_INVALID_FIELD, `not a recording id: ${id}`) as ExportResult;
    const file = await this.library.export(id);
    return file ? { ok: true, file } : { ok: false, code: ErrorCode.REPLAY_UNKNOWN_RECORDING, message: `no recording ${id}` };
  }

  import(file: Blob, name: string, options?: { partial?: boolean }): Promise<ImportResult> {
    return this.library.import(file, name, options?.partial === true);
  }

  recordedHashes(id: number): Promise<BookHash[]> {
    return isRecordingId(id) ? this.library.lastCheckpointHashes(id) : Promise.resolve([]);
  }
}
