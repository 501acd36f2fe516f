import type { Instrument, Side, StreamState, OrderType, TimeInForce } from '@tickmesh/shared';
import type { Candle } from '../md/candles/candle';

/**
 * Where a venue adapter writes the normalised market data of one instrument. Calls are
 * plain arguments, not event objects, so the feed path allocates nothing per update.
 * The market-data service implements it; an adapter gets one per instrument from start().
 */
export interface InstrumentFeed {
  /** The L2 level `price` (ticks) on `side` now holds `size` lots; 0 removes it. */
  level(side: Side, price: number, size: number): void;
  /** A trade printed. `aggressor` is the taker's side. */
  trade(tradeId: number, price: number, size: number, aggressor: Side, timeUs: number): void;
  /** Drop the whole book: the adapter re-sends every level next (venue resync/snapshot). */
  clear(): void;
  /** The feed's health: Live, Halted (no trading, book valid) or Stale (feed lost). */
  state(state: StreamState): void;
}

/** Gives the adapter the feed of each of its instruments, by symbol. */
export type FeedLookup = (symbol: string) => InstrumentFeed;

/** An order as a venue adapter accepts it: already validated and risk-checked. */
export interface VenueOrderRequest {
  /** Relay-assigned, unique per venue. */
  orderId: string;
  account: string;
  symbol: string;
  side: Side;
  type: OrderType;
  timeInForce: TimeInForce;
  price: number;
  qty: number;
  postOnly: boolean;
}

/** What a venue reports back about an order (normalised execution report). */
export interface VenueExecution {
  orderId: string;
  kind: 'accepted' | 'rejected' | 'fill' | 'canceled' | 'replaced' | 'cancel-rejected' | 'expired';
  /** For fills: price (ticks), qty (lots), trade id, maker flag, fee in quote units of 1e-8. */
  price: number;
  qty: number;
  leavesQty: number;
  tradeId: number;
  liquidityMaker: boolean;
  fee: number;
  /** VENUE_* code for rejects. */
  reasonCode: string;
  /** Free text for the trader, e.g. a real venue's own code and message ("-2010 Account has insufficient balance"). Never matched on. */
  reason?: string;
  timeUs: number;
}

/**
 * One exchange behind one interface: the embedded simulator and every real venue adapter
 * implement it. Market data flows out through InstrumentFeed; orders flow in through
 * submit/cancel/replace and come back as VenueExecution.
 */
export interface VenueAdapter {
  /** Stable venue id, e.g. "sim-a". */
  readonly id: string;
  /** Instruments this venue trades (streamId 0 until the market-data service assigns one). */
  instruments(): readonly Instrument[];
  /** Connect and start streaming market data into the feeds. Resolves once books are primed. */
  start(feeds: FeedLookup): Promise<void>;
  stop(): Promise<void>;
  submit(order: VenueOrderRequest): void;
  cancel(orderId: string): void;
  replace(orderId: string, price: number, qty: number): void;
  onExecution(listener: (report: VenueExecution) => void): void;
  /**
   * Optional, for venues whose orders outlive our process (real exchanges): after a restart the
   * OMS hands over the orders the journal shows open at this venue, with what it already
   * booked. The adapter reconciles them with the venue (fills made while we were down, orders
   * closed meanwhile, orders the venue does not know) and reports through onExecution as usual.
   * A cancel or replace of a handed-back order that comes before its reconciliation is held and
   * sent after it (never refused because the order session is still coming up); if the venue
   * shows the order closed, that close is reported instead.
   * Venues without it (the simulator, replay) lose their orders with the process: the OMS
   * cancels those with OMS_VENUE_SESSION_LOST.
   */
  resume?(orders: readonly ResumedOrder[]): void;
  /**
   * Optional: the instrument's 1-minute OHLCV candles (ticks, lots) before `endMs`'s minute,
   * oldest first, so a chart is full on first open. The market-data service asks once per
   * instrument before start(): an array (the simulator's, generated from its seed) is in place
   * before the feed starts; a promise (a real venue's kline REST) is not waited for and goes in
   * when it resolves. Throwing or rejecting only leaves that chart without history.
   */
  history?(symbol: string, endMs: number): readonly Candle[] | Promise<readonly Candle[]>;
  /** Optional, for venues behind a network (real exchanges): the socket's health, read at scrape time. */
  health?(): VenueHealth;
}

/** A networked venue's health as an operator reads it (Prometheus: tickmesh_venue_*). */
export interface VenueHealth {
  /** The market-data socket is open now. */
  connected: boolean;
  /** Socket connects made so far (1 + reconnects), market data and orders. */
  connects: number;
  /** Answers that told us to back off (HTTP 429/418, the venue's own rate-limit error). */
  rateLimited: number;
  /** The private order socket is open now; undefined where the venue is market data only (no keys). */
  ordersConnected?: boolean;
  /** Order reconciliation passes run; undefined without order entry. */
  reconciliations?: number;
}

/** An order open in the journal at a restart, as handed to {@link VenueAdapter.resume}. */
export interface ResumedOrder extends VenueOrderRequest {
  /** Lots already booked, and the venue trade ids of those fills (never booked twice). */
  filledQty: number;
  tradeIds: readonly number[];
  /** The venue had acknowledged it (Accepted or later) before the restart. */
  accepted: boolean;
}
