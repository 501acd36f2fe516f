import { ErrorCode, wallClockUs, type Instrument } from '@tickmesh/shared';
import type { RecorderStatus, RetentionOptions } from '../terminal-api';
import { badRetention } from '../replay-input';
import { FrameChunkBuilder } from './frame-chunk';
import type { IDBPTransaction } from 'idb';
import { isQuotaError, type CheckpointRow, type ChunkRow, type RecordingDb, type RecordingRow, type RecordingSchema } from './recording-db';
import { holdRecordingLock, lockedRecordingIds } from './recording-locks';
import { enforceRetention, sealAbandoned, sumStoredBytes } from './recording-retention';

/** A stream's book as a checkpoint: undefined while the book is not in sync (no checkpoint then). */
export interface RecorderCheckpoint {
  epoch: number;
  seq: number;
  stateHash: string;
  /** One encoded ServerMessage holding the book as a BookSnapshot. */
  snapshot: Uint8Array;
}

/** Reads the book of a stream as it is now, i.e. after every frame appended so far. */
export type CheckpointSource = (streamId: number) => RecorderCheckpoint | undefined;

/** Options of `Recorder`; every one has a default. */
export interface RecorderOptions {
  /** Written into each recording. Default 'tickmesh-web'. */
  createdBy?: string;
  /** A stream's chunk is sealed early once it holds this many bytes. Default 64 KiB. */
  chunkBytes?: number;
  /**
   * ...or once its frames span this much receive time, µs; the flush timer also seals a chunk
   * whose first frame is this old, so at most this much is lost if the tab dies. Default
   * 1,000,000: chunks big enough for replay to read fast, small enough that a seek reads little
   * past its target.
   */
  chunkSpanUs?: number;
  /** How often sealed chunks are committed in one transaction, ms. Default 250. */
  flushIntervalMs?: number;
  /** Receive time between a stream's checkpoints, µs. Default 10 s: a seek applies at most ~10 s of frames. */
  checkpointIntervalUs?: number;
  /**
   * Bytes received but not yet committed above which frames are shed (dropped, counted,
   * shown) instead of queued without bound. Default 16 MiB; shedding stops below half of it.
   */
  maxPendingBytes?: number;
  /** Default: 512 MiB, 7 days. */
  retention?: Partial<RetentionOptions>;
  /**
   * The origin's storage figures. Default navigator.storage.estimate(). Retention keeps the
   * recordings under 80% of the quota left to them: once the origin is over its quota Chromium
   * refuses any transaction that writes, even a pruning one that mostly deletes.
   */
  estimate?: () => Promise<{ usage?: number; quota?: number } | undefined>;
  /** How often retention runs while recording, ms. Default 5,000. */
  retentionCheckMs?: number;
  /** Wall clock, µs since the Unix epoch (retention by age). Default from performance.timeOrigin + now(). */
  nowUs?: () => number;
  /** Timers (tests pass their own to drive flushes by hand). Default globalThis.setInterval. */
  setInterval?: (fn: () => void, ms: number) => unknown;
  clearInterval?: (id: unknown) => void;
}

/** What `begin` writes into a new recording's row besides its instruments. */
export interface RecordingMeta {
  /** Default: the local start time. */
  name?: string;
  /** Default: the recorder's `createdBy`. */
  createdBy?: string;
  /** µs since the Unix epoch. Default now. */
  createdUs?: number;
  /** 'imported' recordings have no flush timer (the importer flushes) and are not aged out. Default 'recorded'. */
  source?: RecordingRow['source'];
}

export const DEFAULT_RETENTION: RetentionOptions = { maxBytes: 512 * 1024 * 1024, maxAgeMs: 7 * 24 * 3600 * 1000 };

interface StreamWriter {
  streamId: number;
  nextChunkNo: number;
  builder: FrameChunkBuilder;
  lastCheckpointUs: number;
  /** Chunk number of the last checkpoint taken (-1: none): a second one there would be the same book. */
  lastCheckpointNo: number;
  lastTimeUs: number;
  /** Frames were shed since the last chunk: the next accepted frame starts after a checkpoint. */
  gap: boolean;
}

