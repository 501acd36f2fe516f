import type { Instrument } from '../model/instrument';
import { OrderType, type Order } from '../model/order';
import { Side } from '../model/side';
import { notionalOrNaN } from './notional';

/**
 * An account's exposure as `preTradeCheck` reads it (the exposure half of `PreTradeContext`).
 * The relay builds it from the OMS, the browser from its blotter, both through
 * `accountExposure`, so the browser's pre-check sees what the relay's risk will see.
 *
 * Scope: position, open quantities and own best prices are per symbol (all venues).
 * `openOrders` and `openBuyNotional` are whatever scope the limit should have; the relay passes
 * account-wide totals, making maxOpenOrders and creditLimit account-wide.
 *
 * A NaN or otherwise invalid figure fails the rule that reads it (fail closed), except the own
 * best prices, where NaN means "no resting order".
 */
export interface AccountExposure {
  /** Signed net position, lots: positive long, negative short. */
  position: number;
  /** Open (unfilled) quantity of the account's buy orders in the symbol, lots. */
  openBuyQty: number;
  /** Open (unfilled) quantity of the account's sell orders in the symbol, lots. */
  openSellQty: number;
  /** Number of open orders counted against maxOpenOrders (not counting this one). */
  openOrders: number;
  /** Notional of the open buy orders counted against creditLimit, quote × 1e-8. */
  openBuyNotional: number;
  /** Highest price of the account's own resting buy orders in the symbol, NaN if none. */
  ownBestBid: number;
  /** Lowest price of the account's own resting sell orders in the symbol, NaN if none. */
  ownBestAsk: number;
}

/**
 * One symbol's venue-facing open orders (direct orders and children, never parents) and
 * position, tallied as the relay's OMS keeps them (relay/src/oms/position-book.ts): lots as
 * in `AccountExposure` (but `openOrders` of this symbol only), the buy notional in ticks × lots
 * and 0 for "no own order".
 */
export interface SymbolExposure extends Pick<AccountExposure, 'position' | 'openBuyQty' | 'openSellQty' | 'openOrders'> {
  /** Σ price × leaves of open buy limit orders, ticks × lots; market orders add 0. */
  openBuyNotional: number;
  /** Highest own open buy limit price, ticks; 0 if none. */
  ownBestBid: number;
  /** Lowest own open sell limit price, ticks; 0 if none. */
  ownBestAsk: number;
}

/** A flat symbol with no open orders, to tally into. */
export function emptySymbolExposure(): SymbolExposure {
  return { position: 0, openBuyQty: 0, openSellQty: 0, openOrders: 0, openBuyNotional: 0, ownBestBid: 0, ownBestAsk: 0 };
}

/** Adds one venue-facing open order to its symbol's tally (the caller picks the orders). */
export function tallyOpenOrder(t: SymbolExposure, o: Pick<Order, 'side' | 'orderType' | 'price' | 'qty' | 'filledQty'>): void {
  const leaves = Math.max(0, o.qty - o.filledQty);
  const resting = o.orderType === OrderType.Limit && o.price > 0;
  t.openOrders++;
  if (o.side !== Side.Buy) {
    t.openSellQty += leaves;
    if (resting && (t.ownBestAsk === 0 || o.price < t.ownBestAsk)) t.ownBestAsk = o.price;
    return;
  }
  t.openBuyQty += leaves;
  if (!resting) return;
  t.openBuyNotional += o.price * leaves;
  t.ownBestBid = Math.max(t.ownBestBid, o.price);
}

/**
 * Values a symbol's open-buy tally (ticks × lots) in quote × 1e-8 with the symbol's instrument:
 * 0 for a symbol without one, NaN when past MAX_NOTIONAL (which fails the credit rule).
 */
export function tallyNotional(instrument: (symbol: string) => Pick<Instrument, 'tickSize' | 'lotSize'> | undefined): (symbol: string, ticksTimesLots: number) => number {
  return (symbol, ticksTimesLots) => {
    const inst = instrument(symbol);
    // notionalOrNaN(inst, p, 1) is p × tickSize × lotSize in quote units of 1e-8: with p = the
    // tally's ticks × lots sum, that converts the whole sum exactly.
    return inst === undefined ? 0 : notionalOrNaN(inst, ticksTimesLots, 1);
  };
}

/**
 * The exposure `preTradeCheck` reads for an order in `symbol`: position, open quantities and
 * own best prices of `symbol` (NaN for none); open orders and open buy notional summed over
 * `symbols` (account-wide).
 *
 * @param symbols every symbol the account may hold open orders in.
 * @param tally the tally of one symbol (called once per symbol).
 * @param buyNotional values a symbol's open-buy tally; pass `tallyNotional(instrumentOf)`.
 */
export function accountExposure(
  symbol: string,
  symbols: Iterable<string>,
  tally: (symbol: string) => SymbolExposure,
  buyNotional: (symbol: string, ticksTimesLots: number) => number,
): AccountExposure {
  const here = tally(symbol);
  let openOrders = 0;
  let openBuyNotional = 0;
  for (const s of symbols) {
    const e = s === symbol ? here : tally(s);
    openOrders += e.openOrders;
    if (e.openBuyNotional > 0) openBuyNotional += buyNotional(s, e.openBuyNotional);
  }
  return {
    position: here.position,
    openBuyQty: here.openBuyQty,
    openSellQty: here.openSellQty,
    openOrders,
    openBuyNotional,
    ownBestBid: here.ownBestBid === 0 ? Number.NaN : here.ownBestBid,
    ownBestAsk: here.ownBestAsk === 0 ? Number.NaN : here.ownBestAsk,
  };
}

/**
 * Takes `order` (open, in the exposure's symbol) out of `e` in place, as a replace is checked:
 * its open qty, its open buy notional, its slot among open orders, and its fills unwound from
 * the position. The replaced order is thus checked exactly as a fresh order would be before
 * the original was sent.
 */
export function withoutOrder(e: AccountExposure, order: Pick<Order, 'side' | 'price' | 'qty' | 'filledQty'>, inst: Pick<Instrument, 'tickSize' | 'lotSize'>): void {
  const leaves = Math.max(0, order.qty - order.filledQty);
  if (order.side === Side.Buy) {
    e.position -= order.filledQty;
    e.openBuyQty = Math.max(0, e.openBuyQty - leaves);
    // A market order rests at no price: nothing of it is in openBuyNotional.
    const own = order.price > 0 ? notionalOrNaN(inst, order.price, leaves) : 0;
    e.openBuyNotional = Math.max(0, e.openBuyNotional - own);
  } else {
    e.position += order.filledQty;
    e.openSellQty = Math.max(0, e.openSellQty - leaves);
  }
  e.openOrders = Math.max(0, e.openOrders - 1);
}
