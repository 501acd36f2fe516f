import {
  Algo,
  Contingency,
  ErrorCode,
  TriggerSource,
  TriggerWatch,
  validateConditional,
  ExecType,
  OrderStatus,
  OrderType,
  Side,
  TimeInForce,
  fail,
  isSide,
  ok,
  newOrder,
  oppositeSide,
  type ExecutionReportMsg,
  type Instrument,
  type L2Book,
  type OrderIntent,
  type Result,
  type Trade,
} from '@tickmesh/shared';
import { isOpenStatus } from '../order-blotter';
import { leavesOf, paperFee, paperFees, paperReport, type PaperOrder, type PaperOrderView } from './paper-order';
import { TakenLiquidity, streamKey } from './taken-liquidity';

/** What a paper order's fees are taken from: the instrument as the recording lists it at its venue. */
type FeeSource = Pick<Instrument, 'tickSize' | 'lotSize' | 'makerFeeBpsX100' | 'takerFeeBpsX100'>;

const ORDER_TYPES: ReadonlySet<number> = new Set(Object.values(OrderType));
const TIFS: ReadonlySet<number> = new Set(Object.values(TimeInForce));

/** Venue-style code (as relay/src/venues/sim has it): a post-only order would have taken. */
export const POST_ONLY_WOULD_TAKE = 'VENUE_POST_ONLY_WOULD_TAKE';

/** Codes `PaperBroker.cancel` fails with. */
export type PaperCancelCode = typeof ErrorCode.OMS_UNKNOWN_ORDER | typeof ErrorCode.OMS_ORDER_NOT_OPEN;

/** Options of `PaperBroker`; every one has a default. */
export interface PaperBrokerOptions {
  /** Account name on every report (the intent's account is not used). Default 'paper'. */
  account?: string;
}

/**
 * Simulated orders for replay mode, filled against the replayed L2 book and trades of their
 * venue/symbol. Pure and deterministic: no clock (every call takes the replay time in µs), no
 * randomness, so the same call sequence gives the same reports. Reports are shaped like the
 * relay's (see `paperReport`); fills pay the venue's maker or taker fee from the recorded
 * instrument list (when `place` is given the instrument), so paper P&L is net of fees as live.
 *
 * Fill model:
 * - Marketable on arrival (market order, limit buy ≥ best ask, limit sell ≤ best bid): takes
 *   the displayed levels best first up to the limit (a market order has none), each at its
 *   level's price, as taker. The recording is not changed by our taking, so lots taken are
 *   remembered per stream and price until that stream's next `onBook` and are not taken twice.
 * - Time in force: FOK fills in full or is denied (OMS_FOK_UNFILLABLE) with nothing traded;
 *   IOC and market orders expire their remainder; GTC and Day rest it (a replay has no
 *   session end, so Day lives like GTC until canceled or `reset`).
 * - A resting order joins the back of its level: `queueAhead` = the level's displayed size at
 *   placement (0 for a new level). A book update shrinks it to at most the level's displayed
 *   size (cancels ahead move us up; growth lands behind us). A replayed trade at our price
 *   first eats `queueAhead`, then fills us; paper orders at one price share a trade's size in
 *   time priority, so a print at our price never fills more paper lots than its size.
 * - A trade through our price (a sell below our bid, a buy above our ask) proves the whole
 *   level traded: our remainder fills at our price. A book update whose opposite side crosses
 *   our price fills up to the crossing displayed size (less lots already taken) at our price.
 *   Resting fills are maker fills at the order's own price.
 *
 * Refusals, each one report with a stable reasonCode and no fill: Denied for our own checks
 * (RISK_INVALID_QTY, RISK_INVALID_PRICE, CODEC_INVALID_FIELD for an enum out of range,
 * OMS_NO_ROUTE for an empty venue since paper orders are not smart-routed, PAPER_NO_BOOK for
 * no book or an empty one, OMS_NO_LIQUIDITY, OMS_FOK_UNFILLABLE) and Rejected for what a venue
 * refuses (VENUE_POST_ONLY_WOULD_TAKE). A clientOrderId still live is
 * OMS_DUPLICATE_CLIENT_ORDER_ID on a Denied report with orderId '': the relay answers that
 * with an Error and makes no order, so hand it to `OrderBlotter.deniedRequest`, not `apply`.
 *
 * Known simplifications: the tally of taken lots is reset on every book update of the stream,
 * so a crossing level that the recording keeps showing can fill a resting order again on the
 * next update; hidden liquidity and our own market impact are not modelled.
 */