interface WriteBatch {
  chunks: ChunkRow[];
  checkpoints: CheckpointRow[];
  frames: number;
  bytes: number;
}

interface LiveRecording {
  row: RecordingRow;
  /** The row's key once IndexedDB created it; rejects when IndexedDB is unavailable. */
  id: Promise<number>;
  /** Releases this recording's Web Lock (held while it is written). */
  unlock: () => void;
  streams: Map<number, StreamWriter>;
  /** A failed write ended it: nothing more is accepted into it. */
  dead: boolean;
}

const emptyBatch = (): WriteBatch => ({ chunks: [], checkpoints: [], frames: 0, bytes: 0 });

/**
 * Stores every market-data frame the worker receives in IndexedDB, off the live path:
 * `append` copies the frame into its stream's in-memory chunk (no I/O; it allocates only when
 * a chunk buffer grows, or at a seal: the chunk's copy and, every 10 s of a stream, the
 * checkpoint's snapshot encoding) and a timer seals the chunks and commits them, with the
 * recording's totals, in one transaction every `flushIntervalMs`. One transaction is in
 * flight at a time; while it runs, frames keep collecting for the next.
 *
 * Call `append` *before* the frame is applied to the book: a checkpoint read at a seal then
 * describes the book after exactly the frames already stored.
 *
 * Failures never lose what was committed: a transaction is all or nothing, so a quota error
 * (state 'full', RECORDING_QUOTA_EXCEEDED) or another store error (state 'error') loses only
 * the batch in flight and what was still buffered (counted as shed), and stops the recording.
 * When IndexedDB cannot keep up, frames are shed visibly (state 'shedding', `framesShed`);
 * each stream resumes after a fresh checkpoint so a replay crosses the hole cleanly.
 */
export class Recorder {
  private readonly opts: Required<Omit<RecorderOptions, 'retention'>>;
  private retention: RetentionOptions;
  private db: Promise<RecordingDb | undefined> | undefined;
  private live: LiveRecording | undefined;
  private queue: WriteBatch = emptyBatch();
  private inflightBytes = 0;
  /** Bytes in the streams' open chunks (kept as a running sum: append reads it per frame). */
  private bufferedBytes = 0;
  private committing: Promise<void> | undefined;
  /** Retention and seal-on-open run here, one at a time, never alongside a commit. */
  private chain: Promise<void> = Promise.resolve();
  private timer: unknown;
  private retentionTimer: unknown;
  private shedding = false;
  /** Retention rewrites the live row's totals: commits wait for it. */
  private retaining: Promise<void> | undefined;
  private state: RecorderStatus['state'] = 'off';
  private lastError = '';
  private framesRecorded = 0;
  private framesShed = 0;
  private storedBytes = 0;
  private persisted: boolean | undefined;
  private estimate: { usage?: number; quota?: number } = {};

  constructor(
    private readonly openDb: () => Promise<RecordingDb>,
    private readonly checkpointOf: CheckpointSource,
    options: RecorderOptions = {},
  ) {
    this.opts = {
      createdBy: options.createdBy ?? 'tickmesh-web',
      chunkBytes: options.chunkBytes ?? 64 * 1024,
      chunkSpanUs: options.chunkSpanUs ?? 1_000_000,
      flushIntervalMs: options.flushIntervalMs ?? 250,
      checkpointIntervalUs: options.checkpointIntervalUs ?? 10_000_000,
      maxPendingBytes: options.maxPendingBytes ?? 16 * 1024 * 1024,
      retentionCheckMs: options.retentionCheckMs ?? 5_000,
      estimate: options.estimate ?? (async () => globalThis.navigator?.storage?.estimate?.()),
      nowUs: options.nowUs ?? wallClockUs,
      setInterval: options.setInterval ?? ((fn, ms) => globalThis.setInterval(fn, ms)),
      clearInterval: options.clearInterval ?? ((id) => globalThis.clearInterval(id as ReturnType<typeof setInterval>)),
    };
    this.retention = { ...DEFAULT_RETENTION, ...options.retention };
  }

  /** The database, opened once (concurrent callers share the opening); undefined (state 'unavailable') when IndexedDB cannot be used. */
  database(): Promise<RecordingDb | undefined> {
    this.db ??= this.openOnce();
    return this.db;
  }

