import { ErrorCode, Side } from '@tickmesh/shared';
import type { Evidence, SurveillanceAlert } from './surveillance-alert';
import { touchDistanceBps } from './touch-distance';
import type { TradingEvent } from './trading-event';

type OrderEvent = Extract<TradingEvent, { kind: 'order' }>;
type CancelEvent = Extract<TradingEvent, { kind: 'cancel' }>;
type FillEvent = Extract<TradingEvent, { kind: 'fill' }>;

/** Options of SpoofingDetector. */
export interface SpoofingOptions {
  /** An order is large at this many times the account's median order size in the symbol. Default 5. */
  largeMultiple?: number;
  /** Orders the median is taken over (the account's latest); below 5 of them nothing is large. Default 50. */
  history?: number;
  /** A large order cancelled unfilled within this is a flash. Default 2,000 ms. */
  cancelWithinMs?: number;
  /** Flashes on one side, with a fill on the other, within this window. Default 10,000 ms. */
  windowMs?: number;
  /** Flashes it takes for spoofing. Default 3. */
  minFlashes?: number;
  /** Large orders resting at once at distinct prices, all flashed, for layering. Default 3. */
  minLayers?: number;
  /**
   * A large order counts only when it rested at least this far behind its own side's touch
   * when the OMS took it, in bps of that touch: quotes at or inside the touch pulled fast are
   * market making. Orders whose record has no touch (older journals) are not held to it.
   * Default 3 (the simulator's spoofers flash 5-8 bps away; its spread is well under that).
   */
  minTouchBps?: number;
}

/** A large order that may turn out a flash, with its distance from the touch (null: not recorded). */
interface Candidate {
  order: OrderEvent;
  touchBps: number | null;
}

interface Flash extends Candidate {
  cancel: CancelEvent;
}

interface Book {
  open: Map<string, Candidate>;
  sizes: number[];
  flashes: Flash[];
  fills: FillEvent[];
  quietUntilUs: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

/** Drops the entries before the first one `keep` accepts (the arrays are in time order): no new array per event. */
function dropOlder<T>(xs: T[], keep: (x: T) => boolean): void {
  let n = 0;
  while (n < xs.length && !keep(xs[n]!)) n++;
  if (n > 0) xs.splice(0, n);
}

/** Whether `qty` is at least `multiple` × the median of `sizes`; the median is sorted for only when it can be (qty ≥ multiple × the smallest). */
function isLarge(qty: number, sizes: number[], multiple: number): boolean {
  let min = Infinity;
  for (const x of sizes) if (x < min) min = x;
  return qty >= multiple * min && qty >= multiple * median(sizes);
}

/**
 * Spoofing and layering: large orders the account never meant to trade, shown to move others,
 * pulled within moments while it trades on the other side.
 * - SURV_SPOOFING: `minFlashes` large orders on one side cancelled unfilled within
 *   `cancelWithinMs` of being placed, inside `windowMs`, and a fill of the account on the
 *   opposite side in that window. Score grows with the flashes (3 → 0.6, 5 or more → 1).
 * - SURV_LAYERING: `minLayers` such large orders resting at the same time at distinct prices
 *   on one side, and an opposite fill while all of them rested. Score 0.9.
 * "Large" is relative to the account's own median order size in the symbol, so it needs no
 * per-instrument threshold. "Away from the touch": at least `minTouchBps` behind the touch its
 * order-request record carries (what the OMS saw when it took the order); a record without one
 * (a journal written before the touch was recorded) is judged on size and timing alone, as
 * before, and the alert says the distance is unknown.
 */
export class SpoofingDetector {
  private readonly o: Required<SpoofingOptions>;
  private readonly books = new Map<string, Book>();

  constructor(options: SpoofingOptions = {}) {
    this.o = { largeMultiple: 5, history: 50, cancelWithinMs: 2000, windowMs: 10_000, minFlashes: 3, minLayers: 3, minTouchBps: 3, ...options };
  }

  onEvent(e: TradingEvent): SurveillanceAlert[] {
    const key = `${e.account}\u0000${e.symbol}`;
    let b = this.books.get(key);
    if (b === undefined) this.books.set(key, (b = { open: new Map(), sizes: [], flashes: [], fills: [], quietUntilUs: -Infinity }));
    const from = e.timeUs - this.o.windowMs * 1000;
    // Flashes are rare (large orders pulled unfilled) and not in order of their order's time: filtered, when there are any.
    if (b.flashes.length > 0) b.flashes = b.flashes.filter((f) => f.order.timeUs >= from);
    // Fills come in journal order, which is time order.
    dropOlder(b.fills, (f) => f.timeUs >= from);
    if (e.kind === 'order') {
      if (b.sizes.length >= 5 && isLarge(e.qty, b.sizes, this.o.largeMultiple)) {
        const touchBps = e.touch === undefined ? null : touchDistanceBps(e.side, e.price, e.touch);
        // At or near the touch it is liquidity the market can take: pulling it fast is market making.
        if (touchBps === null || touchBps >= this.o.minTouchBps) b.open.set(e.orderId, { order: e, touchBps });
      }
      b.sizes.push(e.qty);
      if (b.sizes.length > this.o.history) b.sizes.shift();
      return [];
    }
    if (e.kind === 'fill') {
      b.fills.push(e);
      // A large order that trades is not a flash.
      b.open.delete(e.orderId);
      return this.judge(b, e.side === Side.Buy ? Side.Sell : Side.Buy, e.timeUs);
    }
    const candidate = b.open.get(e.orderId);
    b.open.delete(e.orderId);
    if (candidate === undefined || e.filledQty > 0 || e.timeUs - candidate.order.timeUs > this.o.cancelWithinMs * 1000) return [];
    b.flashes.push({ ...candidate, cancel: e });
    return this.judge(b, candidate.order.side, e.timeUs);
  }

