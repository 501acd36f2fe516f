import type { PriceAlert, PriceAlertRequest } from './alerts/price-alert';
import type { PriceAlertResult } from './alerts/price-alert-watch';
import type { OrderCarrier, OrderChannelLink, OrderRouteStats } from './order-route';
import type { Candle, Fill, Instrument, Order, OrderIntent, Side, Trade } from '@tickmesh/shared';

/**
 * The contract between the market-data worker and the UI thread (exposed with comlink).
 * The worker owns the WebSocket: it decodes every frame, keeps the books (shared BookStream),
 * candles, orders, fills and positions, runs the shared pre-trade rules, and hands the UI one
 * compact `TerminalFrame` per animation frame. The UI never decodes or applies market data.
 */

/** Transport health as the trader sees it. `stale`: connected but some viewed stream is resyncing. */
export type ConnectionState = 'connecting' | 'live' | 'stale' | 'offline';

export interface ConnectOptions {
  /** Relay origin, e.g. "http://localhost:8080" (the worker derives ws:// and /api URLs). */
  origin: string;
  /** Access token (see POST /api/auth/login); the worker refreshes it before it expires. */
  token: string;
}

/** What the UI is looking at; the worker subscribes accordingly and shapes frames to it. */
export interface ViewSelection {
  symbol: string;
  /** '' = consolidated across venues. */
  venue: string;
  /** Ladder depth per side. Default 20. */
  depth?: number;
  /** Candle width in seconds. Default 60. */
  candleSeconds?: number;
}

/**
 * The ladder of the view, best first. Parallel Float64Arrays (transferred, not copied):
 * prices in ticks, sizes in lots. In the consolidated view `bidVenueMask` / `askVenueMask`
 * mark which venues (bit i = instruments' venue order) quote each level.
 */
export interface LadderFrame {
  status: 'live' | 'stale' | 'halted';
  bidPrice: Float64Array;
  bidSize: Float64Array;
  askPrice: Float64Array;
  askSize: Float64Array;
  /** Relay seq the book is valid at (per venue stream; the max for consolidated). */
  seq: number;
  /** Consolidated view only: bit i set = the i-th venue (in the instruments' order) quotes that bid level. */
  bidVenueMask?: Uint32Array;
  /** Consolidated view only: as `bidVenueMask`, for the asks. */
  askVenueMask?: Uint32Array;
}

/** Side desks a desk shows at most, by the worker and by the UI alike: each holds a live stream on the tab's one connection. */
export const MAX_SIDE_DESKS = 4;

/** One instrument pinned beside the desk (a side desk): a venue's stream of a symbol. */
export interface SideDeskPin {
  symbol: string;
  venue: string;
}

/**
 * One side desk as a frame carries it: the top of its stream's book (the same live book, and
 * the same ladder code, the main ladder uses for that venue and symbol), its last trade and the
 * candles to redraw. `status` is the stream's: 'stale' until its checksummed snapshot and while
 * it resyncs; `listed` false while the relay lists no such stream (never live then).
 */
export interface SideDeskFrame extends SideDeskPin {
  listed: boolean;
  ladder: LadderFrame;
  /** The newest trade seen on the stream (ticks, lots), undefined before any. */
  lastTrade?: Trade;
  /** One-minute candles of the stream to redraw (see `candlesReset`), oldest first. */
  candles: Candle[];
  /** True when `candles` is every candle kept (the pin is new to the worker): the panel starts over. */
  candlesReset: boolean;
}

/** One OHLCV candle, as the relay serves it (GET /api/candles) and the worker builds it from trades. */
export type { Candle };

/**
 * One order as the blotter shows it: the order with the readable text of its reason.
 * A request refused before any order existed (the worker's own pre-trade check, or a relay
 * Error answering it) is a Denied row with `orderId` '' and `local` true: never a relay order.
 */
