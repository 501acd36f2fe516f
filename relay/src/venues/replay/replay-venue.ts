import { ErrorCode, Side, StreamState, wallClockUs, type Instrument, type LevelChanges, type Recording } from '@tickmesh/shared';
import type { FeedLookup, InstrumentFeed, VenueAdapter, VenueExecution, VenueOrderRequest } from '../venue-adapter';
import { buildReplayScript, type ReplayEvent, type ReplayScript, type ReplayVenueScript } from './replay-events';

/** Options of {@link ReplayVenue}. */
export interface ReplayOptions {
  /** Playback speed: 1 = recorded pace, 10, 100 … ; 0 = as fast as possible. Default 1. */
  speed?: number;
  /** Start over after the last frame (each pass re-applies the recorded snapshots). Default false. */
  loop?: boolean;
  /** Frames applied per macrotask at speed 0, so the relay's flush timer and sockets keep running. Default 2000. */
  maxFramesPerTick?: number;
  /**
   * Wait for {@link ReplayVenue.play} before playing: start() only sets the feeds up (Stale,
   * empty). The replay command wires play() to the first subscription. Default false: start() plays.
   */
  waitForPlay?: boolean;
}

type StreamCursor = { feed: InstrumentFeed; synced: boolean; epoch: number; seq: number };


/**
 * A venue that plays back a recording: the relay sees an ordinary VenueAdapter whose feeds
 * move exactly as the recorded relay's books did, and re-sequences and serves them like a
 * live venue (own epochs, seqs and stream ids) on /ws and /ws/json.
 *
 * - Frames are scheduled by receive-time differences from the recording's first book frame,
 *   divided by `speed`; speed 0 applies them as fast as the event loop allows. The first frame
 *   plays when start() is called, or with `waitForPlay` when play() is (first subscription).
 * - A recorded BookSnapshot is applied as clear() + every level + its state; a BookBatch as
 *   its level changes, trades and state, only when it follows the stream's last applied
 *   snapshot or batch without a gap (as a client would), else it waits for the next snapshot.
 *   Snapshot recent trades are history, not new prints, so they are not replayed.
 * - One clock for everything served: the replay's wall clock. Batches and snapshots carry the
 *   relay's flush time as ever; trades keep their recorded ids, and their recorded times are
 *   rebased onto the same clock: passStartWallTime + (recordedTime - firstFrameTime) / speed
 *   (at speed 0: the wall time they are applied). Each loop pass rebases anew.
 * - Every stream is Stale until its first recorded snapshot is applied (an empty book is never
 *   live); instruments with no recorded frame stay Stale. After the last frame (without `loop`) every
 *   stream is Halted: the book is the recorded one, but nothing moves any more.
 * - Orders are refused: submit → 'rejected', cancel/replace → 'cancel-rejected', all with
 *   VENUE_REPLAY_READ_ONLY.
 */
export class ReplayVenue implements VenueAdapter {
  readonly id: string;
  /** Passes completed (a pass = every frame once). */
  passes = 0;
  /** Frames applied in total (over every pass). */
  applied = 0;
  private readonly list: Instrument[];
  private readonly events: readonly ReplayEvent[];
  private readonly speed: number;
  private readonly loop: boolean;
  private readonly maxPerTick: number;
  private readonly cursors = new Map<string, StreamCursor>();
  private readonly listeners: ((report: VenueExecution) => void)[] = [];
  private readonly passListeners: (() => void)[] = [];
  private next = 0;
  private t0 = 0;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private running = false;
  /** start() was called and not stopped since. */
  private started = false;
  /** play() was called (or no waiting was asked for): start() plays at once. */
  private playRequested: boolean;
  /** Wall clock (µs) at which the current pass's first frame was due: trade times are rebased onto it. */
  private passWallUs = 0;

  constructor(
    script: ReplayVenueScript,
    /** receiveTimeUs that maps to the moment playback begins (the recording's first book frame). */
    private readonly startUs: number,
    options: ReplayOptions = {},
  ) {
    this.id = script.venue;
    this.list = script.instruments.map((i) => ({ ...i, streamId: 0 }));
    this.events = script.events;
    this.speed = options.speed ?? 1;
    if (!(this.speed >= 0) || !Number.isFinite(this.speed)) throw new RangeError(`speed ${this.speed}`);
    this.loop = options.loop ?? false;
    this.maxPerTick = options.maxFramesPerTick ?? 2000;
    this.playRequested = !(options.waitForPlay ?? false);
  }

  instruments(): readonly Instrument[] {
    return this.list;
  }

  /** Frames one pass applies. */
  get frameCount(): number {
    return this.events.length;
  }

  /** True while start() is waiting for play() (see `waitForPlay`). */
  get waiting(): boolean {
    return this.started && !this.playRequested;
  }

  /**
   * Starts playback if it waits for this (`waitForPlay`); a no-op once playing or played.
   * Called before start(), it makes start() play at once. The frames due at once (the first
   * snapshots) are applied before it returns.
   */
  play(): void {
    if (this.playRequested) return;
    this.playRequested = true;
    if (this.started) {
      this.running = true;
      this.beginPass();
    }
  }

  /** True while frames are still to come (always, once started, with `loop`). */
  get playing(): boolean {
    return this.running;
  }

  /** Calls `listener` after each completed pass. */
  onPass(listener: () => void): void {
    this.passListeners.push(listener);
  }

