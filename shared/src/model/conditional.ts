import { ErrorCode } from './codes';
import { fail, ok, type Result } from './result';
import { Side } from './side';

/**
 * Conditional orders: held by the relay (never by a venue, never by a browser) until the
 * relay's own market data crosses a trigger. Numbering matches proto/orders.proto.
 *
 * - Stop (stop-loss): fires when the price moves against the order's side past the level —
 *   a buy stop at or above it, a sell stop at or below it.
 * - TakeProfit: the mirror image — a sell at or above the level, a buy at or below it.
 * - TrailingStop: a stop whose level follows the best price seen since it was armed, a fixed
 *   `trailOffset` (ticks) or `trailBps` (basis points) behind it; it never moves back.
 */
export const TriggerType = { None: 0, Stop: 1, TakeProfit: 2, TrailingStop: 3 } as const;
export type TriggerType = (typeof TriggerType)[keyof typeof TriggerType];

/** The price a trigger watches: the last trade, or the mark (mid of best bid and ask). */
export const TriggerSource = { Last: 0, Mark: 1 } as const;
export type TriggerSource = (typeof TriggerSource)[keyof typeof TriggerSource];

/**
 * Orders made of several linked legs.
 * - OCO: a limit leg at the order's `price` (rests at the venue at once) and a stop leg at
 *   `triggerPrice` (a stop-limit at `stopLimitPrice`, or stop-market when 0), same side and
 *   qty; when one leg fills or fires, the other is canceled. Binance's OCO shape.
 * - Bracket: an entry (the order's own type and price, no trigger); once it filled, an
 *   opposite-side OCO of a take-profit limit at `takeProfitPrice` and a stop at
 *   `triggerPrice` (`stopLimitPrice` as in OCO), sized to what the entry filled.
 */
export const Contingency = { None: 0, OCO: 1, Bracket: 2 } as const;
export type Contingency = (typeof Contingency)[keyof typeof Contingency];

/** The conditional part of an order intent (absent on ordinary orders). Prices in ticks. */
export interface OrderConditional {
  triggerType: TriggerType;
  triggerSource: TriggerSource;
  /** Stop / take-profit level; OCO and bracket: the stop leg's level. 0 for a trailing stop (its level follows the market). */
  triggerPrice: number;
  /** Trailing stop: distance behind the best price, in ticks (exactly one of offset and bps). */
  trailOffset: number;
  /** Trailing stop: distance behind the best price, in basis points of it. */
  trailBps: number;
  contingency: Contingency;
  /** Bracket: the take-profit exit's limit price. 0 otherwise. */
  takeProfitPrice: number;
  /** OCO / bracket: the stop leg's limit price once fired; 0 = it goes as a market order. */
  stopLimitPrice: number;
}

/**
 * A conditional order's trigger as an execution report carries it: what is armed and, once
 * it fired, which trigger fired and at what market price.
 */
export interface ReportTrigger {
  triggerType: TriggerType;
  triggerSource: TriggerSource;
  contingency: Contingency;
  /** The armed level now (a trailing stop's moves with the market); 0 before it is known. */
  triggerPrice: number;
  /** TriggerType.None until a trigger fired. */
  firedTrigger: TriggerType;
  /** The market price (last or mark, per triggerSource) that fired it; 0 until then. */
  firedPrice: number;
}

const TRIGGER_TYPES: readonly number[] = Object.values(TriggerType);
const TRIGGER_SOURCES: readonly number[] = Object.values(TriggerSource);
const CONTINGENCIES: readonly number[] = Object.values(Contingency);

type ConditionalCode =
  | typeof ErrorCode.OMS_CONDITIONAL_INVALID
  | typeof ErrorCode.OMS_TRIGGER_PRICE_REQUIRED
  | typeof ErrorCode.OMS_TRIGGER_PRICE_INVALID
  | typeof ErrorCode.OMS_TRAIL_INVALID;

/** The fields of an intent the check reads (OrderIntent fits). */
export interface ConditionalIntent {
  side: Side;
  /** 1 = limit, 2 = market (OrderType). */
  orderType: number;
  price: number;
  algo: number;
  conditional?: OrderConditional;
}

const isTicks = (v: number) => Number.isSafeInteger(v) && v >= 0;

