import { PriceAlertWatch, type PriceAlertResult } from './alerts/price-alert-watch';
import type { PriceAlertRequest } from './alerts/price-alert';
import {
  decodeServer,
  ErrorCode,
  orderIntent,
  preTradeCheck,
  venuesOf,
  wallClockUs,
  type ClientMsg,
  type ExecutionReportMsg,
  type Instrument,
  type OrderIntent,
  type ServerMsg,
  type Trade,
} from '@tickmesh/shared';
import { AccountState } from './account-state';
import { CandleSeries } from './candle-series';
import type { EngineDeps } from './engine-deps';
import { LadderBuilder, type LadderSource } from './ladder-builder';
import { MeshPeer, type MeshChannel } from './mesh-peer';
import { OrderRequests } from './order-requests';
import { OrderRoute, type OrderChannelLink, type OrderRouteStats } from './order-route';
import { preTradeContext } from './pre-trade-context-builder';
import type { BackoffOptions } from './reconnect-backoff';
import { positionView } from './position-view';
import { RelayRest, type SymbolRiskInfo } from './relay-rest';
import { RelaySocket } from './relay-socket';
import { bookCheckpoint } from './recording/book-checkpoint';
import { RecordingLibrary, type RecordingLibraryOptions } from './recording/recording-library';
import { ReplayDesk } from './replay-desk';
import { badReplayControl, badReplayRequest, badRetention, isRecordingId } from './replay-input';
import { RttProbe } from './rtt-probe';
import { StreamBooks, type StreamEntry } from './stream-books';
import type {
  BookHash,
  ConnectOptions,
  ExportResult,
  ImportResult,
  RecordingInfo,
  ReplayControl,
  ReplayRequest,
  RetentionOptions,
  ConnectionState,
  LadderFrame,
  MeshLinkRequests,
  PlaceResult,
  PositionView,
  TerminalFrame,
  TerminalWorkerApi,
  TicketOrder,
  ViewSelection,
} from './terminal-api';
import { TokenKeeper } from './token-keeper';
import { TradeTape } from './trade-tape';

/** Options of `TerminalEngine`; every one has a default. */
export interface TerminalEngineOptions {
  /** App-level Ping interval for the RTT display, ms. Default 2,000. */
  pingIntervalMs?: number;
  /** Reconnect backoff. Default 250 ms doubling to 10 s, up to +50% jitter. */
  backoff?: BackoffOptions;
  /** Share of a token's life after which it is refreshed. Default 0.8. */
  refreshShare?: number;
  /**
   * How often positions are re-sent when only the mark price moved (fills re-send them at
   * once), ms. Default 250: unrealised P&L need not redraw at 60 Hz.
   */
  markIntervalMs?: number;
  /** Order requests remembered for matching the relay's Errors to them. Default 1,000. */
  maxPendingRequests?: number;
  /**
   * The IndexedDB recorder: on by default (every market-data frame received is stored), with
   * the library's defaults. `false` = never record (frames still replayable from imports).
   */
  recording?: false | RecordingLibraryOptions;
}

/**
 * MeshNode options in the browser. `stallFrames` 128 instead of the simulation's 16: over
 * real data channels on a busy 2-core machine a parent's frames arrive in bursts, and at 16
 * children kept reporting healthy parents as stalled and being re-parented. Measured in the
 * 5-page Chromium test: one hop added p90 300–390 ms at 16, 8.7 ms at 128 (p50 2.7 ms). The
 * core no longer counts silence before a parent's link is open. Frames are never lost while
 * a stall goes unnoticed longer: gaps are repaired from the other stripe's parent or the relay.
 */
const MESH_NODE_OPTIONS = { stallFrames: 128 };
/** Close code of a socket given up because the relay went silent (the app-private 4000 range). */
const RELAY_SILENT_CLOSE = 4001;

/** The view with its defaults applied. */
type View = Required<ViewSelection>;

const NO_VIEW: View = Object.freeze({ symbol: '', venue: '', depth: 20, candleSeconds: 60 });

/**
 * The terminal's whole client side of the relay, without the worker around it: the WebSocket
 * (reconnects, token refresh, RTT), the books (shared BookStream per stream, resync on gaps),
 * the view's ladder, trades and candles, the account's orders, fills and positions, and the
 * shared pre-trade rules in front of every order. `market-data.worker.ts` exposes it through
 * comlink; tests drive it in Node against a real relay.
 *
 * Market data is applied as it arrives; `frame()` reads the result once per animation frame,
 * carrying only what changed since the previous call.
 */
export class TerminalEngine implements TerminalWorkerApi {
  private readonly deps: Required<EngineDeps>;
  private readonly markIntervalMs: number;
  private readonly refreshShare: number | undefined;
  private readonly socket: RelaySocket;
  private readonly books: StreamBooks;
  private readonly ladder = new LadderBuilder();
  private readonly tape = new TradeTape();
  private candles = new CandleSeries();
  /** The relay account's orders and positions (reports from the relay). */
  private readonly liveOrders = new AccountState();
  /** Stored frames: the recorder of what arrives, and replays of what was stored. */
  private readonly recordings: RecordingLibrary;
  private recordingWanted: boolean;
  /** Replay mode while set: its books, tape and paper account are what frames show. */
  private replayDesk: ReplayDesk | undefined;
  /** The desk (or live: undefined) the last frame showed: another one means a whole new account set. */
  private shownDesk: ReplayDesk | undefined;
  /** startReplay/stopReplay run one at a time, in call order. */
  private replayOps: Promise<unknown> = Promise.resolve();
  private readonly rtt: RttProbe;
  /** The trader's price alerts, evaluated on live trades and the relay's tickers (alerts/). */
  private readonly priceAlerts: PriceAlertWatch;
  private readonly risk = new Map<string, SymbolRiskInfo>();
  private readonly lastMid = new Map<string, number>();
  /** Order requests awaiting the relay's answer; its Errors land on the live blotter. */
  private readonly requests: OrderRequests;
  /** Order requests on the relay's order channel when one is up, else on /ws (order-route.ts). */
  private readonly orderRoute = new OrderRoute((bytes) => this.socket.send(bytes));