  private async openOnce(): Promise<RecordingDb | undefined> {
    let db: RecordingDb;
    try {
      db = await this.openDb();
    } catch {
      this.state = 'unavailable';
      this.lastError = ErrorCode.RECORDING_UNAVAILABLE;
      return undefined;
    }
    await this.serial(async () => {
      await sealAbandoned(db, await lockedRecordingIds());
      this.storedBytes = await sumStoredBytes(db);
    });
    return db;
  }

  /** True while frames are being accepted (recording or shedding). */
  get recording(): boolean {
    return this.live !== undefined && !this.live.dead;
  }

  /** Id of the recording being written, once IndexedDB assigned it (0 otherwise). */
  get recordingId(): number {
    return this.live?.row.id ?? 0;
  }

  /**
   * Starts a new recording of the relay listing `instruments` (what the file header and the
   * replay picker show); `recording` is true at once (frames buffer while IndexedDB opens).
   * Resolves with its id once its row exists, 0 when IndexedDB is unavailable. A recording
   * already running is ended first.
   */
  async begin(instruments: Instrument[], meta: RecordingMeta = {}): Promise<number> {
    if (this.live) await this.end();
    const now = meta.createdUs ?? this.opts.nowUs();
    const row: RecordingRow = {
      name: meta.name ?? defaultName(now),
      createdBy: meta.createdBy ?? this.opts.createdBy,
      createdUs: now,
      instruments: instruments.map((i) => ({ ...i })),
      startUs: 0,
      endUs: 0,
      frames: 0,
      bytes: 0,
      streams: [],
      source: meta.source ?? 'recorded',
      sealed: false,
    };
    const live: LiveRecording = { row, id: Promise.resolve(0), unlock: () => {}, streams: new Map(), dead: false };
    live.id = this.database().then(async (db) => {
      if (!db) throw new RecorderUnavailable();
      const key = await db.add('recordings', row);
      row.id = key;
      live.row = { ...live.row, id: key };
      live.unlock = holdRecordingLock(key);
      return key;
    });
    this.live = live;
    this.state = 'recording';
    this.lastError = '';
    if (meta.source !== 'imported') {
      this.timer = this.opts.setInterval(() => this.tick(), this.opts.flushIntervalMs);
      this.retentionTimer = this.opts.setInterval(() => void this.applyRetention(), this.opts.retentionCheckMs);
    }
    try {
      return await live.id;
    } catch (e) {
      if (e instanceof RecorderUnavailable) {
        if (this.live === live) this.live = undefined;
        this.stopTimers();
        this.bufferedBytes = 0;
        this.state = 'unavailable';
        this.lastError = ErrorCode.RECORDING_UNAVAILABLE;
      } else this.fail(e);
      return 0;
    }
  }

  /** The relay's instrument list changed (a reconnect): stored with the next commit. */
  setInstruments(instruments: Instrument[]): void {
    if (this.live) this.live.row = { ...this.live.row, instruments: instruments.map((i) => ({ ...i })) };
  }

  /** One received frame of a stream, at receive time `timeUs` (µs, non-decreasing). Never throws, never blocks. */
  append(streamId: number, timeUs: number, frame: Uint8Array): void {
    const live = this.live;
    if (live === undefined || live.dead) return;
    if (this.pendingBytes() > this.opts.maxPendingBytes) this.shedding = true;
    let s = live.streams.get(streamId);
    if (this.shedding) {
      this.framesShed++;
      this.state = 'shedding';
      this.lastError = ErrorCode.RECORDING_SHEDDING;
      if (s) {
        s.gap = true;
        s.lastCheckpointNo = -1; // frames are missing: the book at resume is not the one stored
      }
      return;
    }
    if (s === undefined) {
      s = { streamId, nextChunkNo: 0, builder: new FrameChunkBuilder(), lastCheckpointUs: 0, lastCheckpointNo: -1, lastTimeUs: timeUs, gap: false };
      live.streams.set(streamId, s);
      // The stream may join a book already in sync (recording switched on, or a view change
      // to a stream held before): a checkpoint first, so replay need not wait for a snapshot.
      this.checkpoint(s, timeUs);
    } else if (s.gap) {
      this.seal(s, false);
      this.checkpoint(s, timeUs);
      s.gap = false;
    }
    if (timeUs < s.lastTimeUs) timeUs = s.lastTimeUs; // receive times never go backwards in a recording
    if (s.builder.count > 0 && timeUs - s.builder.startUs >= this.opts.chunkSpanUs) this.seal(s, true);
    const before = s.builder.byteLength;
    s.builder.append(timeUs, frame);
    this.bufferedBytes += s.builder.byteLength - before;
    s.lastTimeUs = timeUs;
    if (s.builder.byteLength >= this.opts.chunkBytes) this.seal(s, true);
  }