/**
 * Business check of a conditional order before the relay accepts it (the browser's ticket
 * runs the same): Ok for an intent without `conditional`. Codes: OMS_TRIGGER_PRICE_REQUIRED
 * (a stop, take-profit or stop leg without a level, a bracket without its take-profit),
 * OMS_TRIGGER_PRICE_INVALID (levels on the wrong side of each other or of the entry, so a
 * leg would fire at once), OMS_TRAIL_INVALID (a trailing stop needs exactly one of offset and
 * bps, bps below 10,000, and no fixed level), OMS_CONDITIONAL_INVALID (anything else).
 */
export function validateConditional(intent: ConditionalIntent): Result<true, ConditionalCode> {
  const c = intent.conditional;
  if (c === undefined) return ok(true);
  const bad = (why: string) => fail(ErrorCode.OMS_CONDITIONAL_INVALID, why);
  if (!TRIGGER_TYPES.includes(c.triggerType)) return bad(`unknown trigger type ${c.triggerType}`);
  if (!TRIGGER_SOURCES.includes(c.triggerSource)) return bad(`unknown trigger source ${c.triggerSource}`);
  if (!CONTINGENCIES.includes(c.contingency)) return bad(`unknown contingency ${c.contingency}`);
  for (const k of ['triggerPrice', 'trailOffset', 'trailBps', 'takeProfitPrice', 'stopLimitPrice'] as const) {
    if (!isTicks(c[k])) return bad(`${k} must be a non-negative integer`);
  }
  if (intent.algo !== 0) return bad('a conditional order takes no execution algo');
  const limit = intent.orderType === 1;
  if (limit && !(intent.price > 0)) return bad('a limit order needs a price');
  const trail = checkTrigger(c);
  if (!trail.ok) return trail;
  const buy = intent.side === Side.Buy;
  switch (c.contingency) {
    case Contingency.None:
      if (c.takeProfitPrice !== 0 || c.stopLimitPrice !== 0) return bad('takeProfitPrice and stopLimitPrice belong to OCO and bracket orders');
      return ok(true);
    case Contingency.OCO: {
      if (!limit) return bad('the OCO limit leg needs a limit order type and price');
      if (c.takeProfitPrice !== 0) return bad('takeProfitPrice belongs to bracket orders');
      if (c.triggerType === TriggerType.TakeProfit) return bad('the OCO second leg is a stop');
      // A sell OCO takes profit above and stops out below; a buy OCO the other way round.
      if (c.triggerType === TriggerType.Stop && (buy ? c.triggerPrice <= intent.price : c.triggerPrice >= intent.price)) {
        return fail(ErrorCode.OMS_TRIGGER_PRICE_INVALID, `the stop level must be ${buy ? 'above' : 'below'} the limit price`);
      }
      return ok(true);
    }
    case Contingency.Bracket: {
      if (c.triggerType === TriggerType.TakeProfit) return bad('the bracket stop-loss is a stop');
      if (c.takeProfitPrice === 0) return fail(ErrorCode.OMS_TRIGGER_PRICE_REQUIRED, 'a bracket needs a take-profit price');
      // The exits sell a long entry (take profit above, stop below) or buy back a short one.
      const above = (a: number, b: number) => (buy ? a > b : a < b);
      if (c.triggerType === TriggerType.Stop && !above(c.takeProfitPrice, c.triggerPrice)) {
        return fail(ErrorCode.OMS_TRIGGER_PRICE_INVALID, `the take-profit must be ${buy ? 'above' : 'below'} the stop-loss`);
      }
      if (limit && !above(c.takeProfitPrice, intent.price)) {
        return fail(ErrorCode.OMS_TRIGGER_PRICE_INVALID, `the take-profit must be ${buy ? 'above' : 'below'} the entry`);
      }
      if (limit && c.triggerType === TriggerType.Stop && !above(intent.price, c.triggerPrice)) {
        return fail(ErrorCode.OMS_TRIGGER_PRICE_INVALID, `the stop-loss must be ${buy ? 'below' : 'above'} the entry`);
      }
      return ok(true);
    }
  }
  return bad('unreachable');
}

