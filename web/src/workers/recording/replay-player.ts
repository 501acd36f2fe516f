import { decodeServer, ErrorCode, venuesOf, type Instrument } from '@tickmesh/shared';
import { StreamBooks, type TradeSink } from '../stream-books';
import type { ReplaySpeed, ReplayStatus } from '../terminal-api';
import { MergedFrameReader, type StreamStart } from './merged-frame-reader';
import { checkpointsUntil, streamChunkRange, type CheckpointRow, type RecordingDb, type RecordingRow } from './recording-db';

/** Options of `ReplayPlayer`; every one has a default. */
export interface ReplayPlayerOptions {
  /** Chunks read per IndexedDB request and stream. Default 64 (up to about a minute of a stream). */
  chunksPerRead?: number;
  /** Longest run of applying frames before yielding to the worker's other messages, ms. Default 12. */
  sliceMs?: number;
  /** Monotonic clock, ms. Default performance.now. */
  nowMs?: () => number;
  /** Waits `ms` (0 = yield). Default setTimeout; 0 yields through a MessageChannel. */
  sleep?: (ms: number) => Promise<void>;
  /** Called after each book frame is applied (paper trading watches the books through it). Default none. */
  onFrame?: (streamId: number, timeUs: number) => void;
}

/**
 * Plays a recording from IndexedDB into its own books (a StreamBooks the engine shows while in
 * replay mode): frames of the chosen streams merged by receive time, paced at 1×, 10×, 100× the
 * recorded pace or as fast as possible, with pause, step and seek.
 *
 * Determinism: frames are applied through the same BookStream code as live, and each recorded
 * checkpoint met on the way is compared with the replayed book (`checkpointsVerified` /
 * `checkpointMismatches`). A checkpoint is applied only to start (seek) or where the replayed
 * book cannot continue (stale after a hole shed while recording, or retention cut the stream).
 *
 * Seek: each stream restarts from its latest checkpoint at or before the target, then frames
 * up to the target are applied without pacing; checkpoints are at most ~10 s of frames apart.
 */
export class ReplayPlayer {
  readonly books: StreamBooks;
  readonly instruments: Instrument[];
  private readonly opts: Required<ReplayPlayerOptions>;
  private reader: MergedFrameReader | undefined;
  private state: ReplayStatus['state'] = 'loading';
  private speed: ReplaySpeed = 1;
  private positionUs: number;
  private framesPlayed = 0;
  private verified = 0;
  private mismatches = 0;
  private restored = 0;
  private lastError = '';
  /** Pacing anchor: replay time `anchorUs` was reached at wall time `anchorMs`. */
  private anchorUs = 0;
  private anchorMs = 0;
  /** Bumped by every pause/seek/close: a running loop of an older generation stops. */
  private generation = 0;
  private closed = false;
  /** Seeks and steps run one at a time, in call order (a slider sends many). */
  private ops: Promise<void> = Promise.resolve();
  /** Level changes and trades applied so far, and the pace measured from them (see status()). */
  private ticks = 0;
  private rate = { at: 0, ticks: 0, perSec: 0 };

  constructor(
    private readonly db: RecordingDb,
    private readonly row: RecordingRow,
    readonly streamIds: number[],
    readonly fromUs: number,
    readonly toUs: number,
    onTrade: TradeSink,
    options: ReplayPlayerOptions = {},
  ) {
    this.opts = {
      chunksPerRead: options.chunksPerRead ?? 64,
      sliceMs: options.sliceMs ?? 12,
      nowMs: options.nowMs ?? (() => performance.now()),
      sleep: options.sleep ?? sleep,
      onFrame: options.onFrame ?? (() => {}),
    };
    this.instruments = row.instruments.filter((i) => streamIds.includes(i.streamId));
    // A replay cannot ask for a snapshot: a stale book waits for the next recorded snapshot or checkpoint.
    this.books = new StreamBooks(() => {}, onTrade);
    this.resetBooks();
    this.positionUs = fromUs;
  }

  get recordingId(): number {
    return this.row.id ?? 0;
  }

  status(): ReplayStatus {
    return {
      recordingId: this.recordingId,
      state: this.state,
      speed: this.speed,
      fromUs: this.fromUs,
      toUs: this.toUs,
      positionUs: this.positionUs,
      framesPlayed: this.framesPlayed,
      ticksPerSec: this.ticksPerSec(),
      streamIds: this.streamIds.slice(),
      checkpointsVerified: this.verified,
      checkpointMismatches: this.mismatches,
      lastError: this.lastError,
    };
  }

  /** Checkpoints applied where the replayed book could not continue (after a hole), for diagnostics. */
  get checkpointsRestored(): number {
    return this.restored;
  }

  /** Positions at `fromUs` (paused). */
  async open(): Promise<void> {
    await this.seek(this.fromUs);
  }

  play(): void {
    if (this.closed || this.state === 'ended' || this.state === 'loading') return;
    this.state = 'playing';
    this.anchor();
    const gen = ++this.generation;
    void this.run(gen);
  }