  /**
   * A stream stops (it left the view, or the transport dropped) while its book still holds its
   * last recorded state: its open chunk is sealed and a checkpoint of that book taken, so the
   * recording says where a replay of the stream must arrive. Frames of it that come later
   * (after a new snapshot) continue the stream.
   */
  closeStream(streamId: number): void {
    const s = this.live?.streams.get(streamId);
    if (s === undefined || this.live!.dead) return;
    this.seal(s, false);
    // After shed frames the book is past what is stored: no checkpoint can describe the end.
    if (!s.gap) this.checkpoint(s, s.lastTimeUs);
  }

  /**
   * Ends the recording: a final checkpoint per stream (the book after its last stored frame,
   * the hash a replay must reach), everything committed, the row sealed. Resolves when done.
   */
  async end(): Promise<void> {
    const live = this.live;
    if (!live) return;
    this.stopTimers();
    if (!live.dead) {
      for (const streamId of live.streams.keys()) this.closeStream(streamId);
      live.row = { ...live.row, sealed: true };
      await this.flush();
    }
    live.unlock();
    this.live = undefined;
    this.shedding = false;
    if (this.state === 'recording' || this.state === 'shedding') this.state = 'off';
  }

  /** Seals every buffered frame and commits; resolves once IndexedDB has them (or the write failed). */
  async flush(): Promise<void> {
    const live = this.live;
    if (live && !live.dead) for (const s of live.streams.values()) this.seal(s, true);
    // One writer at a time: a commit beside retention would write totals retention is rewriting.
    for (;;) {
      if (this.retaining) await this.retaining.catch(() => {});
      else if (this.committing) await this.committing;
      else break;
    }
    if (this.queue.chunks.length + this.queue.checkpoints.length > 0 || (live && !live.dead && live.row.sealed)) await this.commit();
    this.updateShedding();
  }

  /** New retention limits (applied at the next retention run); non-positive or non-finite values are ignored (the engine refuses them first). */
  setRetention(r: Partial<RetentionOptions>): void {
    if (badRetention(r)) return;
    this.retention = { maxBytes: r.maxBytes ?? this.retention.maxBytes, maxAgeMs: r.maxAgeMs ?? this.retention.maxAgeMs };
  }

  /** What navigator.storage.persist() answered (asked on the main thread), shown on the meter. */
  setPersisted(persisted: boolean): void {
    this.persisted = persisted;
  }

  /** Runs retention now (also every `retentionCheckMs` while recording). */
  async applyRetention(): Promise<void> {
    const db = this.db && (await this.db);
    if (!db) return;
    await this.refreshEstimate();
    const run = this.serial(async () => {
      while (this.committing) await this.committing;
      const limits = { ...this.retention, maxBytes: this.effectiveMaxBytes() };
      const freed = await enforceRetention(db, limits, this.opts.nowUs(), this.live?.row.id, await lockedRecordingIds());
      this.storedBytes = Math.max(0, this.storedBytes - freed.bytes);
      if (this.live && freed.live) this.live.row = { ...this.live.row, ...freed.live };
    });
    this.retaining = run;
    try {
      await run;
    } finally {
      if (this.retaining === run) this.retaining = undefined;
    }
  }

  /**
   * The size limit retention applies: the trader's, or less when the browser gives the origin
   * less: 80% of the quota minus what the origin holds besides recordings (the app shell, the
   * database's own overhead), so a commit never meets a full quota in the normal course.
   */
  private effectiveMaxBytes(): number {
    const { usage, quota } = this.estimate;
    if (quota === undefined || !(quota > 0)) return this.retention.maxBytes;
    const other = Math.max(0, (usage ?? 0) - this.storedBytes);
    return Math.max(0, Math.min(this.retention.maxBytes, Math.floor(quota * 0.8) - other));
  }

