import * as Comlink from 'comlink';
import type { Instrument } from './model';
import type { Candle, PlaceResult, TerminalFrame, TerminalMode, TerminalWorkerApi, TicketOrder, ViewSelection } from '../workers/terminal-api';
import { account } from './account.svelte';
import { market, TAPE_LENGTH } from './market.svelte';
import { meshClient } from './mesh-client.svelte';
import { orderTransport } from './order-transport.svelte';
import { priceAlerts } from './price-alerts.svelte';
import { replay } from './replay.svelte';
import { sideDesks } from './side-desks.svelte';

/** Candles the main thread keeps so a chart mounted later (or re-mounted) can draw history. */
const CANDLES_KEPT = 2_000;

/** `view` is the view the candles are of (symbol, venue and candle width): a chart loads that view's history on a reset. */
export type CandleListener = (candles: Candle[], reset: boolean, instrument: Instrument | undefined, view: ViewSelection) => void;

/** Called once per switch between live and replay (paper) mode, with the mode entered. */
export type ModeListener = (mode: TerminalMode) => void;

const VIEW_KEY = 'tickmesh.view';

function sameView(a: ViewSelection, b: ViewSelection): boolean {
  return a.symbol === b.symbol && a.venue === b.venue;
}

function notReady(): PlaceResult {
  return { ok: false, code: 'SESSION_NOT_READY', message: 'not connected to the market-data worker' };
}

function replayOnly(): PlaceResult {
  return { ok: false, code: 'SESSION_NOT_READY', message: 'replay only (not signed in): start a replay to paper trade' };
}

function workerFailure(e: unknown): PlaceResult {
  return { ok: false, code: 'WORKER_ERROR', message: e instanceof Error ? e.message : String(e) };
}

/**
 * The main thread's side of the market-data worker: starts it, asks for one frame per animation
 * frame (never more than one request in flight, so a busy worker slows the UI's refresh rather
 * than queueing frames), and spreads each frame into the state classes. All decoding and book
 * keeping stays in the worker.
 */
class Terminal {
  private worker: Worker | undefined;
  private api: Comlink.Remote<TerminalWorkerApi> | undefined;
  private raf = 0;
  private inFlight = false;
  private running = false;
  private candles: Candle[] = [];
  private candleInstrument: Instrument | undefined;
  private candleView: ViewSelection = { symbol: '', venue: '' };
  private listeners = new Set<CandleListener>();
  private lastFrameView: ViewSelection = { symbol: '', venue: '' };
  private lastSetViewAt = 0;
  private updatesWindow = { at: 0, count: 0 };
  /** Started without a token: no relay session, so only replays (and their paper trading) work. */
  private offlineOnly = false;
  private modeListeners = new Set<ModeListener>();

  /**
   * Starts the worker and the frame loop. Idempotent; `stop()` ends both. Without a token the
   * worker starts but never connects to the relay (replay only: offline or signed out).
   */
  start(token: string | undefined): void {
    if (this.running) return;
    this.running = true;
    this.offlineOnly = !token;
    market.connection.state = token ? 'connecting' : 'offline';
    this.restoreSelection();
    try {
      this.worker = new Worker(new URL('../workers/market-data.worker.ts', import.meta.url), { type: 'module', name: 'market-data' });
    } catch (e) {
      console.error('market-data worker failed to start', e);
      market.connection.state = 'offline';
      return;
    }
    this.worker.addEventListener('error', (e) => {
      // A worker script that cannot load (offline without a cached copy) ends up here.
      console.error('market-data worker error', e.message);
      market.connection.state = 'offline';
    });
    this.api = Comlink.wrap<TerminalWorkerApi>(this.worker);
    if (token) {
      this.api.connect({ origin: location.origin, token }).catch((e: unknown) => {
        console.error('connect failed', e);
        market.connection.state = 'offline';
      });
    }
    if (market.selection.symbol) void this.pushView();
    meshClient.attach(token ? this.api : undefined);
    orderTransport.attach(token ? this.api : undefined);
    priceAlerts.attach(token ? this.api : undefined);
    replay.attach(this.api);
    // Pinned side desks ride on this worker's one relay connection (signed out: shown stale).
    sideDesks.attach(this.api);
    void this.askPersistence(this.api);
    this.raf = requestAnimationFrame(this.tick);
  }

  /**
   * Asks the browser not to evict the recordings under storage pressure (persist() is
   * Window-only) and tells the worker the answer. Missing APIs and refusals are not errors.
   */
  private async askPersistence(api: Comlink.Remote<TerminalWorkerApi>): Promise<void> {
    let persisted: boolean | undefined;
    try {
      const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
      persisted = await storage?.persist?.();
    } catch (e) {
      console.warn('storage.persist() failed', e);
      persisted = false;
    }
    if (typeof persisted !== 'boolean' || this.api !== api) return;
    try {
      await api.setPersisted(persisted);
    } catch (e) {
      console.warn('setPersisted failed', e);
    }
  }