  private origin = '';
  private tokens: TokenKeeper | undefined;
  private rest: RelayRest | undefined;
  private running = false;
  private welcomed = false;
  private account = '';
  private role = '';
  private instruments: Instrument[] = [];
  private venues: string[] = [];
  private instrumentsChanged = false;
  private view: View = NO_VIEW;
  private viewChanged = false;
  private subscribedSymbol = '';
  private requestId = 0;
  private clientIds = 0;
  private readonly idPrefix: string;
  private connectWaiters: Array<() => void> = [];
  private restLoads = 0;
  /** The peer mesh while switched on (setMesh); undefined = off, nothing of it runs. */
  private mesh: MeshPeer | undefined;
  private mdPublicKey: Uint8Array | undefined;

  private frames = 0;
  private updatesSinceFrame = 0;
  private applyMs = 0;
  /** Time the recorder took on the live path (copying frames into its chunks). */
  private recordMs = 0;
  /** Book level changes applied from batches: the load figure the responsiveness check reports. */
  private levelUpdates = 0;
  private decodeErrors = 0;
  private positionsSentAt = 0;
  private positionsKey = '';

  constructor(deps: EngineDeps, options: TerminalEngineOptions = {}) {
    this.deps = { now: Date.now, random: Math.random, ...deps };
    this.markIntervalMs = options.markIntervalMs ?? 250;
    this.requests = new OrderRequests(() => this.liveOrders.blotter, options.maxPendingRequests ?? 1000);
    this.refreshShare = options.refreshShare;
    this.rtt = new RttProbe(options.pingIntervalMs ?? 2000);
    this.idPrefix = `w${Math.floor(this.deps.random() * 36 ** 4).toString(36)}`;
    this.socket = new RelaySocket(
      deps.WebSocket,
      { onOpen: () => {}, onData: (d) => this.receive(d), onDown: () => this.onDown() },
      { backoff: options.backoff, random: this.deps.random },
    );
    this.books = new StreamBooks(
      (streamId) => this.send({ type: 'subscribe', requestId: this.nextRequestId(), streamIds: [streamId], symbols: [] }),
      (entry, trade) => {
        if (this.replayDesk !== undefined) return;
        this.onTrade(entry, trade);
        this.priceAlerts.trade(entry.instrument.symbol, entry.instrument.venue, trade.price);
      },
    );
    this.priceAlerts = new PriceAlertWatch(this.deps.now, this.deps.random, () => this.instruments);
    this.recordingWanted = options.recording !== false;
    this.recordings = new RecordingLibrary((streamId) => {
      const e = this.books.get(streamId);
      return e === undefined ? undefined : bookCheckpoint(e.stream, wallClockUs());
    }, options.recording || {});
  }

  // ---- TerminalWorkerApi ----------------------------------------------------------------

  /**
   * Opens the relay connection (and keeps it open: reconnects with backoff until
   * `disconnect`), starts refreshing the token, and loads limits, orders and fills. Resolves
   * once the relay's Welcome and the REST answers are in, or the first attempt failed (the
   * connection keeps retrying; frames show the state). Never rejects.
   */
  connect(options: ConnectOptions): Promise<void> {
    this.stopConnection();
    this.origin = options.origin.replace(/\/+$/, '');
    const keeper = new TokenKeeper(options.token, () => this.rest!.refresh(), { now: this.deps.now, refreshShare: this.refreshShare });
    this.tokens = keeper;
    this.rest = new RelayRest(this.deps.fetch, this.origin, () => keeper.token);
    this.priceAlerts.start(this.rest);
    this.running = true;
    const ready = new Promise<void>((resolve) => this.connectWaiters.push(resolve));
    const wsOrigin = this.origin.replace(/^http/i, 'ws');
    // book_delta: compact book batches (decodeServer reads them as any batch; Welcome.features says if granted).
    this.socket.start(() => ({ url: `${wsOrigin}/ws?features=book_delta`, protocols: ['tickmesh', `bearer.${keeper.token}`] }));
    return ready;
  }

  /**
   * Closes the connection and stops reconnecting and refreshing; books turn stale. The
   * recording is ended (its frames committed, final checkpoints taken) before this resolves,
   * so a logout loses nothing already received.
   */
  async disconnect(): Promise<void> {
    this.stopConnection();
    await this.recordings.recorder.end();
  }

  /**
   * Shows `view`: subscribes to every venue's stream of its symbol (the consolidated view
   * needs them all, and switching venue then costs nothing) and unsubscribes the previous
   * symbol. A new symbol, venue or candle width restarts trades and candles from the books'
   * recent trades; the next frame has `candlesReset`. Depth alone changes only the ladder.
   */
  async setView(view: ViewSelection): Promise<void> {
    const next: View = { symbol: view.symbol, venue: view.venue, depth: clampDepth(view.depth), candleSeconds: view.candleSeconds ?? 60 };
    const prev = this.view;
    this.view = next;
    this.priceAlerts.show(next.symbol);
    if (next.symbol !== prev.symbol) this.subscribeView();
    if (next.symbol !== prev.symbol || next.venue !== prev.venue || next.candleSeconds !== prev.candleSeconds) this.restartTrades();
  }