export interface BlotterOrder extends Order {
  /** What a person reads about `reasonCode` (the relay's or the pre-check's message), '' when none or unknown (REST snapshots carry codes only). */
  reason: string;
  /** True for a refused request kept by the worker only (no relay order behind it). */
  local: boolean;
}

/** Denied rows without a relay order kept per account (oldest dropped first), by the worker and by the UI alike. */
export const LOCAL_DENIALS_KEPT = 50;

export interface PositionView {
  symbol: string;
  /** Signed lots. */
  qty: number;
  /** Average entry price in ticks (0 when flat). */
  avgPrice: number;
  /** Realised / unrealised P&L in quote currency units (floats for display only), before fees. */
  realizedPnl: number;
  unrealizedPnl: number;
  /** Realised + unrealised, before fees (quote). */
  grossPnl: number;
  /** Fees paid, quote (negative = rebates). */
  fees: number;
  /** Gross − fees: what the trader made (quote). */
  netPnl: number;
}

/** One animation frame's worth of state. Arrays of events carry only what is new since the last frame. */
export type { PriceAlert, PriceAlertRequest, PriceAlertResult };

export interface TerminalFrame {
  frame: number;
  connection: { state: ConnectionState; rttMs: number; reconnectInMs: number; account: string; role: string };
  /** Instruments as listed by the relay (set in the first frame after each (re)connect, else undefined). */
  instruments?: Instrument[];
  view: ViewSelection;
  ladder: LadderFrame;
  /** New trades of the view, oldest first. */
  trades: Trade[];
  /** Candles to (re)draw, oldest first: completed ones since the last frame and the live one. */
  candles: Candle[];
  /** True when `candles` is the whole history (view changed): the chart must reset. */
  candlesReset: boolean;
  /** Orders that changed since the last frame (the full order, latest state). */
  orders: BlotterOrder[];
  /** Fills since the last frame. */
  fills: Fill[];
  /** All positions of the account when any changed, else undefined. */
  positions?: PositionView[];
  /** Market-data updates applied since the last frame (for the status bar / load meter). */
  updates: number;
  /** The peer mesh, when switched on (undefined while off). */
  mesh?: MeshFrameInfo;
  /** 'replay': the ladder, tape, chart, orders and positions come from a replay and paper trading. */
  mode: TerminalMode;
  /**
   * True when `orders` and `positions` are the whole set of the mode just entered (live or
   * paper): the UI must drop the orders, fills and positions it holds before applying them.
   */
  accountReset: boolean;
  /** The IndexedDB recorder (every frame, about 4 times a second is enough for a meter). */
  recorder: RecorderStatus;
  /** The replay while one is open (mode 'replay'), else undefined. */
  replay?: ReplayStatus;
  /** Every price alert (newest first) when any changed, else undefined. */
  priceAlerts?: PriceAlert[];
  /** The side desks, in pin order, every frame (the live books: a replay leaves them live). */
  sideDesks: SideDeskFrame[];
  /** Price alerts that fired since the last frame (the UI shows and notifies them). */
  alertsFired: PriceAlert[];
}

export type TerminalMode = 'live' | 'replay';

/** Replay pace: recorded pace times 1, 10 or 100, or as fast as the worker can apply frames. */
export type ReplaySpeed = 1 | 10 | 100 | 'max';

/** Retention of recordings in IndexedDB; the oldest data goes first when either limit is passed. */
export interface RetentionOptions {
  /** Bytes of recorded frames kept across all recordings. Default 512 MiB. */
  maxBytes: number;
  /** Age of the oldest frame kept, ms. Default 7 days. */
  maxAgeMs: number;
}

/**
 * The recorder as the storage meter shows it.
 * - 'recording': frames are being stored;
 * - 'shedding': IndexedDB fell behind and frames are being dropped (counted in `framesShed`)
 *   until it catches up; the recording continues from a fresh book checkpoint;
 * - 'full': the browser's quota is exhausted (RECORDING_QUOTA_EXCEEDED): recording stopped,
 *   everything committed before is kept;
 * - 'off': switched off by the trader; 'unavailable': no IndexedDB here; 'error': see lastError.
 */