  /** The worker's load counters (diagnostics, and the main-thread responsiveness check). */
  async stats(): Promise<Awaited<ReturnType<TerminalWorkerApi['stats']>> | undefined> {
    return this.api?.stats();
  }

  stop(): void {
    this.running = false;
    cancelAnimationFrame(this.raf);
    const api = this.api;
    const worker = this.worker;
    meshClient.attach(undefined);
    orderTransport.attach(undefined);
    priceAlerts.attach(undefined);
    sideDesks.attach(undefined);
    // A replay ends with the worker: the mode listeners hear of the return to live below.
    const wasReplay = replay.mode === 'replay';
    replay.attach(undefined);
    this.api = undefined;
    this.worker = undefined;
    // Say goodbye so the relay sees a clean close, then end the thread either way.
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      api?.[Comlink.releaseProxy]();
      worker?.terminate();
    };
    if (api) api.disconnect().then(end, end);
    else end();
    setTimeout(end, 500);
    this.candles = [];
    this.candleView = { symbol: '', venue: '' };
    this.inFlight = false;
    this.lastFrameView = { symbol: '', venue: '' };
    if (wasReplay) for (const fn of this.modeListeners) fn('live');
    this.offlineOnly = false;
    market.resetView();
    market.connection.state = 'offline';
    account.clear();
  }

  /** Picks the instrument and venue ('' = all venues, consolidated) the terminal shows. */
  select(symbol: string, venue: string): void {
    const next = { ...market.selection, symbol, venue };
    if (sameView(next, market.selection)) return;
    market.selection = next;
    try {
      localStorage.setItem(VIEW_KEY, JSON.stringify({ symbol, venue }));
    } catch {
      // Not remembering the view is harmless.
    }
    void this.pushView();
  }

  /** Sets the chart's candle width (seconds); the worker restarts the view's candles, the chart reloads its history. */
  setCandleSeconds(seconds: number): void {
    if (market.selection.candleSeconds === seconds) return;
    market.selection = { ...market.selection, candleSeconds: seconds };
    void this.pushView();
  }

  /** Shows the last view at once (even offline, before any instrument list arrives). */
  private restoreSelection(): void {
    if (market.selection.symbol) return;
    const saved = this.savedView();
    if (saved) market.selection = { ...market.selection, symbol: saved.symbol, venue: saved.venue };
  }

  private savedView(): { symbol: string; venue: string } | null {
    try {
      const v = JSON.parse(localStorage.getItem(VIEW_KEY) ?? 'null') as { symbol?: unknown; venue?: unknown } | null;
      return v && typeof v.symbol === 'string' && v.symbol ? { symbol: v.symbol, venue: typeof v.venue === 'string' ? v.venue : '' } : null;
    } catch {
      // A corrupt saved view is no saved view.
      return null;
    }
  }

  private async pushView(): Promise<void> {
    if (!this.api || !market.selection.symbol) return;
    this.lastSetViewAt = performance.now();
    try {
      await this.api.setView({ ...market.selection });
    } catch (e) {
      console.error('setView failed', e);
    }
  }

  /** Registers a chart. It is called at once with the candles kept so far (reset = true). */
  onCandles(listener: CandleListener): () => void {
    this.listeners.add(listener);
    listener(this.candles.slice(), true, this.candleInstrument, this.candleView);
    return () => this.listeners.delete(listener);
  }

  /** Signed out and not replaying: there is no session to send an order on. */
  private get orderEntryOff(): boolean {
    return this.offlineOnly && replay.mode !== 'replay';
  }

  placeOrder(order: TicketOrder): Promise<PlaceResult> {
    return this.orderCall((api) => api.placeOrder(order));
  }

  cancelOrder(clientOrderId: string): Promise<PlaceResult> {
    return this.orderCall((api) => api.cancelOrder(clientOrderId));
  }

  replaceOrder(clientOrderId: string, priceTicks: number, qtyLots: number): Promise<PlaceResult> {
    return this.orderCall((api) => api.replaceOrder(clientOrderId, priceTicks, qtyLots));
  }

  cancelAll(symbol?: string): Promise<PlaceResult> {
    return this.orderCall((api) => api.cancelAll(symbol));
  }

  /** An order request to the worker: refused without a worker, or signed out outside replay; a worker failure becomes WORKER_ERROR. */
  private async orderCall(call: (api: Comlink.Remote<TerminalWorkerApi>) => Promise<PlaceResult>): Promise<PlaceResult> {
    if (!this.api) return notReady();
    if (this.orderEntryOff) return replayOnly();
    try {
      return await call(this.api);
    } catch (e) {
      return workerFailure(e);
    }
  }

  private tick = (): void => {
    if (!this.running) return;
    this.raf = requestAnimationFrame(this.tick);
    if (this.inFlight || !this.api) return;
    this.inFlight = true;
    const api = this.api;
    api.frame().then(
      (f) => {
        this.inFlight = false;
        if (this.api === api) this.apply(f);
      },
      (e: unknown) => {
        this.inFlight = false;
        if (this.api !== api) return;
        console.error('frame failed', e);
        market.connection.state = 'offline';
      },
    );
  };

  /**
   * Registers `fn` for every switch between live and replay mode, including the return to live
   * when the worker stops during a replay. Returns the unsubscribe.
   */
  onModeChange(fn: ModeListener): () => void {
    this.modeListeners.add(fn);
    return () => this.modeListeners.delete(fn);
  }

  private apply(f: TerminalFrame): void {
    const c = market.connection;
    // Signed out, nothing connects: the worker's 'connecting' would be a promise never kept.
    c.state = this.offlineOnly && f.connection.state === 'connecting' ? 'offline' : f.connection.state;
    c.rttMs = f.connection.rttMs;
    c.reconnectInMs = f.connection.reconnectInMs;
    c.account = f.connection.account;
    c.role = f.connection.role;
    this.countUpdates(f.updates);

    // Replay state first (it holds the mode): the instruments below depend on which mode this frame is in.
    const wasMode = replay.mode;
    replay.onFrame(f);
    const mode = replay.mode;
    if (mode !== wasMode) {
      // Live and replayed tapes must never mix.
      market.trades = [];
      market.tradeCount = 0;
      // Nor may a paper order's ticket state pass for a live one (or the reverse).
      for (const fn of this.modeListeners) fn(mode);
    }

    // The worker sends the instruments of the new mode with the frame that changes it.
    if (f.instruments) {
      market.instruments = f.instruments;
      this.ensureSelection();
    }

    const viewChanged = !sameView(f.view, this.lastFrameView);
    if (viewChanged) {
      this.lastFrameView = { ...f.view };
      market.frameView = { ...f.view };
      market.trades = [];
      market.tradeCount = 0;
    } else if (market.selection.symbol && !sameView(f.view, market.selection) && performance.now() - this.lastSetViewAt > 1_000) {
      // The worker lost or never got our view (restart, reconnect): say it again, at most once a second.
      void this.pushView();
    }

    market.ladder = f.ladder;
    sideDesks.onFrame(f.sideDesks);
    meshClient.onFrame(f.mesh);
    priceAlerts.onFrame(f);

    if (f.trades.length > 0) {
      const next = f.trades.slice(-TAPE_LENGTH).reverse();
      market.trades = next.length >= TAPE_LENGTH ? next : next.concat(market.trades.slice(0, TAPE_LENGTH - next.length));
      market.tradeCount += f.trades.length;
    }

    this.applyCandles(f);
    // Entering or leaving paper trading: the frame carries the whole set of the new mode.
    if (f.accountReset) account.clear();
    account.applyOrders(f.orders);
    account.applyFills(f.fills);
    account.applyPositions(f.positions);
  }

  /**
   * After the first instrument list: restore the last view if it is still listed, else the first
   * symbol on its first venue. A single venue's book is the default because the consolidated one
   * can legitimately cross when venues drift apart, which is not what a trader expects at first sight.
   */
  private ensureSelection(): void {
    const sel = market.selection;
    if (sel.symbol && market.instruments.some((i) => i.symbol === sel.symbol && (sel.venue === '' || i.venue === sel.venue))) {
      if (this.lastFrameView.symbol === '') void this.pushView();
      return;
    }
    let symbol = market.symbols[0] ?? '';
    let venue = market.venuesOf(symbol)[0] ?? '';
    const saved = this.savedView();
    if (saved && market.instruments.some((i) => i.symbol === saved.symbol && (saved.venue === '' || i.venue === saved.venue))) {
      symbol = saved.symbol;
      venue = saved.venue;
    }
    if (!symbol) return;
    market.selection = { ...sel, symbol, venue };
    void this.pushView();
  }

  private applyCandles(f: TerminalFrame): void {
    if (!f.candlesReset && f.candles.length === 0) return;
    const inst = market.instrumentOf(f.view.symbol, f.view.venue);
    if (f.candlesReset) {
      this.candles = f.candles.slice(-CANDLES_KEPT);
      this.candleInstrument = inst;
      this.candleView = { ...f.view };
    } else {
      for (const c of f.candles) {
        const last = this.candles[this.candles.length - 1];
        if (last && last.time === c.time) this.candles[this.candles.length - 1] = c;
        else if (!last || c.time > last.time) this.candles.push(c);
      }
      if (this.candles.length > CANDLES_KEPT) this.candles.splice(0, this.candles.length - CANDLES_KEPT);
    }
    for (const l of this.listeners) l(f.candles, f.candlesReset, inst, this.candleView);
  }

  private countUpdates(n: number): void {
    const now = performance.now();
    const w = this.updatesWindow;
    w.count += n;
    if (now - w.at >= 1_000) {
      market.connection.updatesPerSec = w.at === 0 ? 0 : Math.round((w.count * 1_000) / (now - w.at));
      w.at = now;
      w.count = 0;
    }
  }
}

export const terminal = new Terminal();
