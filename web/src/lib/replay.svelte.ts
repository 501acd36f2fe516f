import type * as Comlink from 'comlink';
import type {
  BookHash,
  ImportResult,
  PlaceResult,
  RecorderStatus,
  RecordingInfo,
  ReplayControl,
  ReplaySpeed,
  ReplayStatus,
  RetentionOptions,
  TerminalFrame,
  TerminalMode,
  TerminalWorkerApi,
} from '../workers/terminal-api';
import { clampRange, recordingFileName } from './replay-format';

/** A failure the replay bar or the storage meter shows (code always, message when there is one). */
export interface ReplayError {
  code: string;
  message: string;
}

/** The storage meter redraws at most this often while counts tick (a state change shows at once). */
const RECORDER_REFRESH_MS = 250;
/** The replay position redraws at most this often while playing. */
const STATUS_REFRESH_MS = 100;

/** A thrown error as a shown one. A comlink call to a method the worker lacks rejects with a TypeError: its text is kept. */
function failure(e: unknown, fallback = 'WORKER_ERROR'): ReplayError {
  if (e && typeof e === 'object' && 'code' in e && typeof (e as { code: unknown }).code === 'string') {
    return { code: (e as { code: string }).code, message: e instanceof Error ? e.message : '' };
  }
  return { code: fallback, message: e instanceof Error ? e.message : String(e) };
}

/**
 * Recording and replay as the desk sees them: the recorder's status and the open replay (both
 * from worker frames), the recordings in IndexedDB, and the picker's choices (recording, streams,
 * window). Every action calls the worker through the terminal's comlink proxy and turns a failure
 * into a visible `error` (never swallowed); the worker may not implement an action yet, which
 * shows up the same way.
 */
class ReplayState {
  /** 'replay' while the desk shows a replay and orders go to paper trading. */
  mode = $state<TerminalMode>('live');
  recorder = $state.raw<RecorderStatus | undefined>(undefined);
  status = $state.raw<ReplayStatus | undefined>(undefined);
  recordings = $state.raw<RecordingInfo[]>([]);
  /** The last failed action (import, export, start, control…): shown until dismissed, replaced, or a retried start/import succeeds. */
  error = $state.raw<ReplayError | null>(null);
  /** The last import's outcome (for tests and the bar's note on a partial import). */
  lastImport = $state.raw<ImportResult | null>(null);
  busy = $state(false);
  /** True while the terminal's worker is running. */
  attached = $state(false);

  // The picker's choices.
  selectedId = $state(0);
  streamIds = $state.raw<number[]>([]);
  fromUs = $state(0);
  toUs = $state(0);
  /** Import: keep the intact part of a damaged file instead of refusing it. */
  partialImport = $state(false);

  selected = $derived(this.recordings.find((r) => r.id === this.selectedId));

  private api: Comlink.Remote<TerminalWorkerApi> | undefined;
  /** The chosen recording's end when the window was last set (a growing recording widens a window that reached it). */
  private selectedEndUs = 0;
  private recorderAt = 0;
  private statusAt = 0;

  /** The terminal's worker started (or stopped, with undefined). */
  attach(api: Comlink.Remote<TerminalWorkerApi> | undefined): void {
    this.api = api;
    this.attached = !!api;
    if (!api) {
      this.mode = 'live';
      this.status = undefined;
      this.recorder = undefined;
      return;
    }
    // Later, not inside the caller's effect: nothing read here may become its dependency.
    queueMicrotask(() => void this.refresh());
  }

  /** Spreads one worker frame (called by the terminal every animation frame). */
  onFrame(f: Pick<TerminalFrame, 'mode' | 'recorder' | 'replay'>): void {
    const mode: TerminalMode = f.mode === 'replay' ? 'replay' : 'live';
    if (mode !== this.mode) this.mode = mode;
    const now = performance.now();

    const r = f.recorder;
    const prevR = this.recorder;
    if (r === undefined) {
      if (prevR !== undefined) this.recorder = undefined;
    } else if (!prevR || prevR.state !== r.state || prevR.lastError !== r.lastError || now - this.recorderAt >= RECORDER_REFRESH_MS) {
      this.recorder = r;
      this.recorderAt = now;
    }

    const s = f.replay;
    const prevS = this.status;
    if (s === undefined) {
      if (prevS !== undefined) this.status = undefined;
    } else if (
      !prevS ||
      prevS.state !== s.state ||
      prevS.speed !== s.speed ||
      prevS.lastError !== s.lastError ||
      prevS.recordingId !== s.recordingId ||
      prevS.fromUs !== s.fromUs ||
      prevS.toUs !== s.toUs ||
      now - this.statusAt >= STATUS_REFRESH_MS
    ) {
      this.status = s;
      this.statusAt = now;
    }
  }