  /** Re-reads totals after another writer (import, delete) changed the database. */
  async recount(): Promise<void> {
    const db = this.db && (await this.db);
    if (db) await this.serial(async () => void (this.storedBytes = await sumStoredBytes(db)));
  }

  status(): RecorderStatus {
    const s: RecorderStatus = {
      state: this.state,
      recordingId: this.recordingId,
      streamIds: this.live ? [...this.live.streams.keys()] : [],
      framesRecorded: this.framesRecorded,
      framesShed: this.framesShed,
      pendingBytes: this.pendingBytes(),
      storedBytes: this.storedBytes,
      lastError: this.lastError,
      retention: { ...this.retention },
    };
    if (this.estimate.usage !== undefined) s.usageBytes = this.estimate.usage;
    if (this.estimate.quota !== undefined) s.quotaBytes = this.estimate.quota;
    if (this.persisted !== undefined) s.persisted = this.persisted;
    return s;
  }

  /** Stops timers and releases the recording's lock; what is buffered is dropped (use `end` to keep it). */
  close(): void {
    this.stopTimers();
    this.live?.unlock();
    this.live = undefined;
    this.bufferedBytes = 0;
  }

  // ---- internals ------------------------------------------------------------------------------

  private pendingBytes(): number {
    return this.queue.bytes + this.inflightBytes + this.bufferedBytes;
  }

  private tick(): void {
    const live = this.live;
    if (!live || live.dead) return;
    const oldUs = this.opts.nowUs() - this.opts.chunkSpanUs;
    for (const s of live.streams.values()) if (s.builder.count > 0 && s.builder.startUs <= oldUs) this.seal(s, true);
    this.updateShedding();
    if (!this.committing && !this.retaining && this.queue.chunks.length + this.queue.checkpoints.length > 0) void this.commit();
  }

  /** Shedding ends once what waits for IndexedDB is below half the limit. */
  private updateShedding(): void {
    if (this.shedding && this.live && !this.live.dead && this.pendingBytes() < this.opts.maxPendingBytes / 2) {
      this.shedding = false;
      this.state = 'recording';
    }
  }

  /** Moves a stream's buffered frames into the write queue, with a checkpoint when one is due. */
  private seal(s: StreamWriter, periodicCheckpoint: boolean): void {
    const b = s.builder;
    if (b.count === 0) return;
    const startUs = b.startUs;
    const endUs = b.endUs;
    const count = b.count;
    this.bufferedBytes -= b.byteLength;
    const data = b.take();
    this.queue.chunks.push({ recordingId: 0, streamId: s.streamId, chunkNo: s.nextChunkNo++, startUs, endUs, count, data });
    this.queue.frames += count;
    this.queue.bytes += data.byteLength;
    if (periodicCheckpoint && endUs - s.lastCheckpointUs >= this.opts.checkpointIntervalUs) this.checkpoint(s, endUs);
  }

  /** Called only with the stream's builder empty: the book then is the state after every sealed chunk. */
  private checkpoint(s: StreamWriter, timeUs: number): void {
    if (s.lastCheckpointNo === s.nextChunkNo) return; // no frame since: the same book is stored already
    const cp = this.checkpointOf(s.streamId);
    if (cp === undefined) return;
    const snapshot = cp.snapshot.slice().buffer;
    this.queue.checkpoints.push({ recordingId: 0, streamId: s.streamId, chunkNo: s.nextChunkNo, timeUs, epoch: cp.epoch, seq: cp.seq, stateHash: cp.stateHash, snapshot });
    this.queue.bytes += snapshot.byteLength;
    s.lastCheckpointUs = timeUs;
    s.lastCheckpointNo = s.nextChunkNo;
  }

  private commit(): Promise<void> {
    const run = this.writeBatch().finally(() => {
      this.committing = undefined;
    });
    this.committing = run;
    return run;
  }