  /** The state to draw now (see `TerminalFrame`); only what changed since the last call. */
  async frame(): Promise<TerminalFrame> {
    return this.buildFrame();
  }

  /**
   * Checks the order with the shared pre-trade rules (the relay's limits for the symbol, the
   * consolidated mid as reference, the worker's own position and open orders) and sends it.
   * `{ ok: true }` once sent; its fate arrives as order updates in frames (a relay Error for
   * it becomes a Denied order with the Error's code and message). A refusal by the rules here
   * is returned and kept as a Denied blotter row too (code, readable text, no orderId: nothing
   * reached the relay). An empty clientOrderId gets a fresh one.
   */
  async placeOrder(order: TicketOrder): Promise<PlaceResult> {
    if (this.replayDesk) return this.replayDesk.place({ ...order, account: 'paper', clientOrderId: order.clientOrderId || this.newClientId() });
    const blocked = this.tradingBlocked();
    if (blocked) return blocked;
    const intent: OrderIntent = { ...order, account: this.account, clientOrderId: order.clientOrderId || this.newClientId() };
    const inst = this.instrumentOf(intent.symbol);
    if (inst === undefined) return this.deniedHere(intent, ErrorCode.RISK_UNKNOWN_INSTRUMENT, `unknown instrument ${intent.symbol}`);
    const check = preTradeCheck(intent, preTradeContext(this.riskView(inst)));
    if (!check.ok) return this.deniedHere(intent, check.reason.code, check.reason.message);
    const requestId = this.nextRequestId();
    this.requests.remember(requestId, { kind: 'new', intent });
    const { account: _account, ...fields } = orderIntent(intent, intent.account);
    this.send({ type: 'newOrder', requestId, ...fields });
    return { ok: true };
  }

  /** Sends a cancel of the order with this client id (no pre-check: cancels are always allowed). */
  async cancelOrder(clientOrderId: string): Promise<PlaceResult> {
    if (this.replayDesk) return this.replayDesk.cancel(clientOrderId);
    const blocked = this.tradingBlocked();
    if (blocked) return blocked;
    const requestId = this.nextRequestId();
    this.requests.remember(requestId, { kind: 'cancel', origClientOrderId: clientOrderId });
    this.send({ type: 'cancelOrder', requestId, clientOrderId: this.newClientId(), origClientOrderId: clientOrderId });
    return { ok: true };
  }

  /**
   * Re-runs the pre-trade rules with the new price (ticks) and total qty (lots), the order
   * itself taken out of the exposure as the relay does, then sends the replace. The order
   * takes a new client id once the venue confirms (the blotter follows it by orderId).
   */
  async replaceOrder(clientOrderId: string, price: number, qty: number): Promise<PlaceResult> {
    if (this.replayDesk) return refused(ErrorCode.OMS_REPLACE_NOT_SUPPORTED, 'paper orders are cancelled and placed again, not replaced');
    const blocked = this.tradingBlocked();
    if (blocked) return blocked;
    const order = this.liveOrders.blotter.byClientOrderId(clientOrderId);
    if (order === undefined) return refused(ErrorCode.OMS_UNKNOWN_ORDER, `no order ${clientOrderId}`);
    const inst = this.instrumentOf(order.symbol);
    if (inst === undefined) return refused(ErrorCode.RISK_UNKNOWN_INSTRUMENT, `unknown instrument ${order.symbol}`);
    if (!Number.isSafeInteger(qty) || qty <= order.filledQty) return refused(ErrorCode.RISK_INVALID_QTY, `new qty ${qty} must exceed the filled ${order.filledQty}`);
    const check = preTradeCheck({ ...order, price, qty }, preTradeContext(this.riskView(inst), order));
    if (!check.ok) {
      // The order stands as it was; its row says why the change was refused, as a relay refusal would.
      this.liveOrders.blotter.refused(order, check.reason.code, this.deps.now() * 1000, check.reason.message);
      return refused(check.reason.code, check.reason.message);
    }
    const requestId = this.nextRequestId();
    this.requests.remember(requestId, { kind: 'replace', origClientOrderId: clientOrderId });
    this.send({ type: 'replaceOrder', requestId, clientOrderId: this.newClientId(), origClientOrderId: clientOrderId, price, qty });
    return { ok: true };
  }

  /** Cancels every open order of the account, or of one symbol. */
  /** Sets a price alert (the level in ticks; direction from the last price when left out). */
  addPriceAlert(request: PriceAlertRequest): Promise<PriceAlertResult> {
    return this.priceAlerts.add(request);
  }

  removePriceAlert(id: string): Promise<PlaceResult> {
    return this.priceAlerts.remove(id);
  }

  async cancelAll(symbol?: string): Promise<PlaceResult> {
    if (this.replayDesk) return this.replayDesk.cancelAll(symbol);
    const blocked = this.tradingBlocked();
    if (blocked) return blocked;
    const requestId = this.nextRequestId();
    this.requests.remember(requestId, { kind: 'other' });
    this.send({ type: 'cancelAll', requestId, symbol: symbol ?? '' });
    return { ok: true };
  }

