import { PriceAlertWatch, type PriceAlertResult } from './alerts/price-alert-watch';
import type { PriceAlertRequest } from './alerts/price-alert';
import { decodeServer, type ClientMsg, type Instrument, type ServerMsg } from '@tickmesh/shared';
import { AccountFrameBuilder } from './account-frame-builder';
import type { AccountState } from './account-state';
import type { EngineDeps } from './engine-deps';
import { LiveSubscriptions } from './live-subscriptions';
import { MarketView } from './market-view';
import { MeshSwitch } from './mesh-switch';
import { OrderEntry } from './order-entry';
import { OrderRoute, type OrderChannelLink, type OrderRouteStats } from './order-route';
import type { BackoffOptions } from './reconnect-backoff';
import { RecordingControl } from './recording-control';
import { SideDesks } from './side-desks';
import type { RecordingLibraryOptions } from './recording/recording-library';
import { RelaySession, toBytes } from './relay-session';
import { ReplayMode } from './replay-mode';
import { StreamBooks } from './stream-books';
import type {
  BookHash,
  ConnectOptions,
  ExportResult,
  ImportResult,
  RecordingInfo,
  ReplayControl,
  ReplayRequest,
  RetentionOptions,
  MeshLinkRequests,
  PlaceResult,
  SideDeskPin,
  TerminalFrame,
  TerminalWorkerApi,
  TicketOrder,
  ViewSelection,
} from './terminal-api';

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
 * The terminal's whole client side of the relay, without the worker around it: the WebSocket
 * (reconnects, token refresh, RTT), the books (shared BookStream per stream, resync on gaps),
 * the view's ladder, trades and candles, the account's orders, fills and positions, and the
 * shared pre-trade rules in front of every order. `market-data.worker.ts` exposes it through
 * comlink; tests drive it in Node against a real relay.
 *
 * Market data is applied as it arrives; `frame()` reads the result once per animation frame,
 * carrying only what changed since the previous call.
 *
 * This class routes every message and wires the parts together: RelaySession (socket, token,
 * REST, RTT), LiveSubscriptions (what /ws and the live books hold), MarketView (view, ladder,
 * tape, candles), OrderEntry (orders and the live account),
 * AccountFrameBuilder (the account side of frames), RecordingControl (recorder and library),
 * ReplayMode (replay desks), MeshSwitch (the peer mesh) and SideDesks (instruments pinned
 * beside the desk, on the live books).
 */
export class TerminalEngine implements TerminalWorkerApi {
  private readonly session: RelaySession;
  private readonly books: StreamBooks;
  private readonly market: MarketView;
  private readonly orders: OrderEntry;
  private readonly accountFrames: AccountFrameBuilder;
  private readonly recording: RecordingControl;
  private readonly subscriptions: LiveSubscriptions;
  private readonly replay: ReplayMode;
  /** The trader's price alerts, evaluated on live trades and the relay's tickers (alerts/). */
  private readonly priceAlerts: PriceAlertWatch;
  /** Order requests on the relay's order channel when one is up, else on /ws (order-route.ts). */
  private readonly orderRoute = new OrderRoute((bytes) => this.session.send(bytes));
  private readonly mesh: MeshSwitch;
  /** Instruments pinned beside the desk, on the live books (side-desks.ts). */
  private readonly sideDesks: SideDesks;

  /** The instruments of the mode shown changed: the next frame carries them. */
  private instrumentsChanged = false;
  private requestId = 0;

  private frames = 0;
  private updatesSinceFrame = 0;
  private applyMs = 0;
  /** Book level changes applied from batches: the load figure the responsiveness check reports. */
  private levelUpdates = 0;
  private decodeErrors = 0;

