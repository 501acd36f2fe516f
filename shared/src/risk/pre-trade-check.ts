import type { OrderIntent } from '../model/order';
import { OrderType } from '../model/order';
import { fail, type Result } from '../model/result';
import { Side } from '../model/side';
import { moneyText, priceNumberText, priceText, qtyText } from '../model/unit-text';
import { notionalOrNaN } from './notional';
import type { PreTradeContext } from './pre-trade-context';
import { bandHigh, bandLow, marketProtectionPrice } from './price-band';
import type { RiskCode } from './risk-code';

/** Shared success value: the order path allocates nothing when an order passes. */
const PASS: Result<void, RiskCode> = Object.freeze({ ok: true as const, value: undefined });

/**
 * The pre-trade rules, run by the browser worker before sending and again by the relay with
 * authoritative state. Pure: no clock, no I/O, no allocation on success. The first failing
 * rule decides, in this order:
 *
 *  1. RISK_INVALID_PRICE      limit price not a positive integer; market order with a price ≠ 0
 *  2. RISK_INVALID_QTY        qty not a positive integer, below instrument minQty, above
 *                             instrument maxQty (maxQty ≤ 0 = no venue maximum)
 *  3. RISK_MAX_ORDER_QTY      qty > limits.maxOrderQty
 *  4. RISK_TRADING_HALTED     tradingState 'halted'
 *  5. RISK_REDUCE_ONLY        tradingState 'reducing' and the order, with every open order on
 *                             its side filled, would not stay between the position and flat
 *  6. RISK_NO_REFERENCE_PRICE market order without a reference price
 *  7. RISK_PRICE_COLLAR       limit price outside reference ± priceCollarBps (skipped when the
 *                             reference is unknown: nothing to compare with)
 *  8. RISK_MAX_NOTIONAL       order notional > maxNotional
 *  9. RISK_POSITION_LIMIT     |position + open same-side qty + qty| beyond maxPosition
 * 10. RISK_CREDIT_LIMIT       buys: openBuyNotional + long position value + notional > creditLimit
 * 11. RISK_MAX_OPEN_ORDERS    openOrders + 1 > maxOpenOrders
 * 12. RISK_SELF_TRADE         a buy at/above the own best ask, a sell at/below the own best bid
 *
 * Market orders are valued at the top of the collar band (the most a fill inside the band can
 * be worth) and checked for self-trade at their protection price (band top for a buy, bottom
 * for a sell). A long position is valued at the reference price, or at the order's price when
 * the reference is unknown.
 */
export function preTradeCheck(intent: OrderIntent, ctx: PreTradeContext): Result<void, RiskCode> {
  const inst = ctx.instrument;
  const limits = ctx.limits;
  const market = intent.orderType === OrderType.Market;
  const buy = intent.side === Side.Buy;
  const price = intent.price;
  const qty = intent.qty;

  if (market) {
    if (price !== 0) return fail('RISK_INVALID_PRICE', `a market order carries no price (got ${priceText(inst, price)})`);
  } else if (!Number.isSafeInteger(price) || price <= 0) {
    return fail('RISK_INVALID_PRICE', `limit price must be positive, in steps of ${inst.tickSize} ${inst.quote} (got ${price} ticks)`);
  }

  if (!Number.isSafeInteger(qty) || qty <= 0) return fail('RISK_INVALID_QTY', `qty must be positive, in steps of ${inst.lotSize} ${inst.base} (got ${qty} lots)`);
  if (qty < inst.minQty) return fail('RISK_INVALID_QTY', `qty ${qtyText(inst, qty)} is below the instrument minimum ${qtyText(inst, inst.minQty)}`);
  if (inst.maxQty > 0 && qty > inst.maxQty) return fail('RISK_INVALID_QTY', `qty ${qtyText(inst, qty)} is above the instrument maximum ${qtyText(inst, inst.maxQty)}`);

  if (!(qty <= limits.maxOrderQty)) return fail('RISK_MAX_ORDER_QTY', `qty ${qtyText(inst, qty)} exceeds the order limit ${qtyText(inst, limits.maxOrderQty)}`);

  if (ctx.tradingState === 'halted') return fail('RISK_TRADING_HALTED', `trading in ${intent.symbol} is halted for this account`);

  const position = ctx.position;
  if (ctx.tradingState === 'reducing') {
    // Open orders on the same side count as filled: together they must not carry the position
    // through flat, or a reduce-only book could still open the opposite side.
    const reduces = buy
      ? position < 0 && ctx.openBuyQty + qty <= -position
      : position > 0 && ctx.openSellQty + qty <= position;
    if (!reduces) return fail('RISK_REDUCE_ONLY', `only orders reducing the position (${qtyText(inst, position)}) are accepted`);
  }

  const ref = Math.round(ctx.referencePrice);
  const hasRef = Number.isSafeInteger(ref) && ref > 0;
  const bps = limits.priceCollarBps;
  if (market && !hasRef) return fail('RISK_NO_REFERENCE_PRICE', `no reference price for ${intent.symbol}: market orders are refused`);

  if (!market && hasRef) {
    const high = bandHigh(ref, bps);
    const low = bandLow(ref, bps);
    if (!(price <= high) || !(price >= low)) {
      return fail('RISK_PRICE_COLLAR', `price ${priceText(inst, price)} is outside the collar ${priceNumberText(inst, low)}–${priceNumberText(inst, high)} around ${priceNumberText(inst, ref)}`);
    }
  }

  const valuePrice = market ? bandHigh(ref, bps) : price;
  const orderNotional = notionalOrNaN(inst, valuePrice, qty);
  if (!(orderNotional <= limits.maxNotional)) {
    return fail('RISK_MAX_NOTIONAL', `notional ${Number.isNaN(orderNotional) ? 'beyond range' : moneyText(inst, orderNotional)} exceeds the order limit ${moneyText(inst, limits.maxNotional)}`);
  }

  const projected = buy ? position + ctx.openBuyQty + qty : ctx.openSellQty + qty - position;
  if (!(projected <= limits.maxPosition)) {
    return fail('RISK_POSITION_LIMIT', `${buy ? 'long' : 'short'} exposure ${qtyText(inst, projected)} would exceed the limit ${qtyText(inst, limits.maxPosition)}`);
  }

  if (buy) {
    const longValue = position > 0 ? notionalOrNaN(inst, hasRef ? ref : valuePrice, position) : 0;
    const used = ctx.openBuyNotional + longValue + orderNotional;
    if (!(used <= limits.creditLimit)) return fail('RISK_CREDIT_LIMIT', `credit use ${Number.isNaN(used) ? 'beyond range' : moneyText(inst, used)} would exceed the credit limit ${moneyText(inst, limits.creditLimit)}`);
  }

  if (!(ctx.openOrders < limits.maxOpenOrders)) {
    return fail('RISK_MAX_OPEN_ORDERS', `${ctx.openOrders} open orders: the limit is ${limits.maxOpenOrders}`);
  }

  const crossPrice = market ? marketProtectionPrice(intent.side, ref, bps) : price;
  if (buy ? crossPrice >= ctx.ownBestAsk : crossPrice <= ctx.ownBestBid) {
    return fail('RISK_SELF_TRADE', `${buy ? 'buy' : 'sell'} at ${priceText(inst, crossPrice)} would trade against the account's own ${buy ? 'ask' : 'bid'}`);
  }

  return PASS;
}
