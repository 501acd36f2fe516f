import {
  ErrorCode,
  OrderType,
  Side,
  TimeInForce,
  fail,
  ok,
  oppositeSide,
  priceText,
  qtyText,
  type OrderIntent,
  type OrderTouch,
  type Result,
} from '@tickmesh/shared';
import { protectionLimit, takerCost, withinLimit } from './fee-adjusted-price';
import type { OmsRouter, QuoteSource, RouteChild, VenueQuote } from './router-port';

/** Options of `SmartOrderRouter`. */
export interface SmartOrderRouterOptions {
  /**
   * How far through the best price across venues (in basis points) a market order may sweep;
   * deeper levels are left unrouted. Default 100 (1 %).
   */
  marketProtectionBps?: number;
  /**
   * The open market-data anomaly that makes a venue's book for a symbol untrustworthy
   * (MdAnomalyMonitor.suspectOf), if any: smart routing leaves that venue out while it lasts.
   * An order that names the venue still goes there: the trader chose it.
   */
  suspectOf?: (venue: string, symbol: string) => { code: string } | undefined;
}

/** Codes `route` may fail with. */
export type RouteErrorCode =
  | typeof ErrorCode.OMS_UNKNOWN_SYMBOL
  | typeof ErrorCode.OMS_NO_LIQUIDITY
  | typeof ErrorCode.OMS_FOK_UNFILLABLE
  | typeof ErrorCode.OMS_UNKNOWN_VENUE
  | typeof ErrorCode.OMS_VENUES_SUSPECT;

/**
 * Splits an order across the venues listing its symbol.
 *
 * Taking: the opposite sides of every venue's book are merged by fee-adjusted price
 * (buy: ask * (1 + taker fee), sell: bid * (1 - taker fee)), best first, and swept level by
 * level up to the limit price (market orders: up to `marketProtectionBps` through the best
 * raw price), each level giving at most its displayed size. Each venue gets one limit child
 * priced at the parent's limit (see the comment in route() for why).
 *
 * Remainder: a GTC/Day limit order rests it at the venue with the lowest maker fee (tie: the
 * best displayed price on the order's side, then quote order), merged into that venue's
 * taking child at the limit price when there is one (all of that venue's levels within the
 * limit were swept, so the merged child takes them and rests the rest). IOC and market
 * orders leave it unrouted; FOK fails unless the whole quantity is available.
 *
 * Assumes every venue of a symbol uses the same tick and lot size (the relay normalises
 * symbols), since prices and quantities are compared across venues as plain integers.
 */
export class SmartOrderRouter implements OmsRouter {
  private readonly protectionBps: number;
  private readonly suspectOf: SmartOrderRouterOptions['suspectOf'];

  constructor(
    private readonly source: QuoteSource,
    options: SmartOrderRouterOptions = {},
  ) {
    this.protectionBps = options.marketProtectionBps ?? 100;
    this.suspectOf = options.suspectOf;
  }