export interface RecorderStatus {
  state: 'off' | 'recording' | 'shedding' | 'full' | 'error' | 'unavailable';
  /** The recording being written (0 when none). */
  recordingId: number;
  /**
   * Streams the recording holds (ids of the relay's instruments): the recorder stores what the
   * worker receives, i.e. the streams of the symbols viewed while recording.
   */
  streamIds: number[];
  /** Frames stored (committed) by this worker since it started. */
  framesRecorded: number;
  /** Frames dropped because IndexedDB could not keep up (visible, never silent). */
  framesShed: number;
  /** Bytes received but not yet committed to IndexedDB. */
  pendingBytes: number;
  /** Bytes of frames held in IndexedDB across all recordings (the recorder's own count). */
  storedBytes: number;
  /** navigator.storage.estimate() of the origin, when the browser gives it. */
  usageBytes?: number;
  quotaBytes?: number;
  /** navigator.storage.persisted(): the browser will not evict our data under pressure. */
  persisted?: boolean;
  /** Last RECORDING_* code ('' when none). */
  lastError: string;
  retention: RetentionOptions;
}

/** One recording held in IndexedDB. */
export interface RecordingInfo {
  id: number;
  /** Display name: the start time and symbols, or the imported file's name. */
  name: string;
  createdBy: string;
  /** Receive time of the first and last frame kept, µs since the Unix epoch (0 when empty). */
  startUs: number;
  endUs: number;
  frames: number;
  bytes: number;
  /** The recorded relay's instruments (their stream ids, venues and symbols). */
  instruments: Instrument[];
  /** Stream ids that have frames. */
  streamIds: number[];
  source: 'recorded' | 'imported';
  /** Being written now. */
  live: boolean;
}

/** What to replay. */
export interface ReplayRequest {
  recordingId: number;
  /** Streams to play (default: every stream of the recording). */
  streamIds?: number[];
  /** Receive-time window, µs since the Unix epoch (default: the whole recording). */
  fromUs?: number;
  toUs?: number;
  /** Default 1. */
  speed?: ReplaySpeed;
  /** Start paused at `fromUs` (default false: playing). */
  paused?: boolean;
}

/** One control of an open replay; fields combine (seek then speed then play/pause then step). */
export interface ReplayControl {
  /** Jump to this receive time (µs), books rebuilt from the nearest checkpoint. */
  seekUs?: number;
  speed?: ReplaySpeed;
  /** true = play, false = pause. */
  playing?: boolean;
  /** Pause and apply this many more frames. */
  step?: number;
}

export interface ReplayStatus {
  recordingId: number;
  state: 'loading' | 'playing' | 'paused' | 'ended';
  speed: ReplaySpeed;
  fromUs: number;
  toUs: number;
  /** Receive time of the last frame applied (µs); fromUs before the first. */
  positionUs: number;
  framesPlayed: number;
  /** Level changes and trades applied per second over the last second (the replay's pace). */
  ticksPerSec: number;
  /** Streams in the replay, as the picker shows them. */
  streamIds: number[];
  /** Recorded checkpoints the replayed book reached with an equal state hash, and with a different one (determinism: 0). */
  checkpointsVerified: number;
  checkpointMismatches: number;
  /** Last RECORDING_* / REPLAY_* code ('' when none). */
  lastError: string;
}

/** A recording imported, or why the file was refused (nothing stored then; earlier recordings untouched). */
export type ImportResult =
  | { ok: true; recording: RecordingInfo }
  | { ok: false; code: string; message: string; intactFrames: number; offset: number };

/** An exported recording file, or why there is none. */
export type ExportResult = { ok: true; file: Blob } | { ok: false; code: string; message: string };

/** A stream's book as a hash, for comparing a replay with what was recorded. */
export interface BookHash {
  streamId: number;
  seq: number;
  stateHash: string;
}