export class PaperBroker {
  private readonly account: string;
  /** Every order placed since the last reset, by its client order id (the latest one). */
  private readonly byClientId = new Map<string, PaperOrder>();
  /** Open orders by orderId, in placement order. */
  private readonly open = new Map<string, PaperOrder>();
  /** Stops, take-profits and trailing stops waiting for their trigger, in placement order. */
  private readonly armed = new Map<string, { o: PaperOrder; watch: TriggerWatch }>();
  /** The last book seen per stream: a trigger fired by a trade executes against it. */
  private readonly books = new Map<string, L2Book>();
  private readonly taken = new TakenLiquidity();
  private orderSeq = 0;
  private tradeSeq = 0;

  constructor(options: PaperBrokerOptions = {}) {
    this.account = options.account ?? 'paper';
  }

  /**
   * Places an order against `book`, the replayed book of intent.venue/intent.symbol (undefined
   * when there is none), at replay time `timeUs`. Returns the reports in order: New (Accepted),
   * then a Trade report per level taken, then Expired for an IOC or market remainder; or a
   * single Denied/Rejected report with its reasonCode.
   */
  place(intent: OrderIntent, book: L2Book | undefined, timeUs: number, instrument?: FeeSource): ExecutionReportMsg[] {
    const live = this.byClientId.get(intent.clientOrderId);
    if (live !== undefined && isOpenStatus(live.status)) return [this.refusedRequest(intent, ErrorCode.OMS_DUPLICATE_CLIENT_ORDER_ID, timeUs)];
    const o = this.create(intent, timeUs, instrument);
    this.byClientId.set(o.clientOrderId, o);
    if (book !== undefined) this.books.set(streamKey(o.venue, o.symbol), book);
    const refusal = this.check(o, book) ?? this.checkConditional(o);
    if (refusal !== undefined) {
      o.status = refusal.status;
      o.reasonCode = refusal.code;
      return [paperReport(o, { execType: refusal.status === OrderStatus.Denied ? ExecType.Denied : ExecType.Rejected, timeUs })];
    }
    const out: ExecutionReportMsg[] = [];
    if (o.conditional !== undefined) {
      this.arm(o, book!, timeUs, out);
      return out;
    }
    o.status = OrderStatus.Accepted;
    out.push(paperReport(o, { execType: ExecType.New, timeUs }));
    this.execute(o, book!, timeUs, out);
    return out;
  }

  /** Takes what `o` can from `book`, then expires (market, IOC, FOK) or rests the remainder. */
  private execute(o: PaperOrder, book: L2Book, timeUs: number, out: ExecutionReportMsg[]): void {
    this.take(o, book, timeUs, out);
    if (leavesOf(o) === 0) return;
    if (o.orderType === OrderType.Market || o.timeInForce === TimeInForce.IOC || o.timeInForce === TimeInForce.FOK) {
      o.status = OrderStatus.Expired;
      out.push(paperReport(o, { execType: ExecType.Expired, timeUs }));
      return;
    }
    // Behind everything displayed at our price; a new level (or one better than the touch) has no one ahead.
    o.queueAhead = book.sizeAtPrice(o.side, o.price);
    this.open.set(o.orderId, o);
  }

  /**
   * Paper stops: the relay's own trigger rule (TriggerWatch) on the replayed prices — each
   * replayed trade as the last price, each book update's mid as the mark. Armed on the current
   * mark; when it fires, the order's own type and price execute against the replayed book as
   * a new order would. OCO and brackets need the relay: PAPER_CONDITIONAL_UNSUPPORTED.
   */
  private checkConditional(o: PaperOrder): { status: OrderStatus; code: string } | undefined {
    if (o.conditional === undefined) return undefined;
    if (o.conditional.contingency !== Contingency.None) return { status: OrderStatus.Denied, code: ErrorCode.PAPER_CONDITIONAL_UNSUPPORTED };
    const v = validateConditional(o);
    return v.ok ? undefined : { status: OrderStatus.Denied, code: v.reason.code };
  }