  /** Diagnostics and tests: one worker call, rejecting when no worker runs (nothing shown). */
  async withWorker<T>(fn: (api: Comlink.Remote<TerminalWorkerApi>) => Promise<T>): Promise<T> {
    if (!this.api) throw new Error('SESSION_NOT_READY: the market-data worker is not running');
    return fn(this.api);
  }

  clearError(): void {
    this.error = null;
  }

  /** Re-reads the recordings in IndexedDB; keeps the picker on the chosen one when it still exists. */
  async refresh(): Promise<void> {
    await this.call(async (api) => {
      const prev = this.selected;
      const list = await api.listRecordings();
      this.recordings = Array.isArray(list) ? list : [];
      const still = this.recordings.find((r) => r.id === this.selectedId);
      if (still) {
        // Streams that gained frames since join a selection that had every stream.
        if (!prev || prev.streamIds.every((id) => this.streamIds.includes(id))) this.streamIds = still.streamIds.slice();
        // A recording being written grows: widen a window that ended at its old end.
        const wasAtEnd = this.toUs === 0 || this.toUs >= still.endUs || (this.selectedEndUs > 0 && this.toUs >= this.selectedEndUs);
        this.selectedEndUs = still.endUs;
        const r = clampRange(this.fromUs, wasAtEnd ? still.endUs : this.toUs, still.startUs, still.endUs);
        this.fromUs = r.fromUs;
        this.toUs = r.toUs;
      } else {
        const pick = this.recordings.find((r) => !r.live && r.frames > 0) ?? this.recordings[0];
        this.select(pick?.id ?? 0);
      }
    });
  }

  /** Picks a recording: every stream with frames, the whole recording. */
  select(id: number): void {
    this.selectedId = id;
    const rec = this.recordings.find((r) => r.id === id);
    this.streamIds = rec ? rec.streamIds.slice() : [];
    this.fromUs = rec?.startUs ?? 0;
    this.toUs = rec?.endUs ?? 0;
    this.selectedEndUs = rec?.endUs ?? 0;
  }

  toggleStream(streamId: number, on: boolean): void {
    const has = this.streamIds.includes(streamId);
    if (on && !has) this.streamIds = [...this.streamIds, streamId];
    else if (!on && has) this.streamIds = this.streamIds.filter((s) => s !== streamId);
  }

  setRange(fromUs: number, toUs: number, moved: 'from' | 'to'): void {
    const rec = this.selected;
    if (!rec) return;
    const r = clampRange(fromUs, toUs, rec.startUs, rec.endUs, moved);
    this.fromUs = r.fromUs;
    this.toUs = r.toUs;
  }

  /** Opens the chosen recording, window and streams in replay mode. */
  async start(speed: ReplaySpeed = 1): Promise<boolean> {
    const rec = this.selected;
    if (!rec) {
      this.error = { code: 'REPLAY_UNKNOWN_RECORDING', message: 'pick a recording first' };
      return false;
    }
    if (this.streamIds.length === 0) {
      this.error = { code: 'REPLAY_NO_STREAMS', message: 'tick at least one instrument' };
      return false;
    }
    const all = rec.streamIds.every((s) => this.streamIds.includes(s));
    return this.call(async (api) => {
      const res = await api.startReplay({
        recordingId: rec.id,
        streamIds: all ? undefined : this.streamIds.slice(),
        fromUs: this.fromUs || undefined,
        toUs: this.toUs || undefined,
        speed,
      });
      return this.outcome(res);
    }, true);
  }

  async stop(): Promise<boolean> {
    return this.call((api) => api.stopReplay().then(() => true));
  }

  async control(control: ReplayControl): Promise<boolean> {
    return this.call(async (api) => this.outcome(await api.replayControl(control)));
  }

  play(): Promise<boolean> {
    return this.control({ playing: true });
  }

  pause(): Promise<boolean> {
    return this.control({ playing: false });
  }

  step(frames = 1): Promise<boolean> {
    return this.control({ step: frames });
  }

  setSpeed(speed: ReplaySpeed): Promise<boolean> {
    return this.control({ speed });
  }