  pause(): void {
    this.generation++;
    if (this.state === 'playing') this.state = 'paused';
  }

  setSpeed(speed: ReplaySpeed): void {
    this.speed = speed;
    this.anchor();
  }

  /** Pauses and applies the next `n` frames. */
  step(n = 1): Promise<void> {
    this.pause();
    return this.serial(async () => {
      this.pause(); // an earlier seek may have resumed playing
      if (this.state === 'ended' || this.state === 'loading') return;
      let left = n;
      while (left > 0 && !this.closed) {
        const r = this.emit(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, left);
        left -= r.frames;
        if (r.stop === 'load') await this.load();
        else if (r.stop === 'end') {
          this.finish();
          return;
        } else if (r.frames === 0) return;
      }
    });
  }

  /**
   * Rebuilds every book at receive time `timeUs` (clamped to the window; NaN = the start): the
   * latest checkpoint at or before it, then the frames up to it, in slices that leave the
   * worker responsive. Keeps playing if it was. Seeks queue behind each other.
   */
  seek(timeUs: number): Promise<void> {
    const wasPlaying = this.state === 'playing';
    this.generation++;
    return this.serial(() => this.seekNow(timeUs, wasPlaying));
  }

  private async seekNow(timeUs: number, wasPlaying: boolean): Promise<void> {
    if (this.closed) return;
    this.generation++; // a loop restarted by an earlier seek stops too
    this.state = 'loading';
    const t = Number.isFinite(timeUs) ? Math.min(Math.max(timeUs, this.fromUs), this.toUs) : this.fromUs;
    this.resetBooks();
    const starts: StreamStart[] = [];
    for (const streamId of this.streamIds) {
      const latest = await this.db.transaction('checkpoints').store.index('byTime').openCursor(checkpointsUntil(this.recordingId, streamId, t), 'prev');
      const cp = latest?.value;
      if (cp) {
        this.applyCheckpoint(cp);
        // The checkpoint started from is not checked against itself.
        starts.push({ streamId, chunkNo: cp.chunkNo, minCheckpointNo: cp.chunkNo + 1 });
      } else {
        const first = await this.db.getKey('chunks', streamChunkRange(this.recordingId, streamId));
        starts.push({ streamId, chunkNo: first ? first[2] : 0 });
      }
    }
    this.reader = new MergedFrameReader(this.db, this.recordingId, starts, (streamId, cp) => this.meetCheckpoint(streamId, cp), this.opts.chunksPerRead);
    await this.reader.load();
    // Frames up to the target, unpaced; a frame exactly at the target is part of it.
    for (;;) {
      if (this.closed) return;
      const r = this.emit(t, this.opts.nowMs() + this.opts.sliceMs, Number.POSITIVE_INFINITY);
      if (r.stop === 'load') await this.load();
      else if (r.stop === 'slice') await this.opts.sleep(0);
      else break;
    }
    this.positionUs = t;
    this.state = 'paused';
    if (this.allDone()) this.finish();
    else if (wasPlaying) this.play();
  }

  /** Runs `fn` after every seek and step before it; a failure pauses the replay with its code, never leaves it 'loading'. */
  private serial(fn: () => Promise<void>): Promise<void> {
    const run = this.ops.then(fn).catch((e: unknown) => this.stopOn(e));
    this.ops = run;
    return run;
  }

  private stopOn(e: unknown): void {
    // Chunks are our own writes: a malformed one is damage; anything else is IndexedDB failing.
    this.lastError = e instanceof RangeError ? ErrorCode.RECORDING_CORRUPT : ErrorCode.RECORDING_STORE_FAILED;
    this.generation++;
    this.state = 'paused';
    console.error('replay stopped', e);
  }

  /** Plays as fast as possible to the end of the window (benchmarks, tests); resolves when ended. */
  async runToEnd(): Promise<void> {
    this.speed = 'max';
    this.play();
    while (this.state === 'playing') await this.opts.sleep(5);
  }

  /** Stops for good: a running loop, seek or step ends at its next step. */
  close(): void {
    this.closed = true;
    this.generation++;
    this.reader = undefined;
  }

  // ---- internals ------------------------------------------------------------------------------

  /** Empty books for every stream of the replay (stale until a checkpoint or snapshot). */
  private resetBooks(): void {
    this.books.setStreams([], []);
    this.books.setStreams(this.instruments, venuesOf(this.instruments));
  }

  private anchor(): void {
    this.anchorUs = this.positionUs;
    this.anchorMs = this.opts.nowMs();
  }