  /** After a new flash on `side` or a fill against it: does the window now hold a pattern? */
  private judge(b: Book, side: Side, nowUs: number): SurveillanceAlert[] {
    if (nowUs < b.quietUntilUs) return [];
    const flashes = b.flashes.filter((f) => f.order.side === side);
    const against = b.fills.filter((f) => f.side !== side);
    if (flashes.length === 0 || against.length === 0) return [];
    const layering = this.layers(flashes, against);
    if (layering !== undefined) {
      b.quietUntilUs = nowUs + this.o.windowMs * 1000;
      return [this.alert(ErrorCode.SURV_LAYERING, layering.flashes, [layering.fill], 0.9, nowUs,
        `${layering.flashes.length} large ${sideName(side)} orders at ${new Set(layering.flashes.map((f) => f.order.price)).size} prices rested together and were pulled unfilled while it ${side === Side.Buy ? 'sold' : 'bought'}; ${distanceText(layering.flashes, side)}`)];
    }
    if (flashes.length < this.o.minFlashes) return [];
    b.quietUntilUs = nowUs + this.o.windowMs * 1000;
    const score = Math.min(1, 0.6 + 0.2 * (flashes.length - this.o.minFlashes));
    return [this.alert(ErrorCode.SURV_SPOOFING, flashes, against, score, nowUs,
      `${flashes.length} large ${sideName(side)} orders cancelled unfilled within ${this.o.cancelWithinMs} ms, ${against.length} ${side === Side.Buy ? 'sell' : 'buy'} fills in ${this.o.windowMs / 1000} s; ${distanceText(flashes, side)}`)];
  }

  /** minLayers flashes whose lifetimes share an instant, at distinct prices, with an opposite fill inside it. */
  private layers(flashes: Flash[], against: FillEvent[]): { flashes: Flash[]; fill: FillEvent } | undefined {
    for (const fill of against) {
      const resting = flashes.filter((f) => f.order.timeUs <= fill.timeUs && f.cancel.timeUs >= fill.timeUs);
      if (new Set(resting.map((f) => f.order.price)).size >= this.o.minLayers) return { flashes: resting, fill };
    }
    return undefined;
  }

  private alert(code: SurveillanceAlert['code'], flashes: Flash[], fills: FillEvent[], score: number, timeUs: number, message: string): SurveillanceAlert {
    const evidence: Evidence[] = [];
    for (const f of flashes) {
      evidence.push({ seq: f.order.seq, orderId: f.order.orderId, what: 'order', touchBps: f.touchBps === null ? null : roundBps(f.touchBps) }, { seq: f.cancel.seq, orderId: f.cancel.orderId, what: 'cancel' });
    }
    for (const f of fills) evidence.push({ seq: f.seq, orderId: f.orderId, what: 'fill' });
    evidence.sort((a, b) => a.seq - b.seq);
    const first = flashes[0]!.order;
    return { code, account: first.account, symbol: first.symbol, timeUs, score, message, evidence };
  }
}

const sideName = (s: Side) => (s === Side.Buy ? 'buy' : 'sell');
const roundBps = (bps: number) => Math.round(bps * 10) / 10;

/** "placed 6-7.5 bps behind the best bid", or that the distance is not known, for the operator's sentence. */
function distanceText(flashes: readonly Flash[], side: Side): string {
  const known = flashes.flatMap((f) => (f.touchBps === null ? [] : [roundBps(f.touchBps)]));
  const unknown = flashes.length - known.length;
  const parts: string[] = [];
  if (known.length > 0) {
    const lo = Math.min(...known);
    const hi = Math.max(...known);
    parts.push(`placed ${lo === hi ? lo : `${lo}-${hi}`} bps behind the best ${side === Side.Buy ? 'bid' : 'ask'}`);
  }
  if (unknown > 0) parts.push(`distance from the touch not recorded for ${unknown === flashes.length ? 'them' : `${unknown} of them`} (journal without the touch)`);
  return parts.join(', ');
}