  /** Resolves after the next completed pass (immediately if a pass ended and playback stopped). */
  whenPassEnds(): Promise<void> {
    if (!this.running && this.passes > 0) return Promise.resolve();
    return new Promise((resolve) => this.passListeners.push(resolve));
  }

  async start(feeds: FeedLookup): Promise<void> {
    if (this.running) await this.stop();
    this.cursors.clear();
    for (const inst of this.list) {
      const feed = feeds(inst.symbol);
      this.cursors.set(inst.symbol, { feed, synced: false, epoch: 0, seq: 0 });
      // No book yet: stale until the stream's first recorded snapshot (never recorded: for good).
      feed.state(StreamState.Stale);
    }
    this.started = true;
    if (!this.playRequested) return;
    this.running = true;
    this.beginPass();
  }

  /** Stops playback and marks every feed Stale (the book stops moving; it is no longer live). */
  async stop(): Promise<void> {
    this.cancelTimers();
    this.running = false;
    this.started = false;
    for (const c of this.cursors.values()) c.feed.state(StreamState.Stale);
    this.cursors.clear();
  }

  submit(order: VenueOrderRequest): void {
    this.refuse(order.orderId, 'rejected');
  }

  cancel(orderId: string): void {
    this.refuse(orderId, 'cancel-rejected');
  }

  replace(orderId: string, _price: number, _qty: number): void {
    this.refuse(orderId, 'cancel-rejected');
  }

  onExecution(listener: (report: VenueExecution) => void): void {
    this.listeners.push(listener);
  }

  private beginPass(): void {
    this.next = 0;
    this.t0 = performance.now();
    this.passWallUs = Math.round((performance.timeOrigin + this.t0) * 1000);
    for (const c of this.cursors.values()) c.synced = false;
    // The frames due at once (the first snapshots) are applied before start() returns: primed.
    this.tick();
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    this.immediate = undefined;
    if (!this.running) return;
    const events = this.events;
    const speed = this.speed;
    let budget = this.maxPerTick;
    while (this.next < events.length) {
      const e = events[this.next]!;
      if (speed > 0) {
        const wait = this.t0 + (e.timeUs - this.startUs) / 1000 / speed - performance.now();
        if (wait > 0) {
          this.timer = setTimeout(this.tick, Math.max(1, Math.ceil(wait)));
          return;
        }
      } else if (budget-- <= 0) {
        this.immediate = setImmediate(this.tick);
        return;
      }
      this.apply(e);
      this.next++;
    }
    this.endPass();
  };

  private endPass(): void {
    this.passes++;
    const again = this.loop && this.events.length > 0;
    if (!again) {
      this.running = false;
      for (const c of this.cursors.values()) if (c.synced) c.feed.state(StreamState.Halted);
    }
    for (const l of this.passListeners.splice(0)) l();
    if (again) this.immediate = setImmediate(() => this.running && this.beginPass());
  }

  private apply(e: ReplayEvent): void {
    const c = this.cursors.get(e.symbol);
    if (!c) return;
    const feed = c.feed;
    const m = e.msg;
    if (e.kind === 'snapshot') {
      feed.clear();
      levels(feed, Side.Buy, e.msg.bids);
      levels(feed, Side.Sell, e.msg.asks);
      feed.state(m.state === StreamState.Unspecified ? StreamState.Live : m.state);
      c.synced = true;
    } else {
      if (!c.synced || m.epoch !== c.epoch || m.seq !== c.seq + 1) {
        c.synced = false;
        return;
      }
      levels(feed, Side.Buy, e.msg.bids);
      levels(feed, Side.Sell, e.msg.asks);
      for (const t of e.msg.trades) feed.trade(t.tradeId, t.price, t.size, t.aggressor, this.rebase(t.timeUs));
      if (m.state !== StreamState.Unspecified) feed.state(m.state);
    }
    c.epoch = m.epoch;
    c.seq = m.seq;
    this.applied++;
  }

  /** A recorded time on the replay's wall clock (see the class comment). */
  private rebase(recordedUs: number): number {
    if (this.speed === 0) return wallClockUs();
    return Math.round(this.passWallUs + (recordedUs - this.startUs) / this.speed);
  }

  private cancelTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  private refuse(orderId: string, kind: 'rejected' | 'cancel-rejected'): void {
    const report: VenueExecution = {
      orderId, kind, price: 0, qty: 0, leavesQty: 0, tradeId: 0, liquidityMaker: false, fee: 0,
      reasonCode: ErrorCode.VENUE_REPLAY_READ_ONLY, timeUs: wallClockUs(),
    };
    // Reported after the call returns, as a real venue would (never re-entrantly into the OMS).
    queueMicrotask(() => {
      for (const l of this.listeners) l(report);
    });
  }
}

function levels(feed: InstrumentFeed, side: Side, changes: LevelChanges): void {
  const { price, size } = changes;
  for (let i = 0; i < price.length; i++) feed.level(side, price[i]!, size[i]!);
}

/** One ReplayVenue per venue of the recording, all timed from the recording's first book frame. */
export function replayVenues(recording: Recording | ReplayScript, options: ReplayOptions = {}): ReplayVenue[] {
  const script = 'venues' in recording ? recording : buildReplayScript(recording);
  return script.venues.map((v) => new ReplayVenue(v, script.startUs, options));
}