  /**
   * Totals since construction: snapshots and batches applied, ms spent decoding and applying
   * them, frames built, frames that failed to decode or apply.
   */
  async stats(): Promise<{ updates: number; levelUpdates: number; applyMs: number; recordMs: number; frames: number; decodeErrors: number }> {
    return { updates: this.books.applied, levelUpdates: this.levelUpdates, applyMs: this.applyMs, recordMs: this.recordMs, frames: this.frames, decodeErrors: this.decodeErrors };
  }

  // ---- mesh (optional part of the worker API) -------------------------------------------------

  /**
   * Switches the mesh on with a PeerJS id the main thread registered in signalling (the
   * worker then says hello on /ws and joins its streams once the relay answers), or off with
   * null (goodbye: the relay resumes direct batches).
   */
  async setMesh(peerId: string | null, links?: MeshLinkRequests): Promise<void> {
    if (this.mesh && (peerId === null || peerId !== this.mesh.peerId)) {
      this.mesh.close();
      this.mesh = undefined;
    }
    // The same id opened again (PeerJS reconnected to signalling): the relay may have dropped us meanwhile.
    if (this.mesh && peerId === this.mesh.peerId) return this.mesh.reannounce();
    if (peerId === null || this.mesh || !links) return;
    this.mesh = new MeshPeer(peerId, links, {
      sendRelay: (payload) => this.send({ type: 'mesh', requestId: 0, payload }),
      apply: (msg, bytes) => {
        this.record(msg, bytes);
        this.handle(msg);
      },
      requestSnapshot: (streamId) => this.send({ type: 'subscribe', requestId: this.nextRequestId(), streamIds: [streamId], symbols: [] }),
      liveStreams: () => this.books.entries.filter((e) => e.stream.status !== 'stale').map((e) => ({ streamId: e.instrument.streamId, epoch: e.stream.epoch, seq: e.stream.seq })),
      viewStreams: () => this.books.entries.map((e) => ({ streamId: e.instrument.streamId, symbol: e.instrument.symbol, venue: e.instrument.venue, seq: e.stream.seq, checksum: e.stream.book.checksum() })),
    }, MESH_NODE_OPTIONS);
    if (this.welcomed && this.mdPublicKey) this.mesh.startSession(this.mdPublicKey);
  }

  async meshChannel(peerId: string, channel: unknown): Promise<void> {
    if (this.mesh) this.mesh.addChannel(peerId, channel as MeshChannel);
    else (channel as MeshChannel).close();
  }

  async meshConnectFailed(peerId: string): Promise<void> {
    this.mesh?.connectFailed(peerId);
  }

  async meshTimings(streamId: number): Promise<Array<[number, number]>> {
    return this.mesh?.timings(streamId) ?? [];
  }

  async meshToken(): Promise<string> {
    return this.tokens?.token ?? '';
  }

  // ---- order channel (optional part of the worker API; the main thread holds its PeerJS) -----

  async setOrderChannel(link: OrderChannelLink | null): Promise<void> {
    this.orderRoute.setChannel(link ?? undefined);
  }

  /** One frame of the order channel; resolves with the carrier after it (`peer` once its Welcome came). */
  async orderChannelData(data: unknown): Promise<OrderRouteStats['carrier']> {
    const bytes = toBytes(data);
    const msg = bytes === undefined ? undefined : this.orderRoute.channelFrame(bytes);
    if (msg !== undefined) this.handle(msg);
    return this.orderRoute.carrier;
  }

  async orderRouteStats(): Promise<OrderRouteStats> {
    return this.orderRoute.stats();
  }

  // ---- recording and replay (TerminalWorkerApi) -----------------------------------------------

  async setRecording(on: boolean): Promise<void> {
    this.recordingWanted = on;
    const recorder = this.recordings.recorder;
    if (!on) await recorder.end();
    else if (!recorder.recording && this.welcomed) await this.recordings.begin(this.instruments);
  }

  async setRetention(options: Partial<RetentionOptions>): Promise<PlaceResult> {
    const bad = badRetention(options);
    if (bad) return refused(ErrorCode.CODEC_INVALID_FIELD, bad);
    this.recordings.recorder.setRetention(options);
    await this.recordings.recorder.applyRetention();
    return { ok: true };
  }

  async setPersisted(persisted: boolean): Promise<void> {
    this.recordings.recorder.setPersisted(persisted);
  }

  listRecordings(): Promise<RecordingInfo[]> {
    return this.recordings.list();
  }

  /** Deletes a recording; the live one is replaced by a fresh recording when recording is on. */
  async deleteRecording(id: number): Promise<PlaceResult> {
    if (!isRecordingId(id)) return refused(ErrorCode.CODEC_INVALID_FIELD, `not a recording id: ${id}`);
    const live = id === this.recordings.recorder.recordingId;
    await this.recordings.delete(id);
    if (live && this.recordingWanted && this.welcomed) await this.recordings.begin(this.instruments);
    return { ok: true };
  }

  async exportRecording(id: number): Promise<ExportResult> {
    if (!isRecordingId(id)) return refused(ErrorCode.CODEC_INVALID_FIELD, `not a recording id: ${id}`) as ExportResult;
    const file = await this.recordings.export(id);
    return file ? { ok: true, file } : { ok: false, code: ErrorCode.REPLAY_UNKNOWN_RECORDING, message: `no recording ${id}` };
  }

  importRecording(file: Blob, name: string, options?: { partial?: boolean }): Promise<ImportResult> {
    return this.recordings.import(file, name, options?.partial === true);
  }