  private async writeBatch(): Promise<void> {
    const live = this.live;
    const batch = this.queue;
    this.queue = emptyBatch();
    if (!live || live.dead) return;
    this.inflightBytes = batch.bytes;
    let tx: IDBPTransaction<RecordingSchema, ['recordings', 'chunks', 'checkpoints'], 'readwrite'> | undefined;
    try {
      const id = await live.id;
      const db = (await this.database())!;
      const row = nextRow(live, batch);
      tx = db.transaction(['recordings', 'chunks', 'checkpoints'], 'readwrite');
      const chunks = tx.objectStore('chunks');
      const cps = tx.objectStore('checkpoints');
      // Request errors surface through tx.done; the per-request promises are silenced.
      for (const c of batch.chunks) chunks.put({ ...c, recordingId: id }).catch(ignore);
      for (const c of batch.checkpoints) cps.put({ ...c, recordingId: id }).catch(ignore);
      tx.objectStore('recordings').put({ ...row, id }).catch(ignore);
      await tx.done;
      // Only the totals: the name, instruments or sealed flag may have changed while this commit ran.
      live.row = { ...live.row, id, startUs: row.startUs, endUs: row.endUs, frames: row.frames, bytes: row.bytes, streams: row.streams };
      this.framesRecorded += batch.frames;
      this.storedBytes += batch.bytes;
    } catch (e) {
      // A put that threw synchronously leaves the transaction open: abort it, or the puts
      // issued before would commit without the row's new totals.
      try {
        tx?.abort();
      } catch {
        // Already finished (aborted by IndexedDB itself).
      }
      this.framesShed += batch.frames;
      this.fail(e);
    } finally {
      this.inflightBytes = 0;
    }
  }

  /** A write failed: the recording stops; everything committed before stays. */
  private fail(e: unknown): void {
    const live = this.live;
    if (live) {
      live.dead = true;
      live.unlock();
      for (const s of live.streams.values()) {
        this.framesShed += s.builder.count;
        s.builder.take();
      }
    }
    this.bufferedBytes = 0;
    this.framesShed += this.queue.frames;
    this.queue = emptyBatch();
    this.stopTimers();
    if (e instanceof RecorderUnavailable) {
      this.state = 'unavailable';
      this.lastError = ErrorCode.RECORDING_UNAVAILABLE;
      return;
    }
    const quota = isQuotaError(e);
    this.state = quota ? 'full' : 'error';
    this.lastError = quota ? ErrorCode.RECORDING_QUOTA_EXCEEDED : ErrorCode.RECORDING_STORE_FAILED;
    void this.refreshEstimate();
  }

  private stopTimers(): void {
    if (this.timer !== undefined) this.opts.clearInterval(this.timer);
    if (this.retentionTimer !== undefined) this.opts.clearInterval(this.retentionTimer);
    this.timer = undefined;
    this.retentionTimer = undefined;
  }

  private serial(fn: () => Promise<void>): Promise<void> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(ignore);
    return next;
  }

  private async refreshEstimate(): Promise<void> {
    try {
      const est = await this.opts.estimate();
      if (est) this.estimate = { usage: est.usage, quota: est.quota };
    } catch {
      // No estimate in this browser: the meter shows our own count only.
    }
  }
}

/** The recording's row after `batch` is committed. */
function nextRow(live: LiveRecording, batch: WriteBatch): RecordingRow {
  const row = live.row;
  let startUs = row.startUs;
  let endUs = row.endUs;
  for (const c of batch.chunks) {
    if (startUs === 0 || c.startUs < startUs) startUs = c.startUs;
    if (c.endUs > endUs) endUs = c.endUs;
  }
  const streams = [...live.streams.values()].filter((s) => s.nextChunkNo > 0).map((s) => ({ streamId: s.streamId, nextChunkNo: s.nextChunkNo }));
  return { ...row, startUs, endUs, frames: row.frames + batch.frames, bytes: row.bytes + batch.bytes, streams };
}

/** Local start time, e.g. "2026-11-25 21:04:05" (the picker adds the streams). */
function defaultName(nowUs: number): string {
  const d = new Date(nowUs / 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function ignore(): void {}

/** IndexedDB could not be opened: nothing can be recorded (state 'unavailable'). */
class RecorderUnavailable extends Error {}