function checkTrigger(c: OrderConditional): Result<true, ConditionalCode> {
  if (c.triggerType === TriggerType.None) return fail(ErrorCode.OMS_TRIGGER_PRICE_REQUIRED, 'a conditional order needs a trigger');
  if (c.triggerType === TriggerType.TrailingStop) {
    if ((c.trailOffset > 0) === (c.trailBps > 0)) return fail(ErrorCode.OMS_TRAIL_INVALID, 'a trailing stop needs exactly one of trailOffset and trailBps');
    if (c.trailBps >= 10_000) return fail(ErrorCode.OMS_TRAIL_INVALID, 'trailBps must be below 10000');
    if (c.triggerPrice !== 0) return fail(ErrorCode.OMS_TRAIL_INVALID, 'a trailing stop has no fixed trigger price');
    return ok(true);
  }
  if (c.trailOffset !== 0 || c.trailBps !== 0) return fail(ErrorCode.OMS_TRAIL_INVALID, 'trailOffset and trailBps belong to trailing stops');
  if (c.triggerPrice === 0) return fail(ErrorCode.OMS_TRIGGER_PRICE_REQUIRED, 'a stop or take-profit needs a trigger price');
  return ok(true);
}

/**
 * Does a market price fire a trigger at `level`? A buy stop and a sell take-profit fire at or
 * above it, a sell stop and a buy take-profit at or below it. Never without a level or price.
 */
export function triggerFires(type: TriggerType, side: Side, level: number, price: number): boolean {
  if (!(level > 0) || !(price > 0)) return false;
  const risingFires = (type === TriggerType.TakeProfit) !== (side === Side.Buy);
  return risingFires ? price >= level : price <= level;
}

/** The trailing level behind `best` (the highest price seen for a sell, the lowest for a buy); at least 1 tick away. */
export function trailingLevel(side: Side, best: number, trailOffset: number, trailBps: number): number {
  const gap = trailOffset > 0 ? trailOffset : Math.max(1, Math.round((best * trailBps) / 10_000));
  return side === Side.Sell ? Math.max(1, best - gap) : best + gap;
}

/** What one price did to a {@link TriggerWatch}. */
export type TriggerEvent = 'fired' | 'moved' | null;

/**
 * The state of one armed trigger, fed every market price (relay: the OMS's conditional
 * orders; browser: paper trading in replay). A trailing stop's level starts one trail behind
 * the first price it sees and only ever tightens.
 */
export class TriggerWatch {
  /** Armed level in ticks; 0 while a trailing stop has seen no price. */
  level: number;
  private best = 0;

  /**
   * @param level the level to resume from (a recovered trailing stop's journaled level);
   *   default: the conditional's own triggerPrice.
   */
  constructor(
    readonly type: TriggerType,
    readonly side: Side,
    private readonly c: Pick<OrderConditional, 'triggerPrice' | 'trailOffset' | 'trailBps'>,
    level = c.triggerPrice,
  ) {
    this.level = level;
    if (type === TriggerType.TrailingStop && level > 0) this.best = bestFromLevel(side, level, c.trailOffset, c.trailBps);
  }

  /** Feeds one market price (ticks). 'moved': a trailing level tightened (not fired). */
  update(price: number): TriggerEvent {
    if (!(price > 0)) return null;
    let moved = false;
    if (this.type === TriggerType.TrailingStop) {
      const better = this.best === 0 || (this.side === Side.Sell ? price > this.best : price < this.best);
      if (better) {
        this.best = price;
        const next = trailingLevel(this.side, price, this.c.trailOffset, this.c.trailBps);
        moved = next !== this.level;
        this.level = next;
      }
    }
    if (triggerFires(this.type, this.side, this.level, price)) return 'fired';
    return moved ? 'moved' : null;
  }
}

/** The best price a trailing level implies (recovery keeps the level, not the best price seen). */
function bestFromLevel(side: Side, level: number, trailOffset: number, trailBps: number): number {
  if (trailOffset > 0) return side === Side.Sell ? level + trailOffset : level - trailOffset;
  const f = trailBps / 10_000;
  return Math.round(side === Side.Sell ? level / (1 - f) : level / (1 + f));
}

/** A copy with exactly the OrderConditional fields (callers hold richer objects). */
export function copyConditional(c: OrderConditional): OrderConditional {
  return {
    triggerType: c.triggerType,
    triggerSource: c.triggerSource,
    triggerPrice: c.triggerPrice,
    trailOffset: c.trailOffset,
    trailBps: c.trailBps,
    contingency: c.contingency,
    takeProfitPrice: c.takeProfitPrice,
    stopLimitPrice: c.stopLimitPrice,
  };
}