  private arm(o: PaperOrder, book: L2Book, timeUs: number, out: ExecutionReportMsg[]): void {
    const c = o.conditional!;
    const watch = new TriggerWatch(c.triggerType, o.side, c);
    o.status = OrderStatus.PendingTrigger;
    const mark = midOf(book);
    const ev = c.triggerSource === TriggerSource.Mark && !Number.isNaN(mark) ? watch.update(mark) : null;
    o.trigger!.triggerPrice = watch.level;
    out.push(paperReport(o, { execType: ExecType.New, timeUs }));
    const entry = { o, watch };
    this.armed.set(o.orderId, entry);
    if (ev === 'fired') this.release(entry, mark, timeUs, out);
  }

  /** One replayed price of venue/symbol for the armed orders watching that source. */
  private feed(symbol: string, venue: string, source: TriggerSource, price: number, timeUs: number, out: ExecutionReportMsg[]): void {
    if (this.armed.size === 0 || Number.isNaN(price)) return;
    for (const a of [...this.armed.values()]) {
      const o = a.o;
      if (o.symbol !== symbol || o.venue !== venue || o.conditional!.triggerSource !== source) continue;
      const ev = a.watch.update(price);
      if (ev === 'moved') {
        o.trigger!.triggerPrice = a.watch.level;
        o.updatedUs = timeUs;
        out.push(paperReport(o, { execType: ExecType.Status, timeUs }));
      } else if (ev === 'fired') {
        this.release(a, price, timeUs, out);
      }
    }
  }

  private release(a: { o: PaperOrder; watch: TriggerWatch }, price: number, timeUs: number, out: ExecutionReportMsg[]): void {
    const o = a.o;
    this.armed.delete(o.orderId);
    const t = o.trigger!;
    t.triggerPrice = a.watch.level;
    t.firedTrigger = a.watch.type;
    t.firedPrice = price;
    o.status = OrderStatus.Triggered;
    o.updatedUs = timeUs;
    out.push(paperReport(o, { execType: ExecType.Triggered, timeUs }));
    const book = this.books.get(streamKey(o.venue, o.symbol));
    if (book === undefined || (book.depth(Side.Buy) === 0 && book.depth(Side.Sell) === 0)) {
      o.status = OrderStatus.Denied;
      o.reasonCode = ErrorCode.PAPER_NO_BOOK;
      out.push(paperReport(o, { execType: ExecType.Denied, timeUs }));
      return;
    }
    this.execute(o, book, timeUs, out);
  }

  /**
   * Cancels the open order with this client order id: one Canceled report. Fails with
   * OMS_UNKNOWN_ORDER (never placed since the last reset) or OMS_ORDER_NOT_OPEN (already
   * over), as the relay answers such a cancel with an Error rather than a report.
   */
  cancel(clientOrderId: string, timeUs: number): Result<ExecutionReportMsg[], PaperCancelCode> {
    const o = this.byClientId.get(clientOrderId);
    if (o === undefined) return fail(ErrorCode.OMS_UNKNOWN_ORDER, `no paper order ${clientOrderId}`);
    if (!isOpenStatus(o.status)) return fail(ErrorCode.OMS_ORDER_NOT_OPEN, `paper order ${o.orderId} is not open`);
    return ok([this.cancelOrder(o, timeUs)]);
  }

  /** Cancels every open order of `symbol` (undefined or '' = every symbol), in placement order. */
  cancelAll(symbol: string | undefined, timeUs: number): ExecutionReportMsg[] {
    const out: ExecutionReportMsg[] = [];
    for (const o of [...this.open.values(), ...[...this.armed.values()].map((a) => a.o)]) {
      if (symbol === undefined || symbol === '' || o.symbol === symbol) out.push(this.cancelOrder(o, timeUs));
    }
    return out;
  }

  /**
   * The replayed book of venue/symbol changed (call after applying the update): forgets the
   * lots taken from it, shrinks each resting order's queue ahead to its level's displayed
   * size, and fills resting orders the opposite side now crosses (maker, at the order's price,
   * up to the crossing size), best price first, then time priority.
   */
  onBook(symbol: string, venue: string, book: L2Book, timeUs: number): ExecutionReportMsg[] {
    const stream = streamKey(venue, symbol);
    this.taken.reset(stream);
    const out: ExecutionReportMsg[] = [];
    for (const o of this.resting(venue, symbol)) {
      o.queueAhead = Math.min(o.queueAhead, book.sizeAtPrice(o.side, o.price));
      const opp = oppositeSide(o.side);
      let lots = 0;
      for (let i = 0, n = book.depth(opp); i < n && lots < leavesOf(o); i++) {
        const px = book.priceAt(opp, i);
        if (!reaches(o, px)) break;
        const q = Math.min(leavesOf(o) - lots, book.sizeAt(opp, i) - this.taken.get(stream, opp, px));
        if (q <= 0) continue;
        this.taken.add(stream, opp, px, q);
        lots += q;
      }
      if (lots > 0) this.fill(o, o.price, lots, true, timeUs, out);
    }
    this.books.set(stream, book);
    this.feed(symbol, venue, TriggerSource.Mark, midOf(book), timeUs, out);
    return out;
  }