  constructor(deps: EngineDeps, options: TerminalEngineOptions = {}) {
    const resolved: Required<EngineDeps> = { now: Date.now, random: Math.random, ...deps };
    this.session = new RelaySession(resolved, options, {
      onData: (d) => this.receive(d),
      onDown: () => this.onDown(),
      send: (msg) => this.send(msg),
    });
    this.books = new StreamBooks(
      (streamId) => this.requestSnapshot(streamId),
      (entry, trade) => {
        // The side desks show live books even while the main desk replays a recording.
        this.sideDesks.onTrade(entry, trade);
        if (this.replay.desk !== undefined) return;
        this.market.onTrade(entry, trade);
        this.priceAlerts.trade(entry.instrument.symbol, entry.instrument.venue, trade.price);
      },
    );
    this.sideDesks = new SideDesks(this.books);
    this.orders = new OrderEntry({
      welcomed: () => this.session.welcomed,
      account: () => this.session.account,
      role: () => this.session.role,
      rest: () => this.session.rest,
      paperDesk: () => this.replay.desk,
      books: this.books,
      instrumentOf: (symbol) => this.instrumentOf(symbol),
      referencePrice: (symbol) => this.market.markOf(symbol),
      send: (msg) => this.send(msg),
      nextRequestId: () => this.nextRequestId(),
      now: resolved.now,
    }, options.maxPendingRequests ?? 1000, resolved.random);
    this.market = new MarketView(() => this.replay.desk?.books ?? this.books, (symbol) => this.orders.referencePrice(symbol));
    this.accountFrames = new AccountFrameBuilder(this.orders.live, options.markIntervalMs ?? 250, (symbol) => this.instrumentOf(symbol), (symbol) => this.market.markOf(symbol));
    this.priceAlerts = new PriceAlertWatch(resolved.now, resolved.random, () => this.subscriptions.instruments);
    this.recording = new RecordingControl({ books: this.books, welcomed: () => this.session.welcomed, instruments: () => this.subscriptions.instruments }, options.recording);
    this.subscriptions = new LiveSubscriptions({
      books: this.books,
      recorder: this.recording.recorder,
      welcomed: () => this.session.welcomed,
      viewSymbol: () => this.market.view.symbol,
      pinnedInstruments: (instruments) => this.sideDesks.instruments(instruments),
      meshPeer: () => this.mesh.peer,
      send: (msg) => this.send(msg),
      nextRequestId: () => this.nextRequestId(),
    });
    this.replay = new ReplayMode(this.recording.library, this.market);
    this.mesh = new MeshSwitch({
      books: this.books,
      send: (msg) => this.send(msg),
      requestSnapshot: (streamId) => this.requestSnapshot(streamId),
      apply: (msg, bytes) => {
        this.recording.record(msg, bytes);
        this.handle(msg);
      },
      sessionKey: () => (this.session.welcomed ? this.session.mdPublicKey : undefined),
    });
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
    const { rest, ready } = this.session.open(options);
    this.priceAlerts.start(rest);
    return ready;
  }

  /**
   * Closes the connection and stops reconnecting and refreshing; books turn stale. The
   * recording is ended (its frames committed, final checkpoints taken) before this resolves,
   * so a logout loses nothing already received.
   */
  async disconnect(): Promise<void> {
    this.stopConnection();
    await this.recording.recorder.end();
  }

  /**
   * Shows `view`: subscribes to every venue's stream of its symbol (the consolidated view
   * needs them all, and switching venue then costs nothing) and unsubscribes the previous
   * symbol's (but those a side desk holds). A new symbol, venue or candle width restarts trades and candles from the books'
   * recent trades; the next frame has `candlesReset`. Depth alone changes only the ladder.
   */
  async setView(view: ViewSelection): Promise<void> {
    const prev = this.market.select(view);
    const next = this.market.view;
    this.priceAlerts.show(next.symbol);
    if (next.symbol !== prev.symbol) this.subscriptions.syncSubscriptions();
    if (next.symbol !== prev.symbol || next.venue !== prev.venue || next.candleSeconds !== prev.candleSeconds) this.market.restartTrades();
  }

  /**
   * Pins instruments beside the desk (deduplicated, at most MAX_SIDE_DESKS, one venue each):
   * their streams are held and subscribed on the same /ws as the view's, a stream both need
   * once, and dropped when neither does.
   */
  async setSideDesks(pins: SideDeskPin[]): Promise<void> {
    if (this.sideDesks.set(pins)) this.subscriptions.syncSubscriptions();
  }

  /** The state to draw now (see `TerminalFrame`); only what changed since the last call. */
  async frame(): Promise<TerminalFrame> {
    this.frames++;
    const market = this.market.frame();
    const frame: TerminalFrame = {
      frame: this.frames,
      connection: this.session.frame(this.market.viewEntries().length > 0 && market.ladder.status === 'stale'),
      ...market,
      orders: [],
      fills: [],
      updates: this.updatesSinceFrame,
      mode: this.replay.desk ? 'replay' : 'live',
      accountReset: false,
      recorder: this.recording.recorder.status(),
      ...this.priceAlerts.frame(),
      sideDesks: this.sideDesks.frame(),
    };
    const account = this.shownAccount;
    if (this.accountFrames.orders(frame, account)) this.instrumentsChanged = true;
    const desk = this.replay.desk;
    if (desk) frame.replay = desk.replay.status();
    this.updatesSinceFrame = 0;
    if (this.instrumentsChanged) {
      this.instrumentsChanged = false;
      frame.instruments = this.shownInstruments.map((i) => ({ ...i }));
    }
    const positions = this.accountFrames.positions(account);
    if (positions !== undefined) frame.positions = positions;
    const mesh = this.mesh.peer;
    if (mesh) frame.mesh = mesh.info();
    return frame;
  }