  /**
   * Children for `intent`, best venue first. `intent.venue` non-empty pins the order to that
   * venue (same rules, one venue). Throws RangeError on a non-positive or non-integer qty:
   * wire validation and risk run first, so that is a bug upstream.
   */
  route(intent: OrderIntent): Result<RouteChild[], RouteErrorCode> {
    if (!Number.isSafeInteger(intent.qty) || intent.qty <= 0) throw new RangeError(`invalid qty: ${intent.qty}`);
    const all = this.source.quotes(intent.symbol);
    if (all.length === 0) return fail(ErrorCode.OMS_UNKNOWN_SYMBOL, `no venue lists ${intent.symbol}`);
    const quotes = intent.venue === '' ? this.trusted(all, intent.symbol) : all.filter((q) => q.venue === intent.venue);
    if (!Array.isArray(quotes)) return quotes;
    if (quotes.length === 0) return fail(ErrorCode.OMS_UNKNOWN_VENUE, `${intent.venue} does not list ${intent.symbol}`);

    const market = intent.orderType === OrderType.Market;
    const fok = intent.timeInForce === TimeInForce.FOK;
    // Market orders never rest, whatever time in force they carry.
    const rests = !market && (intent.timeInForce === TimeInForce.GTC || intent.timeInForce === TimeInForce.Day);

    let limit = intent.price;
    if (market) {
      const touch = bestTouch(quotes, intent.side);
      if (Number.isNaN(touch)) return fail(ErrorCode.OMS_NO_LIQUIDITY, `no ${intent.symbol} liquidity`);
      limit = protectionLimit(intent.side, touch, this.protectionBps);
    }

    const children: RouteChild[] = [];
    let remaining = intent.qty;
    // Post-only orders must never take, so they skip the sweep and rest whole.
    if (!intent.postOnly) {
      // Children take at the parent's limit, not at the last level the plan reached: the books
      // the router reads are up to one flush behind the venues, and a child priced exactly at a
      // level that just moved would miss. The limit still caps every price paid, and each child
      // is sized to what its venue displayed. Children of a resting parent carry its time in
      // force, so a child that finds less than planned rests at the limit instead of expiring.
      const takeTif = fok ? TimeInForce.FOK : rests ? intent.timeInForce : TimeInForce.IOC;
      remaining = sweep(quotes, intent.side, limit, remaining, takeTif, children);
    }

    if (remaining > 0 && fok) {
      const inst = quotes[0]!.instrument;
      return fail(ErrorCode.OMS_FOK_UNFILLABLE, `only ${qtyText(inst, intent.qty - remaining)} of ${qtyText(inst, intent.qty)} available at ${priceText(inst, limit)} or better`);
    }
    if (market && children.length === 0) return fail(ErrorCode.OMS_NO_LIQUIDITY, `no ${intent.symbol} liquidity in band`);
    if (remaining > 0 && rests) {
      const venue = restingVenue(quotes, intent.side, limit, intent.postOnly);
      const taking = children.find((c) => c.venue === venue);
      if (taking) {
        taking.qty += remaining;
      } else {
        children.push({ venue, price: limit, qty: remaining, orderType: OrderType.Limit, timeInForce: intent.timeInForce });
      }
    }
    return ok(children);
  }

  /**
   * The touch an order meets now: the named venue's best bid and ask, or, for a smart-routed
   * order (venue ''), the best of each side across the venues route() would use (suspect
   * venues left out unless every venue is suspect: a suspect book is no touch to measure from).
   * 0 = that side is empty; undefined when no venue lists the symbol (or not that venue).
   */
  touch(symbol: string, venue: string): OrderTouch | undefined {
    const all = this.source.quotes(symbol);
    const trusted = venue === '' ? this.trusted(all, symbol) : all.filter((q) => q.venue === venue);
    const quotes = Array.isArray(trusted) ? trusted : all;
    if (quotes.length === 0) return undefined;
    const ask = bestTouch(quotes, Side.Buy);
    const bid = bestTouch(quotes, Side.Sell);
    return { bid: Number.isNaN(bid) ? 0 : bid, ask: Number.isNaN(ask) ? 0 : ask };
  }

  /**
   * `all` without the venues whose book for `symbol` has an open anomaly. None left is a
   * refusal that names them: routing onto books known to be wrong is how a router buys at a
   * price that was never there.
   */
  private trusted(all: VenueQuote[], symbol: string): VenueQuote[] | Result<never, RouteErrorCode> {
    if (this.suspectOf === undefined) return all;
    const suspect: string[] = [];
    const trusted = all.filter((q) => {
      const s = this.suspectOf!(q.venue, symbol);
      if (s !== undefined) suspect.push(`${q.venue} (${s.code})`);
      return s === undefined;
    });
    if (trusted.length > 0 || suspect.length === 0) return trusted;
    return fail(ErrorCode.OMS_VENUES_SUSPECT, `every venue quoting ${symbol} has an open market-data anomaly: ${suspect.join(', ')}; name a venue to trade there anyway`);
  }
}

