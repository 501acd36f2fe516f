/*
 * Replay mode on and off: which ReplayDesk is open (at most one), opening and closing desks
 * one at a time in call order, and the controls of the open one (seek, speed, play/pause,
 * step). Kept apart from the engine so the mode switch has one owner; what the mode changes
 * (books, instruments and account shown, where orders go) is read from `desk`.
 */
import { ErrorCode } from '@tickmesh/shared';
import type { MarketView } from './market-view';
import { refused } from './place-result';
import type { RecordingLibrary } from './recording/recording-library';
import { ReplayDesk } from './replay-desk';
import { badReplayControl, badReplayRequest } from './replay-input';
import type { BookHash, PlaceResult, ReplayControl, ReplayRequest } from './terminal-api';

export class ReplayMode {
  /** Replay mode while set: its books, tape and paper account are what frames show. */
  private current: ReplayDesk | undefined;
  /** start/stop run one at a time, in call order. */
  private ops: Promise<unknown> = Promise.resolve();

  /** `market`: the view whose trades and candles follow the mode (restarted on every switch and seek). */
  constructor(
    private readonly library: RecordingLibrary,
    private readonly market: Pick<MarketView, 'restartTrades' | 'onTrade'>,
  ) {}

  /** The open desk, undefined in live mode. */
  get desk(): ReplayDesk | undefined {
    return this.current;
  }

  /**
   * Enters replay mode: the view, tape, chart, orders and positions follow the replay and
   * paper trading; the live connection (and recording) carries on underneath.
   */
  start(request: ReplayRequest): Promise<PlaceResult> {
    const bad = badReplayRequest(request);
    if (bad) return Promise.resolve(refused(ErrorCode.CODEC_INVALID_FIELD, bad));
    return this.op(async () => {
      this.close();
      const r = await ReplayDesk.open(this.library, request, (entry, trade) => this.market.onTrade(entry, trade));
      if (!r.ok) return refused(r.code, r.message);
      this.current = r.desk;
      this.market.restartTrades();
      return { ok: true } as PlaceResult;
    });
  }

  /** Seek, speed, play/pause and step of the open replay; REPLAY_NOT_ACTIVE without one, CODEC_INVALID_FIELD for a bad value. */
  async control(control: ReplayControl): Promise<PlaceResult> {
    const desk = this.current;
    if (!desk) return refused(ErrorCode.REPLAY_NOT_ACTIVE, 'no replay is open');
    const bad = badReplayControl(control);
    if (bad) return refused(ErrorCode.CODEC_INVALID_FIELD, bad);
    const player = desk.replay;
    if (control.seekUs !== undefined) {
      await desk.seek(control.seekUs);
      if (this.current === desk) this.market.restartTrades();
    }
    if (control.speed !== undefined) player.setSpeed(control.speed);
    if (control.playing === true) player.play();
    else if (control.playing === false) player.pause();
    if (control.step !== undefined) await player.step(control.step);
    const error = player.status().lastError;
    return error ? refused(error, 'the replay stopped on a stored chunk it could not read') : { ok: true };
  }

  stop(): Promise<void> {
    return this.op(async () => this.close());
  }

  /** Book hashes of the open replay's streams now (none in live mode). */
  hashes(): BookHash[] {
    return (this.current?.books.entries ?? []).map((e) => ({ streamId: e.instrument.streamId, seq: e.stream.seq, stateHash: e.stream.book.stateHash() }));
  }

  private close(): void {
    if (!this.current) return;
    this.current.close();
    this.current = undefined;
    this.market.restartTrades();
  }

  private op<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.ops.then(fn, fn);
    this.ops = run.catch(() => {});
    return run;
  }
}