  /**
   * A replayed trade on venue/symbol. An aggressor Sell hits resting buys, an aggressor Buy
   * lifts resting sells: at exactly our price the size first eats `queueAhead`, the rest fills
   * us (shared with earlier paper orders at that price); through our price the whole remainder
   * fills. Fills are maker fills at the order's price, timed at the trade.
   */
  onTrade(symbol: string, venue: string, trade: Trade): ExecutionReportMsg[] {
    const out: ExecutionReportMsg[] = [];
    const hit = oppositeSide(trade.aggressor);
    // What this print still has for paper orders at exactly its price, in time priority.
    let pool = trade.size;
    for (const o of this.resting(venue, symbol)) {
      if (o.side !== hit) continue;
      if (o.price === trade.price) {
        const ahead = o.queueAhead;
        o.queueAhead = Math.max(0, ahead - trade.size);
        const q = Math.min(leavesOf(o), Math.max(0, trade.size - ahead), pool);
        pool -= q;
        if (q > 0) this.fill(o, o.price, q, true, trade.timeUs, out);
      } else if (o.side === Side.Buy ? trade.price < o.price : trade.price > o.price) {
        o.queueAhead = 0;
        this.fill(o, o.price, leavesOf(o), true, trade.timeUs, out);
      }
    }
    this.feed(symbol, venue, TriggerSource.Last, trade.price, trade.timeUs, out);
    return out;
  }

  /** Copies of the open orders in placement order, each with its queue position. */
  openOrders(): PaperOrderView[] {
    return [...this.open.values()].map(({ seq: _seq, feeRates: _rates, ...view }) => view);
  }

  /** Forgets every order, tally and counter: the next order is P1 again (a new replay). */
  reset(): void {
    this.byClientId.clear();
    this.open.clear();
    this.armed.clear();
    this.books.clear();
    this.taken.clear();
    this.orderSeq = 0;
    this.tradeSeq = 0;
  }

  // ---------------------------------------------------------------- internals

  private create(intent: OrderIntent, timeUs: number, instrument: FeeSource | undefined): PaperOrder {
    const seq = ++this.orderSeq;
    // Paper orders trade as plain orders: algos and icebergs need the relay.
    const order = newOrder({ ...intent, account: this.account, algo: Algo.None }, `P${seq}`, '', timeUs);
    return { ...order, queueAhead: 0, seq, feeRates: paperFees(instrument) };
  }

  /** The first refusal that applies, in the relay's order (input, then market state). */
  private check(o: PaperOrder, book: L2Book | undefined): { status: OrderStatus; code: string } | undefined {
    const deny = (code: string): { status: OrderStatus; code: string } => ({ status: OrderStatus.Denied, code });
    const market = o.orderType === OrderType.Market;
    if (!Number.isSafeInteger(o.qty) || o.qty <= 0) return deny(ErrorCode.RISK_INVALID_QTY);
    if (market ? o.price !== 0 : !Number.isSafeInteger(o.price) || o.price <= 0) return deny(ErrorCode.RISK_INVALID_PRICE);
    // The ticket's intent crosses a worker boundary untyped: an enum out of range is a bad field.
    if (!isSide(o.side) || !ORDER_TYPES.has(o.orderType) || !TIFS.has(o.timeInForce)) return deny(ErrorCode.CODEC_INVALID_FIELD);
    if (o.venue === '') return deny(ErrorCode.OMS_NO_ROUTE);
    if (book === undefined || (book.depth(Side.Buy) === 0 && book.depth(Side.Sell) === 0)) return deny(ErrorCode.PAPER_NO_BOOK);
    // A paper stop is checked against the market when it fires, not while it waits.
    if (o.conditional !== undefined) return undefined;
    const opp = oppositeSide(o.side);
    if (market && book.depth(opp) === 0) return deny(ErrorCode.OMS_NO_LIQUIDITY);
    if (o.postOnly && book.depth(opp) > 0 && reaches(o, book.priceAt(opp, 0))) return { status: OrderStatus.Rejected, code: POST_ONLY_WOULD_TAKE };
    const available = this.available(o, book);
    if (market && available === 0) return deny(ErrorCode.OMS_NO_LIQUIDITY);
    if (o.timeInForce === TimeInForce.FOK && available < o.qty) return deny(ErrorCode.OMS_FOK_UNFILLABLE);
    return undefined;
  }