/** Best raw price on the side `side` takes from, across venues; NaN when every side is empty. */
function bestTouch(quotes: readonly VenueQuote[], side: Side): number {
  let touch = NaN;
  for (const q of quotes) {
    const p = side === Side.Buy ? q.book.bestAsk() : q.book.bestBid();
    if (Number.isNaN(p)) continue;
    if (Number.isNaN(touch) || (side === Side.Buy ? p < touch : p > touch)) touch = p;
  }
  return touch;
}

/**
 * K-way merge of the venues' books by fee-adjusted price (few venues, so a linear pick per
 * level beats a heap). Appends one child per venue and returns the quantity left.
 */
function sweep(
  quotes: readonly VenueQuote[],
  side: Side,
  limit: number,
  qty: number,
  tif: TimeInForce,
  out: RouteChild[],
): number {
  const bookSide = oppositeSide(side);
  const cursor = new Array<number>(quotes.length).fill(0);
  const childOf = new Array<RouteChild | undefined>(quotes.length);
  let remaining = qty;
  while (remaining > 0) {
    let best = -1;
    let bestCost = 0;
    for (let v = 0; v < quotes.length; v++) {
      const q = quotes[v]!;
      const price = q.book.priceAt(bookSide, cursor[v]!);
      if (Number.isNaN(price) || !withinLimit(side, price, limit)) continue;
      const cost = takerCost(side, price, q.instrument.takerFeeBpsX100);
      // Strict `<` keeps the earlier venue on a tie: quote order is the documented tie-break.
      if (best < 0 || cost < bestCost) {
        best = v;
        bestCost = cost;
      }
    }
    if (best < 0) break;
    const q = quotes[best]!;
    const take = Math.min(remaining, q.book.sizeAt(bookSide, cursor[best]!));
    cursor[best]!++;
    remaining -= take;
    const child = childOf[best];
    if (child) {
      child.qty += take;
    } else {
      const c: RouteChild = { venue: q.venue, price: limit, qty: take, orderType: OrderType.Limit, timeInForce: tif };
      childOf[best] = c;
      out.push(c);
    }
  }
  return remaining;
}

/**
 * Where a remainder rests: the lowest maker fee, then the best displayed price on the
 * order's own side (the venue leading the market, where resting flow trades first), then
 * quote order. A post-only order avoids venues where its limit would cross, because the
 * venue would reject it there; if every venue would, the first choice stands and the venue
 * rejects it.
 */
function restingVenue(quotes: readonly VenueQuote[], side: Side, limit: number, postOnly: boolean): string {
  let pick: VenueQuote | undefined;
  for (const pass of postOnly ? [true, false] : [false]) {
    for (const q of quotes) {
      if (pass && crosses(q, side, limit)) continue;
      if (!pick || betterRest(q, pick, side)) pick = q;
    }
    if (pick) break;
  }
  return pick!.venue;
}

function crosses(q: VenueQuote, side: Side, limit: number): boolean {
  const opp = side === Side.Buy ? q.book.bestAsk() : q.book.bestBid();
  return !Number.isNaN(opp) && withinLimit(side, opp, limit);
}

function betterRest(a: VenueQuote, b: VenueQuote, side: Side): boolean {
  if (a.instrument.makerFeeBpsX100 !== b.instrument.makerFeeBpsX100) {
    return a.instrument.makerFeeBpsX100 < b.instrument.makerFeeBpsX100;
  }
  const pa = side === Side.Buy ? a.book.bestBid() : a.book.bestAsk();
  const pb = side === Side.Buy ? b.book.bestBid() : b.book.bestAsk();
  if (Number.isNaN(pa)) return false;
  if (Number.isNaN(pb)) return true;
  return side === Side.Buy ? pa > pb : pa < pb;
}