  /**
   * Enters replay mode: the view, tape, chart, orders and positions follow the replay and
   * paper trading; the live connection (and recording) carries on underneath.
   */
  startReplay(request: ReplayRequest): Promise<PlaceResult> {
    const bad = badReplayRequest(request);
    if (bad) return Promise.resolve(refused(ErrorCode.CODEC_INVALID_FIELD, bad));
    return this.replayOp(async () => {
      this.closeReplay();
      const r = await ReplayDesk.open(this.recordings, request, (entry, trade) => this.onTrade(entry, trade));
      if (!r.ok) return refused(r.code, r.message);
      this.replayDesk = r.desk;
      this.restartTrades();
      return { ok: true } as PlaceResult;
    });
  }

  /** Seek, speed, play/pause and step of the open replay; REPLAY_NOT_ACTIVE without one, CODEC_INVALID_FIELD for a bad value. */
  async replayControl(control: ReplayControl): Promise<PlaceResult> {
    const desk = this.replayDesk;
    if (!desk) return refused(ErrorCode.REPLAY_NOT_ACTIVE, 'no replay is open');
    const bad = badReplayControl(control);
    if (bad) return refused(ErrorCode.CODEC_INVALID_FIELD, bad);
    const player = desk.replay;
    if (control.seekUs !== undefined) {
      await desk.seek(control.seekUs);
      if (this.replayDesk === desk) this.restartTrades();
    }
    if (control.speed !== undefined) player.setSpeed(control.speed);
    if (control.playing === true) player.play();
    else if (control.playing === false) player.pause();
    if (control.step !== undefined) await player.step(control.step);
    const error = player.status().lastError;
    return error ? refused(error, 'the replay stopped on a stored chunk it could not read') : { ok: true };
  }

  stopReplay(): Promise<void> {
    return this.replayOp(async () => this.closeReplay());
  }

  private closeReplay(): void {
    if (!this.replayDesk) return;
    this.replayDesk.close();
    this.replayDesk = undefined;
    this.restartTrades();
  }