/** One viewed stream as the mesh sees it. */
export interface MeshStreamInfo {
  streamId: number;
  symbol: string;
  venue: string;
  /** 'mesh': frames come through the mesh node (verified); 'relay': direct batches on /ws. */
  source: 'mesh' | 'relay';
  /** Upstream per stripe: a peer id, 'relay' (we are a seed) or '' (unassigned). */
  parents: string[];
  /** Peers this node feeds on the stream. */
  children: string[];
  /** Hops from the relay: 1 as a seed, 2 behind a peer parent (deeper trees are not known to a node). */
  hop?: number;
  /** Estimated latency the peer hop adds, ms: half the largest parent round trip. */
  addedLatencyMs?: number;
  /** Book seq and checksum now (comparing pages' books in tests and diagnostics). */
  seq: number;
  checksum: number;
}

export interface MeshFrameInfo {
  enabled: boolean;
  peerId: string;
  /** The relay accepted our hello on the current session. */
  ready: boolean;
  /** Peers with an open data channel. */
  neighbours: string[];
  streams: MeshStreamInfo[];
  /** Mesh messages received from peers (frames, repairs, control). */
  bytesFromPeers: number;
  /** Market data received on /ws: direct snapshots and batches plus the relay's mesh messages. */
  bytesFromRelay: number;
  /** Frames delivered by the mesh node (verified, in order). */
  framesFromMesh: number;
  /** Book batches received directly on /ws since the mesh was switched on. */
  directBatches: number;
  /** Fallback episodes: a stream's mesh fell silent for relayFallbackMs and direct batches took over. */
  fallbacks: number;
  /** Date.now() when the last fallback ended (0 = none): direct batches the relay sent before it saw the rejoin may still arrive. */
  fallbackEndedAt: number;
  /** /ws sessions the mesh started on (a reconnect starts a new node: direct batches until its joins reach the relay). */
  relaySessions: number;
  /** Date.now() of the latest of those starts (0 = none). */
  startedAt: number;
  /** Messages from peers rejected (bad signature, replay, malformed, flood...). */
  framesRejected: number;
  /** Last MESH_* error from the relay or the mesh setup, '' if none. */
  lastError: string;
  /** Median time from asking for a link to its data channel opening, ms (undefined before the first). */
  linkSetupMs?: number;
}

/** The main thread's PeerJS side, called by the worker (a comlink proxy). */
export interface MeshLinkRequests {
  connect(peerId: string): void;
  disconnect(peerId: string): void;
}

/** A ticket's order as the UI builds it (floats already rounded to ticks/lots by the UI). */
export type TicketOrder = Omit<OrderIntent, 'account'>;

/** The outcome of placing: sent, or refused before anything left the browser. */
export type PlaceResult = { ok: true } | { ok: false; code: string; message: string };