  seek(us: number): Promise<boolean> {
    const s = this.status;
    const at = s ? clampRange(us, s.toUs, s.fromUs, s.toUs).fromUs : Math.round(us);
    return this.control({ seekUs: at });
  }

  async setRecording(on: boolean): Promise<boolean> {
    return this.call((api) => api.setRecording(on).then(() => true));
  }

  /** New retention limits; the worker refuses malformed ones with CODEC_INVALID_FIELD, shown like any failure. */
  async setRetention(options: Partial<RetentionOptions>): Promise<boolean> {
    return this.call(async (api) => this.outcome(await api.setRetention(options)));
  }

  async remove(id: number): Promise<boolean> {
    const ok = await this.call(async (api) => this.outcome(await api.deleteRecording(id)));
    if (ok) await this.refresh();
    return ok;
  }

  /** A worker's answer: true when done, else its code shown as the error. */
  private outcome(res: PlaceResult | undefined): boolean {
    if (res?.ok) return true;
    this.error = res ? { code: res.code, message: res.message } : { code: 'WORKER_ERROR', message: 'the worker returned nothing' };
    return false;
  }

  /** Saves a recording as a `.tmrec` file through the browser's download. */
  async exportFile(id: number): Promise<boolean> {
    const rec = this.recordings.find((r) => r.id === id);
    return this.call(async (api) => {
      const res = await api.exportRecording(id);
      if (!res.ok) {
        this.error = { code: res.code, message: res.message };
        return false;
      }
      const blob = res.file;
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = recordingFileName(rec?.name ?? '', id);
      a.rel = 'noopener';
      a.style.display = 'none';
      document.body.append(a);
      a.click();
      a.remove();
      // The download has taken its copy by then; revoking at once can cancel it in some browsers.
      setTimeout(() => URL.revokeObjectURL(url), 30_000);
      return true;
    });
  }

  /** Reads a `.tmrec` file into IndexedDB; a refused file shows its RECORDING_* code. */
  async importFile(file: File): Promise<boolean> {
    const partial = this.partialImport;
    return this.call(async (api) => {
      const res = await api.importRecording(file, file.name, { partial });
      this.lastImport = res ?? null;
      if (!res) {
        this.error = { code: 'WORKER_ERROR', message: 'the import returned nothing' };
        return false;
      }
      if (!res.ok) {
        const where = res.intactFrames > 0 || res.offset > 0 ? ` (${res.intactFrames} intact frames, byte ${res.offset})` : '';
        this.error = { code: res.code, message: `${res.message}${where}` };
        return false;
      }
      await this.refreshList(api);
      this.select(res.recording.id);
      return true;
    }, true);
  }

  private async refreshList(api: Comlink.Remote<TerminalWorkerApi>): Promise<void> {
    const list = await api.listRecordings();
    this.recordings = Array.isArray(list) ? list : [];
  }

  /**
   * Runs one worker call: not attached and thrown errors become `error`. Success clears the
   * shown error only when `clears` (a retried start or import): an unrelated action must not
   * hide a failure the trader has not seen.
   */
  private async call<T>(fn: (api: Comlink.Remote<TerminalWorkerApi>) => Promise<T>, clears = false): Promise<T | false> {
    const api = this.api;
    if (!api) {
      this.error = { code: 'SESSION_NOT_READY', message: 'the market-data worker is not running' };
      return false;
    }
    this.busy = true;
    try {
      const errorBefore = this.error;
      const out = await fn(api);
      // Clear only an error that was there before this call and that the call did not replace.
      if (clears && out !== false && this.error === errorBefore) this.error = null;
      return out;
    } catch (e) {
      console.error('replay action failed', e);
      this.error = failure(e);
      return false;
    } finally {
      this.busy = false;
    }
  }
}

export const replay = new ReplayState();

/** Test and diagnostics hook (as tickmeshStats): recordings and the book hashes of a replay vs its recording. */
interface ReplayDiagnostics {
  listRecordings(): Promise<RecordingInfo[]>;
  recordedHashes(id: number): Promise<BookHash[]>;
  replayHashes(): Promise<BookHash[]>;
}
(globalThis as { tickmeshReplay?: ReplayDiagnostics }).tickmeshReplay = {
  listRecordings: () => replay.withWorker((api) => api.listRecordings()),
  recordedHashes: (id) => replay.withWorker((api) => api.recordedHashes(id)),
  replayHashes: () => replay.withWorker((api) => api.replayHashes()),
};