  async placeOrder(order: TicketOrder): Promise<PlaceResult> {
    return this.orders.place(order);
  }

  async cancelOrder(clientOrderId: string): Promise<PlaceResult> {
    return this.orders.cancel(clientOrderId);
  }

  async replaceOrder(clientOrderId: string, price: number, qty: number): Promise<PlaceResult> {
    return this.orders.replace(clientOrderId, price, qty);
  }

  async cancelAll(symbol?: string): Promise<PlaceResult> {
    return this.orders.cancelAll(symbol);
  }

  /** Sets a price alert (the level in ticks; direction from the last price when left out). */
  addPriceAlert(request: PriceAlertRequest): Promise<PriceAlertResult> {
    return this.priceAlerts.add(request);
  }

  removePriceAlert(id: string): Promise<PlaceResult> {
    return this.priceAlerts.remove(id);
  }

  /**
   * Totals since construction: snapshots and batches applied, ms spent decoding and applying
   * them, frames built, frames that failed to decode or apply.
   */
  async stats(): Promise<{ updates: number; levelUpdates: number; applyMs: number; recordMs: number; frames: number; decodeErrors: number }> {
    return { updates: this.books.applied, levelUpdates: this.levelUpdates, applyMs: this.applyMs, recordMs: this.recording.recordMs, frames: this.frames, decodeErrors: this.decodeErrors };
  }

  // ---- mesh (optional part of the worker API; see MeshSwitch) ---------------------------------

  async setMesh(peerId: string | null, links?: MeshLinkRequests): Promise<void> {
    this.mesh.set(peerId, links);
  }

  async meshChannel(peerId: string, channel: unknown): Promise<void> {
    this.mesh.addChannel(peerId, channel);
  }

  async meshConnectFailed(peerId: string): Promise<void> {
    this.mesh.connectFailed(peerId);
  }

  async meshTimings(streamId: number): Promise<Array<[number, number]>> {
    return this.mesh.timings(streamId);
  }