/** The worker's API, as the UI sees it through comlink. */
export interface TerminalWorkerApi {
  connect(options: ConnectOptions): Promise<void>;
  disconnect(): Promise<void>;
  setView(view: ViewSelection): Promise<void>;
  /**
   * Holds these instruments' live streams beside the view's (subscribed on the same /ws, at
   * most `MAX_SIDE_DESKS`; extra pins are dropped) and reports each in `TerminalFrame.sideDesks`.
   */
  setSideDesks(pins: SideDeskPin[]): Promise<void>;
  /** The state to draw now; typed arrays inside are transferred to the caller. */
  frame(): Promise<TerminalFrame>;
  /** Runs the shared pre-trade rules with the relay's limits, then sends; a denial returns its RISK_* code and text, and leaves a Denied blotter row (`BlotterOrder.local`). */
  placeOrder(order: TicketOrder): Promise<PlaceResult>;
  cancelOrder(clientOrderId: string): Promise<PlaceResult>;
  replaceOrder(clientOrderId: string, price: number, qty: number): Promise<PlaceResult>;
  cancelAll(symbol?: string): Promise<PlaceResult>;
  /** Sets a price alert on a listed symbol (ticks); refused with an ALERT_* code. Kept in IndexedDB. */
  addPriceAlert(request: PriceAlertRequest): Promise<PriceAlertResult>;
  removePriceAlert(id: string): Promise<PlaceResult>;
  /**
   * Test and bench hook: how long the worker spent applying market data (`applyMs`, recording
   * included) and recording it (`recordMs`: the recorder's share on the live path), and how many updates.
   */
  stats(): Promise<{ updates: number; levelUpdates: number; applyMs: number; recordMs: number; frames: number; decodeErrors: number }>;
  /** Mesh on with this registered PeerJS id (the worker sends hello over /ws), or off with null. */
  setMesh?(peerId: string | null, links?: MeshLinkRequests): Promise<void>;
  /** An RTCDataChannel to `peerId`, transferred (`Comlink.transfer(ch, [ch])`) in the task that created it. */
  meshChannel?(peerId: string, channel: unknown): Promise<void>;
  /** A link the worker asked for could not be opened. */
  meshConnectFailed?(peerId: string): Promise<void>;
  /** Diagnostics: [seq, wall-clock ms] of recent frames the mesh delivered on a stream. */
  meshTimings?(streamId: number): Promise<Array<[number, number]>>;
  /** The worker's current access token (it refreshes it), for the signalling server. */
  meshToken?(): Promise<string>;

  // ---- the order channel (orders and reports on a WebRTC data channel to the relay's own peer) ----
  /** The main thread's PeerJS connection to the relay's order peer (a comlink proxy), or null once it is gone. */
  setOrderChannel?(link: OrderChannelLink | null): Promise<void>;
  /** One frame that came on the order channel; resolves with the carrier of orders after it. */
  orderChannelData?(data: unknown): Promise<OrderCarrier>;
  /** Which transport carries orders now, and what each carried. */
  orderRouteStats?(): Promise<OrderRouteStats>;

  // ---- recording and replay ----
  /** Recording on (a new recording starts at the next frames) or off (the current one is sealed with final checkpoints). */
  setRecording(on: boolean): Promise<void>;
  /** CODEC_INVALID_FIELD unless both limits (when given) are positive numbers. */
  setRetention(options: Partial<RetentionOptions>): Promise<PlaceResult>;
  /** navigator.storage.persist() is Window-only: the UI asks and tells the worker the answer. */
  setPersisted(persisted: boolean): Promise<void>;
  listRecordings(): Promise<RecordingInfo[]>;
  deleteRecording(id: number): Promise<PlaceResult>;
  /** The recording as a file (RECORDING-FORMAT.md), frames of all streams in receive order; REPLAY_UNKNOWN_RECORDING / CODEC_INVALID_FIELD otherwise. */
  exportRecording(id: number): Promise<ExportResult>;
  /** Reads a recording file; a damaged one is refused with its RECORDING_* code unless `partial` (then its intact frames are kept). */
  importRecording(file: Blob, name: string, options?: { partial?: boolean }): Promise<ImportResult>;
  /** Enters replay mode (live books keep running underneath; live order entry is off, orders go to paper trading). */
  startReplay(request: ReplayRequest): Promise<PlaceResult>;
  /** REPLAY_NOT_ACTIVE without an open replay; CODEC_INVALID_FIELD for a bad value; RECORDING_* when the replay stopped on damage. */
  replayControl(control: ReplayControl): Promise<PlaceResult>;
  /** Back to live: the live ladder, tape, chart, orders and positions return. */
  stopReplay(): Promise<void>;
  /** Test hook: book hashes of the replay's streams now. */
  replayHashes(): Promise<BookHash[]>;
  /** Test hook: the last checkpoint hash recorded per stream of a recording. */
  recordedHashes(id: number): Promise<BookHash[]>;
}

export type { Side };