  private async run(gen: number): Promise<void> {
    try {
      while (gen === this.generation && this.state === 'playing') {
        const now = this.opts.nowMs();
        const target = this.speed === 'max' ? Number.POSITIVE_INFINITY : this.anchorUs + (now - this.anchorMs) * 1000 * this.speed;
        const r = this.emit(target, now + this.opts.sliceMs, Number.POSITIVE_INFINITY);
        if (gen !== this.generation) return;
        if (r.stop === 'end') return this.finish();
        if (r.stop === 'load') await this.load();
        else if (r.stop === 'slice') await this.opts.sleep(0);
        else {
          if (this.speed !== 'max') this.positionUs = Math.max(this.positionUs, Math.min(target, this.toUs));
          // Sleep until the next frame is due, waking at least every 50 ms to stay responsive.
          const next = this.nextTimeUs();
          const speed = this.speed === 'max' ? 1 : this.speed;
          const wait = Number.isFinite(next) ? (next - target) / 1000 / speed : 50;
          await this.opts.sleep(Math.max(1, Math.min(50, wait)));
        }
      }
    } catch (e) {
      this.stopOn(e);
    }
  }

  /**
   * Applies frames in receive-time order while the next one is at or before `targetUs`, up to
   * `maxFrames`, until `deadlineMs`. Stops with 'load' when a stream needs its next chunks read.
   */
  private emit(targetUs: number, deadlineMs: number, maxFrames: number): { frames: number; stop: 'target' | 'slice' | 'load' | 'end' } {
    let frames = 0;
    const reader = this.reader;
    if (reader === undefined) return { frames, stop: 'end' };
    for (;;) {
      const p = reader.peek();
      if (p !== 'frame') return { frames, stop: p };
      const t = reader.timeUs;
      if (t > this.toUs) return { frames, stop: 'end' };
      if (t > targetUs || frames >= maxFrames) return { frames, stop: 'target' };
      this.positionUs = t;
      this.apply(reader.frame, t);
      frames++;
      reader.advance();
      if ((frames & 255) === 0 && this.opts.nowMs() >= deadlineMs) return { frames, stop: 'slice' };
    }
  }

  private apply(bytes: Uint8Array, timeUs: number): void {
    const r = decodeServer(bytes);
    if (!r.ok) return; // recorded as received: a frame the live decoder refused is refused again
    const m = r.value;
    let ticks = 0;
    if (m.type === 'bookBatch') {
      this.books.applyBatch(m);
      ticks = m.bids.price.length + m.asks.price.length + m.trades.length;
      this.opts.onFrame(m.streamId, timeUs);
    } else if (m.type === 'bookSnapshot') {
      this.books.applySnapshot(m);
      ticks = m.bids.price.length + m.asks.price.length;
      this.opts.onFrame(m.streamId, timeUs);
    }
    this.framesPlayed++;
    this.ticks += ticks;
  }

  /** Ticks applied per second, measured between status reads at least half a second apart (0 while paused). */
  private ticksPerSec(): number {
    const r = this.rate;
    const now = this.opts.nowMs();
    if (now - r.at >= 500) {
      r.perSec = r.at === 0 ? 0 : Math.round(((this.ticks - r.ticks) * 1000) / (now - r.at));
      r.at = now;
      r.ticks = this.ticks;
    }
    return r.perSec;
  }

  /** A recorded checkpoint between chunks: verify the replayed book against it, or restart from it where the book cannot continue. */
  private meetCheckpoint(streamId: number, cp: CheckpointRow): void {
    const e = this.books.get(streamId);
    if (e === undefined) return;
    const s = e.stream;
    if (s.status !== 'stale' && s.epoch === cp.epoch && s.seq === cp.seq) {
      if (s.book.stateHash() === cp.stateHash) this.verified++;
      else this.mismatches++;
      return;
    }
    if (s.status === 'stale' || s.epoch !== cp.epoch || s.seq < cp.seq) {
      this.applyCheckpoint(cp);
      this.restored++;
    }
  }

  private applyCheckpoint(cp: CheckpointRow): void {
    const r = decodeServer(new Uint8Array(cp.snapshot));
    if (r.ok && r.value.type === 'bookSnapshot') this.books.applySnapshot(r.value);
  }

  private async load(): Promise<void> {
    await this.reader?.load();
  }

  private nextTimeUs(): number {
    return this.reader?.peek() === 'frame' ? this.reader.timeUs : Number.POSITIVE_INFINITY;
  }

  private allDone(): boolean {
    const p = this.reader?.peek() ?? 'end';
    return p === 'end' || (p === 'frame' && this.reader!.timeUs > this.toUs);
  }

  private finish(): void {
    this.state = 'ended';
    this.positionUs = Math.max(this.positionUs, Math.min(this.toUs, this.row.endUs));
  }
}

/**
 * Waits `ms`; 0 yields through a MessageChannel: nested setTimeout(0) is clamped to 4 ms after
 * a few levels, which would idle a max-speed replay a quarter of the time.
 */
function sleep(ms: number): Promise<void> {
  if (ms > 0 || typeof MessageChannel === 'undefined') return new Promise((r) => setTimeout(r, ms));
  return new Promise((r) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      r();
    };
    ch.port2.postMessage(0);
  });
}