  /** Displayed lots `o` could take on arrival (up to its qty), less those already taken. */
  private available(o: PaperOrder, book: L2Book): number {
    const stream = streamKey(o.venue, o.symbol);
    const opp = oppositeSide(o.side);
    let lots = 0;
    for (let i = 0, n = book.depth(opp); i < n && lots < o.qty; i++) {
      const px = book.priceAt(opp, i);
      if (!reaches(o, px)) break;
      lots += Math.max(0, book.sizeAt(opp, i) - this.taken.get(stream, opp, px));
    }
    return Math.min(lots, o.qty);
  }

  /** Takes displayed liquidity level by level as taker, each fill at its level's price. */
  private take(o: PaperOrder, book: L2Book, timeUs: number, out: ExecutionReportMsg[]): void {
    const stream = streamKey(o.venue, o.symbol);
    const opp = oppositeSide(o.side);
    for (let i = 0, n = book.depth(opp); i < n && leavesOf(o) > 0; i++) {
      const px = book.priceAt(opp, i);
      if (!reaches(o, px)) break;
      const q = Math.min(leavesOf(o), book.sizeAt(opp, i) - this.taken.get(stream, opp, px));
      if (q <= 0) continue;
      this.taken.add(stream, opp, px, q);
      this.fill(o, px, q, false, timeUs, out);
    }
  }

  private fill(o: PaperOrder, price: number, qty: number, maker: boolean, timeUs: number, out: ExecutionReportMsg[]): void {
    o.filledQty += qty;
    o.cumNotional += price * qty;
    const fee = paperFee(o.feeRates, price, qty, maker);
    o.fees += fee;
    o.status = o.filledQty >= o.qty ? OrderStatus.Filled : OrderStatus.PartiallyFilled;
    o.updatedUs = timeUs;
    if (o.status === OrderStatus.Filled) this.open.delete(o.orderId);
    out.push(paperReport(o, { execType: ExecType.Trade, timeUs, lastPrice: price, lastQty: qty, tradeId: ++this.tradeSeq, liquidityMaker: maker, fee }));
  }

  private cancelOrder(o: PaperOrder, timeUs: number): ExecutionReportMsg {
    o.status = OrderStatus.Canceled;
    o.updatedUs = timeUs;
    this.open.delete(o.orderId);
    this.armed.delete(o.orderId);
    return paperReport(o, { execType: ExecType.Canceled, timeUs });
  }

  /** Resting orders of one stream, best price first per side, then time priority. */
  private resting(venue: string, symbol: string): PaperOrder[] {
    const out: PaperOrder[] = [];
    for (const o of this.open.values()) if (o.venue === venue && o.symbol === symbol) out.push(o);
    return out.sort((a, b) => a.side - b.side || (a.side === Side.Buy ? b.price - a.price : a.price - b.price) || a.seq - b.seq);
  }

  /** A request refused before any order exists: a Denied report with no orderId. */
  private refusedRequest(intent: OrderIntent, code: string, timeUs: number): ExecutionReportMsg {
    const o = this.create(intent, timeUs, undefined);
    this.orderSeq--; // no order came of it: the id is not used up
    o.orderId = '';
    o.status = OrderStatus.Denied;
    o.reasonCode = code;
    return paperReport(o, { execType: ExecType.Denied, timeUs });
  }
}

/** The book's mid in whole ticks (as the relay's mark), NaN when a side is empty. */
function midOf(book: L2Book): number {
  if (book.depth(Side.Buy) === 0 || book.depth(Side.Sell) === 0) return Number.NaN;
  return Math.round((book.priceAt(Side.Buy, 0) + book.priceAt(Side.Sell, 0)) / 2);
}

/** True when a level at `px` on the opposite side is within `o`'s limit (a market order has none). */
function reaches(o: PaperOrder, px: number): boolean {
  if (o.orderType === OrderType.Market) return true;
  return o.side === Side.Buy ? px <= o.price : px >= o.price;
}