  async meshToken(): Promise<string> {
    return this.session.token;
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

  // ---- recording and replay (TerminalWorkerApi; see RecordingControl, ReplayMode) -------------

  setRecording(on: boolean): Promise<void> {
    return this.recording.setRecording(on);
  }

  setRetention(options: Partial<RetentionOptions>): Promise<PlaceResult> {
    return this.recording.setRetention(options);
  }

  setPersisted(persisted: boolean): Promise<void> {
    return this.recording.setPersisted(persisted);
  }

  listRecordings(): Promise<RecordingInfo[]> {
    return this.recording.list();
  }

  deleteRecording(id: number): Promise<PlaceResult> {
    return this.recording.delete(id);
  }

  exportRecording(id: number): Promise<ExportResult> {
    return this.recording.export(id);
  }

  importRecording(file: Blob, name: string, options?: { partial?: boolean }): Promise<ImportResult> {
    return this.recording.import(file, name, options);
  }

  startReplay(request: ReplayRequest): Promise<PlaceResult> {
    return this.replay.start(request);
  }

  replayControl(control: ReplayControl): Promise<PlaceResult> {
    return this.replay.control(control);
  }

  stopReplay(): Promise<void> {
    return this.replay.stop();
  }

  async replayHashes(): Promise<BookHash[]> {
    return this.replay.hashes();
  }

  recordedHashes(id: number): Promise<BookHash[]> {
    return this.recording.recordedHashes(id);
  }

  // ---- inspection (tests, diagnostics) ----------------------------------------------------

  /** Streams held, resyncs requested, sockets opened, REST loads finished, token refreshes done. Not part of the worker API. */
  inspect(): { streams: Array<{ streamId: number; venue: string; symbol: string; epoch: number; seq: number; status: string }>; resyncs: number; opens: number; restLoads: number; tokenRefreshes: number; token: string } {
    return {
      streams: this.books.entries.map((e) => ({ streamId: e.instrument.streamId, venue: e.instrument.venue, symbol: e.instrument.symbol, epoch: e.stream.epoch, seq: e.stream.seq, status: e.stream.status })),
      resyncs: this.books.resyncs,
      opens: this.session.opens,
      restLoads: this.orders.restLoads,
      tokenRefreshes: this.session.tokenRefreshes,
      token: this.session.token,
    };
  }

  /** Closes the socket as a network failure would (the engine reconnects). Test hook. */
  dropConnection(): void {
    this.session.drop();
  }

  // ---- inbound ------------------------------------------------------------------------------

  /**
   * One WebSocket frame. Never throws: undecodable frames, and frames whose content a book
   * refuses, are counted in `decodeErrors` and dropped.
   */
  receive(data: unknown): void {
    const t0 = performance.now();
    this.session.heard();
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
        this.mesh.peer?.countDirect(bytes.length, msg.type === 'bookBatch');
        this.recording.record(msg, bytes);
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
          this.mesh.peer?.onSnapshot(msg.streamId, msg.epoch, msg.seq);
        }
        return;
      case 'mesh':
        this.mesh.peer?.onRelayMessage(msg.payload);
        return;
      case 'bookBatch':
        if (this.books.applyBatch(msg)?.action === 'applied') {
          this.updatesSinceFrame++;
          this.levelUpdates += msg.bids.price.length + msg.asks.price.length;
        }
        return;
      case 'executionReport':
        if (this.orderRoute.firstCopy(msg)) this.orders.onReport(msg);
        return;
      case 'pong':
        this.session.onPong(msg.timeUs);
        return;
      case 'ping':
        this.send({ type: 'pong', requestId: msg.requestId, nonce: msg.nonce, timeUs: msg.timeUs });
        return;
      case 'welcome':
        this.onWelcome(msg);
        return;
      case 'instruments':
        this.setInstruments(msg.instruments);
        this.subscriptions.holdView();
        return;
      case 'error':
        if (this.orderRoute.swallow(msg)) return;
        // An edge of a cluster was cut from the OMS for a while: reports may be missing, the REST state is whole.
        if (msg.code === 'CLUSTER_REPORTS_GAP') return void this.orders.reloadAfterGap();
        if (msg.code.startsWith('MESH_')) this.mesh.peer?.onRelayError(msg.code);
        this.orders.onRelayError(msg.requestId, msg.code, msg.message);
        return;
      case 'subscribed':
      case 'unsubscribed':
        return;
    }
  }

  private onWelcome(msg: Extract<ServerMsg, { type: 'welcome' }>): void {
    const previous = this.session.account;
    if (previous !== '' && msg.account !== previous) {
      // Another account on the same worker: nothing of the previous one may show.
      this.orders.live.clear();
    }
    this.session.welcome(msg);
    this.setInstruments(msg.instruments);
    this.recording.onWelcome(msg.instruments);
    this.mesh.peer?.startSession(msg.mdPublicKey);
    this.subscriptions.resubscribe();
    this.session.established();
    void this.orders.load().finally(() => this.session.releaseWaiters());
  }

  private setInstruments(list: Instrument[]): void {
    this.subscriptions.setInstruments(list);
    this.instrumentsChanged = true;
  }

  private onDown(): void {
    this.session.down();
    this.mesh.peer?.endSession();
    // Whatever arrives after the reconnect starts from a snapshot: until then no book is live.
    this.subscriptions.dropBooks();
    this.session.releaseWaiters();
  }

  // ---- outbound -----------------------------------------------------------------------------

  private send(msg: ClientMsg): boolean {
    return this.orderRoute.send(msg);
  }

  private nextRequestId(): number {
    this.requestId = this.requestId >= 0xffffffff ? 1 : this.requestId + 1;
    return this.requestId;
  }

  /** Subscribing to a held stream again makes the relay re-send its snapshot. */
  private requestSnapshot(streamId: number): void {
    this.send({ type: 'subscribe', requestId: this.nextRequestId(), streamIds: [streamId], symbols: [] });
  }

  private stopConnection(): void {
    this.session.stop();
    this.priceAlerts.stop();
    this.mesh.peer?.endSession();
    this.subscriptions.stop();
    this.session.releaseWaiters();
  }

  // ---- live or replay mode --------------------------------------------------------------------

  /** The instruments the picker, ladder and positions use: the replay's in replay mode, else the relay's. */
  private get shownInstruments(): readonly Instrument[] {
    return this.replay.desk?.replay.instruments ?? this.subscriptions.instruments;
  }

  /** The account the blotter and positions show: paper in replay mode, else live. */
  private get shownAccount(): AccountState {
    return this.replay.desk?.account ?? this.orders.live;
  }

  /** The relay's risk looks instruments up by symbol alone; so does the browser, to agree with it. */
  private instrumentOf(symbol: string): Instrument | undefined {
    return this.shownInstruments.find((i) => i.symbol === symbol);
  }
}
