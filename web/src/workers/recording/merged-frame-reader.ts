import { FrameChunkReader } from './frame-chunk';
import { streamChunkRange, type CheckpointRow, type ChunkRow, type RecordingDb, type RecordingRow } from './recording-db';

/** Where a stream starts reading: its first chunk number, and the checkpoints to skip (the one started from). */
export interface StreamStart {
  streamId: number;
  chunkNo: number;
  /** Checkpoints below this chunk number are not reported. Default 0. */
  minCheckpointNo?: number;
}

/** What `peek` found: a frame to take, a stream that needs `load()`, or the end of every stream. */
export type PeekResult = 'frame' | 'load' | 'end';

/** Called when a stream crosses a recorded checkpoint (between chunks, or after its last chunk). */
export type CheckpointListener = (streamId: number, checkpoint: CheckpointRow) => void;

interface Cursor {
  streamId: number;
  queue: ChunkRow[];
  reader: FrameChunkReader | undefined;
  hasHead: boolean;
  loadNo: number;
  exhausted: boolean;
  done: boolean;
  checkpoints: Map<number, CheckpointRow>;
  minCheckpointNo: number;
}

/**
 * The frames of several streams of a recording, merged by receive time (ties: the stream
 * listed first), read from IndexedDB a batch of chunks at a time. Synchronous between loads:
 * `peek()` says whether a frame is ready, `timeUs`/`frame`/`streamId` describe it and
 * `advance()` moves past it; when `peek()` answers 'load', `await load()` and peek again.
 * Used by the replay player and by export.
 */
export class MergedFrameReader {
  private readonly cursors: Cursor[];
  private best: Cursor | undefined;
  /** The read in flight: a second caller waits for it instead of reading the same chunks again. */
  private loading: Promise<void> | undefined;

  constructor(
    private readonly db: RecordingDb,
    private readonly recordingId: number,
    starts: StreamStart[],
    private readonly onCheckpoint: CheckpointListener = () => {},
    private readonly chunksPerRead = 64,
  ) {
    this.cursors = starts.map((s) => ({
      streamId: s.streamId,
      queue: [],
      reader: undefined,
      hasHead: false,
      loadNo: s.chunkNo,
      exhausted: false,
      done: false,
      checkpoints: new Map(),
      minCheckpointNo: s.minCheckpointNo ?? 0,
    }));
  }

  /** Every frame of a recording, from the first chunk each stream still holds. */
  static async whole(db: RecordingDb, row: RecordingRow, onCheckpoint?: CheckpointListener): Promise<MergedFrameReader> {
    const starts: StreamStart[] = [];
    for (const s of row.streams) {
      const first = await db.getKey('chunks', streamChunkRange(row.id!, s.streamId));
      if (first) starts.push({ streamId: s.streamId, chunkNo: first[2] });
    }
    return new MergedFrameReader(db, row.id!, starts, onCheckpoint);
  }

  /** Finds the earliest pending frame. */
  peek(): PeekResult {
    let best: Cursor | undefined;
    const cs = this.cursors;
    for (let i = 0; i < cs.length; i++) {
      const c = cs[i]!;
      if (c.done) continue;
      if (!c.hasHead) return 'load';
      if (best === undefined || c.reader!.timeUs < best.reader!.timeUs) best = c;
    }
    this.best = best;
    return best === undefined ? 'end' : 'frame';
  }

  /** Receive time (µs) of the frame `peek` found. */
  get timeUs(): number {
    return this.best!.reader!.timeUs;
  }

  /** Its bytes: a view valid until the next `advance`. */
  get frame(): Uint8Array {
    return this.best!.reader!.frame;
  }

  get streamId(): number {
    return this.best!.streamId;
  }

  /** Moves past the frame `peek` found. */
  advance(): void {
    this.step(this.best!);
  }

  /** Calls `fn` for every remaining frame in order (the frame view is valid during the call only). */
  async forEach(fn: (streamId: number, timeUs: number, frame: Uint8Array) => void): Promise<void> {
    for (;;) {
      const p = this.peek();
      if (p === 'end') return;
      if (p === 'load') {
        await this.load();
        continue;
      }
      fn(this.streamId, this.timeUs, this.frame);
      this.advance();
    }
  }

  /** Reads the next chunks of every stream that ran out of loaded frames (one read at a time). */
  load(): Promise<void> {
    this.loading ??= this.loadAll().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async loadAll(): Promise<void> {
    for (const c of this.cursors) if (!c.done && !c.hasHead) await this.loadCursor(c);
  }

  private step(c: Cursor): void {
    for (;;) {
      if (c.reader !== undefined && c.reader.next()) {
        c.hasHead = true;
        return;
      }
      c.reader = undefined;
      const chunk = c.queue.shift();
      if (chunk !== undefined) {
        this.meet(c, chunk.chunkNo);
        c.reader = new FrameChunkReader(new Uint8Array(chunk.data), chunk.startUs);
        continue;
      }
      c.hasHead = false;
      if (c.exhausted) {
        c.done = true;
        this.meet(c, c.loadNo);
      }
      return;
    }
  }

  private meet(c: Cursor, chunkNo: number): void {
    const cp = c.checkpoints.get(chunkNo);
    if (cp === undefined) return;
    c.checkpoints.delete(chunkNo);
    this.onCheckpoint(c.streamId, cp);
  }

  private async loadCursor(c: Cursor): Promise<void> {
    if (!c.exhausted) {
      const id = this.recordingId;
      const rows = await this.db.getAll('chunks', streamChunkRange(id, c.streamId, c.loadNo), this.chunksPerRead);
      const last = rows.length > 0 ? rows[rows.length - 1]!.chunkNo + 1 : c.loadNo;
      const cps = await this.db.getAll('checkpoints', streamChunkRange(id, c.streamId, c.loadNo, last));
      for (const cp of cps) if (cp.chunkNo >= c.minCheckpointNo) c.checkpoints.set(cp.chunkNo, cp);
      c.queue.push(...rows);
      c.loadNo = last;
      if (rows.length < this.chunksPerRead) c.exhausted = true;
    }
    if (!c.hasHead) this.step(c);
  }
}