  private replayOp<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.replayOps.then(fn, fn);
    this.replayOps = run.catch(() => {});
    return run;
  }

  async replayHashes(): Promise<BookHash[]> {
    return (this.replayDesk?.books.entries ?? []).map((e) => ({ streamId: e.instrument.streamId, seq: e.stream.seq, stateHash: e.stream.book.stateHash() }));
  }

  recordedHashes(id: number): Promise<BookHash[]> {
    return isRecordingId(id) ? this.recordings.lastCheckpointHashes(id) : Promise.resolve([]);
  }

  // ---- inspection (tests, diagnostics) ----------------------------------------------------

  /** Streams held, resyncs requested, sockets opened, REST loads finished, token refreshes done. Not part of the worker API. */
  inspect(): { streams: Array<{ streamId: number; venue: string; symbol: string; epoch: number; seq: number; status: string }>; resyncs: number; opens: number; restLoads: number; tokenRefreshes: number; token: string } {
    return {
      streams: this.books.entries.map((e) => ({ streamId: e.instrument.streamId, venue: e.instrument.venue, symbol: e.instrument.symbol, epoch: e.stream.epoch, seq: e.stream.seq, status: e.stream.status })),
      resyncs: this.books.resyncs,
      opens: this.socket.opens,
      restLoads: this.restLoads,
      tokenRefreshes: this.tokens?.refreshes ?? 0,
      token: this.tokens?.token ?? '',
    };
  }

  /** Closes the socket as a network failure would (the engine reconnects). Test hook. */
  dropConnection(): void {
    this.socket.drop();
  }

  // ---- inbound ------------------------------------------------------------------------------

  /**
   * One WebSocket frame. Never throws: undecodable frames, and frames whose content a book
   * refuses, are counted in `decodeErrors` and dropped.
   */
  receive(data: unknown): void {
    const t0 = performance.now();
    this.rtt.heard();
    let book = false;
    try {
      const bytes = toBytes(data);
      if (bytes === undefined) {
        this.decodeErrors++;
        return;
      }
      const r = decodeServer(bytes);
      if (!r.ok) {
        this.decodeErrors++;
        return;
      }
      const msg = r.value;
      book = msg.type === 'bookBatch' || msg.type === 'bookSnapshot';
      if (book) {
        this.mesh?.countDirect(bytes.length, msg.type === 'bookBatch');
        this.record(msg, bytes);
      }
      this.handle(msg);
    } catch {
      this.decodeErrors++;
    } finally {
      if (book) this.applyMs += performance.now() - t0;
    }
  }

  /** One decoded relay message. Public as the seam tests use to inject frames (a skipped batch). */
  handle(msg: ServerMsg): void {
    switch (msg.type) {
      case 'bookSnapshot':
        if (this.books.applySnapshot(msg)?.action === 'applied') {
          this.updatesSinceFrame++;
          this.mesh?.onSnapshot(msg.streamId, msg.epoch, msg.seq);
        }
        return;
      case 'mesh':
        this.mesh?.onRelayMessage(msg.payload);
        return;
      case 'bookBatch':
        if (this.books.applyBatch(msg)?.action === 'applied') {
          this.updatesSinceFrame++;
          this.levelUpdates += msg.bids.price.length + msg.asks.price.length;
        }
        return;
      case 'executionReport':
        this.onReport(msg);
        return;
      case 'pong':
        this.rtt.onPong(msg.timeUs);
        return;
      case 'ping':
        this.send({ type: 'pong', requestId: msg.requestId, nonce: msg.nonce, timeUs: msg.timeUs });
        return;
      case 'welcome':
        this.onWelcome(msg);
        return;
      case 'instruments':
        this.setInstruments(msg.instruments);
        if (this.view.symbol !== '') this.holdStreams(this.viewInstruments());
        return;
      case 'error':
        if (this.orderRoute.swallow(msg)) return;
        // An edge of a cluster was cut from the OMS for a while: reports may be missing, the REST state is whole.
        if (msg.code === 'CLUSTER_REPORTS_GAP') return void this.reloadAfterGap();
        if (msg.code.startsWith('MESH_')) this.mesh?.onRelayError(msg.code);
        this.requests.refused(msg.requestId, msg.code, msg.message, this.deps.now() * 1000);
        return;
      case 'subscribed':
      case 'unsubscribed':
        return;
    }
  }

  private onWelcome(msg: Extract<ServerMsg, { type: 'welcome' }>): void {
    if (this.account !== '' && msg.account !== this.account) {
      // Another account on the same worker: nothing of the previous one may show.
      this.liveOrders.clear();
    }
    this.account = msg.account;
    this.role = msg.role;
    this.mdPublicKey = msg.mdPublicKey;
    this.setInstruments(msg.instruments);
    this.welcomed = true;
    if (this.recordingWanted && !this.recordings.recorder.recording) void this.recordings.begin(msg.instruments);
    else this.recordings.recorder.setInstruments(msg.instruments);
    this.mesh?.startSession(msg.mdPublicKey);
    this.socket.connected();
    this.subscribedSymbol = '';
    this.subscribeView();
    this.rtt.start(
      (nonce, timeUs) => this.send({ type: 'ping', requestId: 0, nonce, timeUs }),
      () => this.socket.abandon(RELAY_SILENT_CLOSE, 'relay silent'),
    );
    void this.loadRest().finally(() => this.releaseConnectWaiters());
  }

  private setInstruments(list: Instrument[]): void {
    this.instruments = list;
    this.venues = venuesOf(list);
    this.instrumentsChanged = true;
  }

  private onDown(): void {
    this.welcomed = false;
    this.mesh?.endSession();
    this.rtt.stop();
    // Whatever arrives after the reconnect starts from a snapshot: until then no book is live.
    this.dropBooks();
    this.releaseConnectWaiters();
  }

  private onTrade(entry: StreamEntry, trade: Trade): void {
    const v = this.view;
    if (entry.instrument.symbol !== v.symbol || (v.venue !== '' && entry.instrument.venue !== v.venue)) return;
    this.tape.push(trade);
    this.candles.add(trade);
  }

  private onReport(r: ExecutionReportMsg): void {
    if (!this.orderRoute.firstCopy(r)) return;
    const sent = this.requests.settled(r.requestId);
    if (this.account !== '' && r.account !== this.account) return;
    this.liveOrders.applyReport(r, sent);
  }

  // ---- outbound -----------------------------------------------------------------------------

  private send(msg: ClientMsg): boolean {
    return this.orderRoute.send(msg);
  }

  private nextRequestId(): number {
    this.requestId = this.requestId >= 0xffffffff ? 1 : this.requestId + 1;
    return this.requestId;
  }

  private newClientId(): string {
    return `${this.idPrefix}-${this.deps.now().toString(36)}-${(++this.clientIds).toString(36)}`;
  }

  /** A new order the worker's own pre-trade check refused: nothing is sent, the blotter gets a Denied row with the code and text. */
  private deniedHere(intent: OrderIntent, code: string, message: string): PlaceResult {
    this.liveOrders.blotter.deniedRequest(intent, code, this.deps.now() * 1000, message);
    return refused(code, message);
  }

  private tradingBlocked(): PlaceResult | undefined {
    if (!this.welcomed) return refused(ErrorCode.SESSION_NOT_READY, 'not connected to the relay');
    if (this.role === 'viewer') return refused(ErrorCode.AUTH_FORBIDDEN, 'a viewer may not trade');
    return undefined;
  }

  /** Subscribes the view's symbol (every venue) and drops the previous one, when connected. */
  private subscribeView(): void {
    const symbol = this.view.symbol;
    this.holdStreams(symbol === '' ? [] : this.viewInstruments());
    this.mesh?.retain(new Set(this.books.entries.map((e) => e.instrument.streamId)));
    if (!this.welcomed || symbol === this.subscribedSymbol) return;
    if (this.subscribedSymbol !== '') this.send({ type: 'unsubscribe', requestId: this.nextRequestId(), streamIds: [], symbols: [this.subscribedSymbol] });
    this.subscribedSymbol = symbol;
    if (symbol !== '') this.send({ type: 'subscribe', requestId: this.nextRequestId(), streamIds: [], symbols: [symbol] });
  }

  private viewInstruments(): Instrument[] {
    return this.instruments.filter((i) => i.symbol === this.view.symbol);
  }

  /** New trades and candles for a new view, seeded with the recent trades the books hold. */
  private restartTrades(): void {
    this.tape.clear();
    this.candles = new CandleSeries({ seconds: this.view.candleSeconds });
    this.viewChanged = true;
    const recent: Trade[] = [];
    for (const e of this.viewEntries()) for (const t of e.stream.recentTrades()) recent.push(t);
    recent.sort((a, b) => a.timeUs - b.timeUs);
    for (const t of recent) {
      this.tape.push(t);
      this.candles.add(t);
    }
  }

  /**
   * After CLUSTER_REPORTS_GAP: the edge is back on NATS, but the OMS node may not be yet, so the
   * REST load is tried again (every 500 ms, 20 times) until the orders came.
   */
  private async reloadAfterGap(): Promise<void> {
    for (let i = 0; i < 20 && this.rest !== undefined; i++) {
      if (await this.loadRest()) return;
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** Loads risk limits, orders, fills and positions; true when the orders came. */
  private async loadRest(): Promise<boolean> {
    const rest = this.rest;
    if (rest === undefined) return false;
    const [limits, orders, fills, positions] = await Promise.allSettled([rest.riskLimits(), rest.orders(), rest.fills(), rest.positions()]);
    if (this.rest !== rest) return false; // a newer connect() replaced this one
    if (limits.status === 'fulfilled') for (const s of limits.value) this.risk.set(s.symbol, s);
    const { blotter, ledger } = this.liveOrders;
    if (orders.status === 'fulfilled') blotter.load(orders.value);
    if (fills.status === 'fulfilled') ledger.load(fills.value.filter((f) => f.account === this.account));
    // Positions are rebuilt from fills (see PositionLedger); the relay's own figures are the
    // fallback only when the fill list could not be read.
    else if (positions.status === 'fulfilled') ledger.seed(positions.value.filter((p) => p.account === this.account));
    this.restLoads++;
    return orders.status === 'fulfilled';
  }

  private releaseConnectWaiters(): void {
    const waiters = this.connectWaiters;
    this.connectWaiters = [];
    for (const w of waiters) w();
  }

  private stopConnection(): void {
    this.running = false;
    this.socket.stop();
    this.tokens?.stop();
    this.rtt.stop();
    this.priceAlerts.stop();
    this.welcomed = false;
    this.subscribedSymbol = '';
    this.mesh?.endSession();
    this.dropBooks();
    this.releaseConnectWaiters();
  }

  // ---- recording and replay ---------------------------------------------------------------

  /** Stores a book frame of a held stream, before it is applied (see Recorder.append). */
  private record(msg: ServerMsg, bytes: Uint8Array): void {
    if (msg.type !== 'bookBatch' && msg.type !== 'bookSnapshot') return;
    if (this.books.get(msg.streamId) === undefined) return; // not held: the books ignore it too
    const recorder = this.recordings.recorder;
    if (!recorder.recording) return;
    const t0 = performance.now();
    recorder.append(msg.streamId, wallClockUs(), bytes);
    this.recordMs += performance.now() - t0;
  }

  /**
   * Holds the live books of `instruments`. A stream leaving the view gets its final checkpoint
   * first (the book after its last recorded frame): what a replay of it must reach.
   */
  private holdStreams(instruments: Instrument[]): void {
    const keep = new Set(instruments.map((i) => i.streamId));
    for (const e of this.books.entries) if (!keep.has(e.instrument.streamId)) this.recordings.recorder.closeStream(e.instrument.streamId);
    this.books.setStreams(instruments, this.venues);
  }

  /** Every live book goes stale (the transport dropped): each recorded stream gets its final checkpoint first. */
  private dropBooks(): void {
    for (const e of this.books.entries) this.recordings.recorder.closeStream(e.instrument.streamId);
    this.books.invalidateAll();
  }

  /** The books the view shows: the replay's in replay mode, else the live ones. */
  private get marketBooks(): StreamBooks {
    return this.replayDesk?.books ?? this.books;
  }

  /** The instruments the picker, ladder and positions use: the replay's in replay mode, else the relay's. */
  private get shownInstruments(): readonly Instrument[] {
    return this.replayDesk?.replay.instruments ?? this.instruments;
  }

  /** The account the blotter and positions show: paper in replay mode, else live. */
  private get activeOrders(): AccountState {
    return this.replayDesk?.account ?? this.liveOrders;
  }

  // ---- frames -----------------------------------------------------------------------------

  private buildFrame(): TerminalFrame {
    this.frames++;
    const v = this.view;
    const entries = this.viewEntries();
    const consolidated = v.venue === '';
    const sources: LadderSource[] = entries.map((e) => ({ book: e.stream.book, venueBit: e.venueBit }));
    let status: LadderFrame['status'] = entries.length === 0 ? 'stale' : 'live';
    let seq = 0;
    for (const e of entries) {
      const s = e.stream.status;
      if (s === 'stale') status = 'stale';
      else if (s === 'halted' && status === 'live') status = 'halted';
      if (e.stream.seq > seq) seq = e.stream.seq;
    }
    this.ladder.build(sources, v.depth);
    const ladder = this.ladder.snapshot(status, seq, consolidated);
    if (v.symbol !== '') {
      const mid = this.symbolMid();
      if (mid === mid) this.lastMid.set(v.symbol, mid);
    }

    const reset = this.viewChanged;
    this.viewChanged = false;
    const frame: TerminalFrame = {
      frame: this.frames,
      connection: {
        state: this.connectionState(status),
        rttMs: this.rtt.rttMs,
        reconnectInMs: this.socket.reconnectInMs,
        account: this.account,
        role: this.role,
      },
      view: { ...v },
      ladder,
      trades: this.tape.take(),
      candles: reset ? this.candles.takeAll() : this.candles.takeChanged(),
      candlesReset: reset,
      orders: [],
      fills: [],
      updates: this.updatesSinceFrame,
      mode: this.replayDesk ? 'replay' : 'live',
      accountReset: false,
      recorder: this.recordings.recorder.status(),
      ...this.priceAlerts.frame(),
    };
    const orders = this.activeOrders;
    if (this.replayDesk !== this.shownDesk) {
      // Live and paper accounts (or two replays' paper accounts) never mix on screen: the UI
      // drops what it holds and gets the whole new set, and the instruments of the new mode.
      this.shownDesk = this.replayDesk;
      frame.accountReset = true;
      orders.blotter.takeChanged();
      orders.ledger.takeFills();
      frame.orders = [...orders.blotter.values()];
      orders.ledger.changed = true;
      this.positionsKey = '';
      this.instrumentsChanged = true;
    } else {
      frame.orders = orders.blotter.takeChanged();
      frame.fills = orders.ledger.takeFills();
    }
    if (this.replayDesk) frame.replay = this.replayDesk.replay.status();
    this.updatesSinceFrame = 0;
    if (this.instrumentsChanged) {
      this.instrumentsChanged = false;
      frame.instruments = this.shownInstruments.map((i) => ({ ...i }));
    }
    const positions = this.positionsIfChanged();
    if (positions !== undefined) frame.positions = positions;
    if (this.mesh) frame.mesh = this.mesh.info();
    return frame;
  }

  private connectionState(ladder: LadderFrame['status']): ConnectionState {
    if (!this.running) return 'offline';
    if (!this.welcomed) return this.socket.isOpen || this.socket.isConnecting ? 'connecting' : 'offline';
    return this.viewEntries().length > 0 && ladder === 'stale' ? 'stale' : 'live';
  }

  /**
   * Streams of the view: every venue of the symbol, or the one venue chosen. Live books hold
   * only the view's symbol; a replay's hold every symbol it recorded, hence the symbol filter.
   */
  private viewEntries(): readonly StreamEntry[] {
    const { symbol, venue } = this.view;
    return this.marketBooks.entries.filter((e) => e.instrument.symbol === symbol && (venue === '' || e.instrument.venue === venue));
  }

  /** Every venue's stream of the viewed symbol. */
  private symbolEntries(): readonly StreamEntry[] {
    return this.marketBooks.entries.filter((e) => e.instrument.symbol === this.view.symbol);
  }

  /** Mid of the best bid and best ask across every venue of the viewed symbol (the relay's reference price), NaN if a side is empty. */
  private symbolMid(): number {
    let bid = Number.NaN;
    let ask = Number.NaN;
    for (const e of this.symbolEntries()) {
      const b = e.stream.book.bestBid();
      const a = e.stream.book.bestAsk();
      if (!(b <= bid)) bid = b;
      if (!(a >= ask)) ask = a;
    }
    return (bid + ask) / 2;
  }

  /** Mark price of a symbol: the live mid when viewed, else the last one seen, else the relay's reference. */
  private markOf(symbol: string): number {
    if (symbol === this.view.symbol) {
      const mid = this.symbolMid();
      if (mid === mid) return mid;
    }
    return this.lastMid.get(symbol) ?? this.risk.get(symbol)?.referencePrice ?? Number.NaN;
  }

  private positionsIfChanged(): PositionView[] | undefined {
    const ledger = this.activeOrders.ledger;
    const fillsMoved = ledger.changed;
    const now = performance.now();
    if (!fillsMoved && now - this.positionsSentAt < this.markIntervalMs) return undefined;
    const out: PositionView[] = [];
    let key = '';
    for (const p of ledger.list()) {
      const view = positionView(p, this.instrumentOf(p.symbol), this.markOf(p.symbol));
      out.push(view);
      key += `${view.symbol}:${view.qty}:${view.realizedPnl}:${view.unrealizedPnl}:${view.fees};`;
    }
    this.positionsSentAt = now;
    if (!fillsMoved && key === this.positionsKey) return undefined;
    ledger.changed = false;
    this.positionsKey = key;
    return out;
  }

  // ---- risk ---------------------------------------------------------------------------------

  /** The relay's risk looks instruments up by symbol alone; so does the browser, to agree with it. */
  private instrumentOf(symbol: string): Instrument | undefined {
    return this.shownInstruments.find((i) => i.symbol === symbol);
  }

  private riskView(inst: Instrument) {
    const symbol = inst.symbol;
    let halted = false;
    for (const e of this.books.entries) if (e.instrument.symbol === symbol && e.stream.status === 'halted') halted = true;
    const mid = symbol === this.view.symbol ? this.symbolMid() : Number.NaN;
    return {
      instrument: inst,
      instrumentOf: (s: string) => this.instrumentOf(s),
      referencePrice: mid === mid ? mid : this.lastMid.get(symbol) ?? this.risk.get(symbol)?.referencePrice ?? Number.NaN,
      position: this.liveOrders.ledger.qty(symbol),
      blotter: this.liveOrders.blotter,
      risk: this.risk.get(symbol),
      streamHalted: halted,
    };
  }
}

function refused(code: string, message: string): PlaceResult {
  return { ok: false, code, message };
}

function clampDepth(depth: number | undefined): number {
  const d = depth ?? 20;
  return Number.isSafeInteger(d) && d > 0 ? Math.min(d, 1000) : 20;
}


/** The bytes of a binary frame, whichever shape the WebSocket implementation delivered. */
function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  // An ArrayBuffer from another realm (a test runner's context) fails instanceof.
  if (Object.prototype.toString.call(data) === '[object ArrayBuffer]') return new Uint8Array(data as ArrayBuffer);
  return undefined; // a text frame: not part of /ws
}
