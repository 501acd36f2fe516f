import { describe, expect, it } from 'vitest';
import type { OrderIntent } from '../model/order';
import { OrderType } from '../model/order';
import { Side } from '../model/side';
import { preTradeCheck } from './pre-trade-check';
import type { PreTradeContext } from './pre-trade-context';
import type { RiskCode } from './risk-code';
import { TEST_INSTRUMENT, TEST_LIMITS, testContext, testIntent } from './risk-fixtures';

const BUY = Side.Buy;
const SELL = Side.Sell;
const MARKET = { orderType: OrderType.Market, price: 0 } as const;

interface Case {
  name: string;
  order?: Partial<OrderIntent>;
  ctx?: Partial<PreTradeContext>;
  limits?: Partial<typeof TEST_LIMITS>;
  /** Expected code, or null for a pass. */
  code: RiskCode | null;
}

function run(c: Case) {
  const ctx = testContext({ ...c.ctx, limits: { ...TEST_LIMITS, ...c.ctx?.limits, ...c.limits } });
  return preTradeCheck(testIntent(c.order), ctx);
}

function table(title: string, cases: Case[]): void {
  describe(title, () => {
    it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      const r = run(c);
      expect(r.ok ? null : r.reason.code).toBe(c.code);
    });
  });
}

table('baseline', [
  { name: 'limit buy at the reference passes', code: null },
  { name: 'limit sell at the reference passes', order: { side: SELL }, code: null },
  { name: 'market buy passes', order: MARKET, code: null },
  { name: 'market sell passes', order: { ...MARKET, side: SELL }, code: null },
]);

table('RISK_INVALID_PRICE', [
  { name: 'limit price 0', order: { price: 0 }, code: 'RISK_INVALID_PRICE' },
  { name: 'negative limit price', order: { price: -1 }, code: 'RISK_INVALID_PRICE' },
  { name: 'fractional limit price', order: { price: 10_000.5 }, code: 'RISK_INVALID_PRICE' },
  { name: 'NaN limit price', order: { price: Number.NaN }, code: 'RISK_INVALID_PRICE' },
  { name: 'unsafe limit price', order: { price: 2 ** 53 }, code: 'RISK_INVALID_PRICE' },
  { name: 'market order with a price', order: { orderType: OrderType.Market, price: 10_000 }, code: 'RISK_INVALID_PRICE' },
  { name: 'beats an invalid qty', order: { price: 0, qty: 0 }, code: 'RISK_INVALID_PRICE' },
]);

table('RISK_INVALID_QTY', [
  { name: 'qty 0', order: { qty: 0 }, code: 'RISK_INVALID_QTY' },
  { name: 'negative qty', order: { qty: -100 }, code: 'RISK_INVALID_QTY' },
  { name: 'fractional qty', order: { qty: 100.5 }, code: 'RISK_INVALID_QTY' },
  { name: 'NaN qty', order: { qty: Number.NaN }, code: 'RISK_INVALID_QTY' },
  { name: 'exactly instrument minQty passes', order: { qty: 5 }, code: null },
  { name: 'one below instrument minQty', order: { qty: 4 }, code: 'RISK_INVALID_QTY' },
  { name: 'one above instrument maxQty', order: { qty: 2_001 }, limits: { maxOrderQty: 5_000 }, code: 'RISK_INVALID_QTY' },
  {
    name: 'instrument maxQty 0 means no venue maximum',
    order: { qty: 2_001, price: 1 },
    ctx: { instrument: { ...TEST_INSTRUMENT, maxQty: 0 }, referencePrice: Number.NaN },
    limits: { maxOrderQty: 5_000, maxPosition: 5_000 },
    code: null,
  },
  { name: 'beats the order-qty limit', order: { qty: 2_001 }, code: 'RISK_INVALID_QTY' },
]);

table('RISK_MAX_ORDER_QTY', [
  { name: 'exactly maxOrderQty passes', order: { qty: 300 }, limits: { maxOrderQty: 300 }, code: null },
  { name: 'one over maxOrderQty', order: { qty: 301 }, limits: { maxOrderQty: 300 }, code: 'RISK_MAX_ORDER_QTY' },
  { name: 'market order one over', order: { ...MARKET, qty: 301 }, limits: { maxOrderQty: 300 }, code: 'RISK_MAX_ORDER_QTY' },
  { name: 'beats a halt', order: { qty: 301 }, limits: { maxOrderQty: 300 }, ctx: { tradingState: 'halted' }, code: 'RISK_MAX_ORDER_QTY' },
]);

table('RISK_TRADING_HALTED', [
  { name: 'limit buy while halted', ctx: { tradingState: 'halted' }, code: 'RISK_TRADING_HALTED' },
  { name: 'reducing sell while halted', order: { side: SELL }, ctx: { tradingState: 'halted', position: 500 }, code: 'RISK_TRADING_HALTED' },
  { name: 'market order while halted', order: MARKET, ctx: { tradingState: 'halted' }, code: 'RISK_TRADING_HALTED' },
  { name: 'beats a collar breach', order: { price: 20_000 }, ctx: { tradingState: 'halted' }, code: 'RISK_TRADING_HALTED' },
]);

const reducing = (ctx: Partial<PreTradeContext>): Partial<PreTradeContext> => ({ tradingState: 'reducing', ...ctx });
table('RISK_REDUCE_ONLY', [
  { name: 'long 100: sell 100 (to flat) passes', order: { side: SELL, qty: 100 }, ctx: reducing({ position: 100 }), code: null },
  { name: 'long 100: sell 101 (through flat)', order: { side: SELL, qty: 101 }, ctx: reducing({ position: 100 }), code: 'RISK_REDUCE_ONLY' },
  { name: 'long 100: buy', order: { side: BUY, qty: 5 }, ctx: reducing({ position: 100 }), code: 'RISK_REDUCE_ONLY' },
  { name: 'flat: sell', order: { side: SELL, qty: 5 }, ctx: reducing({ position: 0 }), code: 'RISK_REDUCE_ONLY' },
  { name: 'flat: buy', order: { side: BUY, qty: 5 }, ctx: reducing({ position: 0 }), code: 'RISK_REDUCE_ONLY' },
  { name: 'long 100, 40 selling: sell 60 passes', order: { side: SELL, qty: 60 }, ctx: reducing({ position: 100, openSellQty: 40 }), code: null },
  { name: 'long 100, 40 selling: sell 61', order: { side: SELL, qty: 61 }, ctx: reducing({ position: 100, openSellQty: 40 }), code: 'RISK_REDUCE_ONLY' },
  { name: 'short 100: buy 100 passes', order: { side: BUY, qty: 100 }, ctx: reducing({ position: -100 }), code: null },
  { name: 'short 100: buy 101', order: { side: BUY, qty: 101 }, ctx: reducing({ position: -100 }), code: 'RISK_REDUCE_ONLY' },
  { name: 'short 100: sell', order: { side: SELL, qty: 5 }, ctx: reducing({ position: -100 }), code: 'RISK_REDUCE_ONLY' },
  { name: 'short 100, 30 buying: buy 71', order: { side: BUY, qty: 71 }, ctx: reducing({ position: -100, openBuyQty: 30 }), code: 'RISK_REDUCE_ONLY' },
  { name: 'long 100: market sell 100 passes', order: { ...MARKET, side: SELL, qty: 100 }, ctx: reducing({ position: 100 }), code: null },
  { name: 'long 100: market buy', order: { ...MARKET, qty: 5 }, ctx: reducing({ position: 100 }), code: 'RISK_REDUCE_ONLY' },
  { name: 'NaN position fails closed', order: { side: SELL, qty: 5 }, ctx: reducing({ position: Number.NaN }), code: 'RISK_REDUCE_ONLY' },
]);

table('RISK_NO_REFERENCE_PRICE', [
  { name: 'market buy without reference', order: MARKET, ctx: { referencePrice: Number.NaN }, code: 'RISK_NO_REFERENCE_PRICE' },
  { name: 'market sell without reference', order: { ...MARKET, side: SELL }, ctx: { referencePrice: Number.NaN }, code: 'RISK_NO_REFERENCE_PRICE' },
  { name: 'market order with reference 0', order: MARKET, ctx: { referencePrice: 0 }, code: 'RISK_NO_REFERENCE_PRICE' },
  { name: 'market order with infinite reference', order: MARKET, ctx: { referencePrice: Number.POSITIVE_INFINITY }, code: 'RISK_NO_REFERENCE_PRICE' },
  { name: 'limit order without reference passes (collar skipped)', order: { price: 30_000, qty: 10 }, ctx: { referencePrice: Number.NaN }, code: null },
]);

table('RISK_PRICE_COLLAR', [
  { name: 'buy exactly at the band top passes', order: { price: 10_500, qty: 10 }, code: null },
  { name: 'buy one tick above the band', order: { price: 10_501, qty: 10 }, code: 'RISK_PRICE_COLLAR' },
  { name: 'buy exactly at the band bottom passes', order: { price: 9_500, qty: 10 }, code: null },
  { name: 'buy one tick below the band (fat finger, both sides)', order: { price: 9_499, qty: 10 }, code: 'RISK_PRICE_COLLAR' },
  { name: 'sell one tick below the band', order: { side: SELL, price: 9_499, qty: 10 }, code: 'RISK_PRICE_COLLAR' },
  { name: 'sell at the band top passes', order: { side: SELL, price: 10_500, qty: 10 }, code: null },
  { name: 'band edges round inward (ref 333: top 349)', order: { price: 349, qty: 10 }, ctx: { referencePrice: 333 }, code: null },
  { name: 'band edges round inward (ref 333: 350 out)', order: { price: 350, qty: 10 }, ctx: { referencePrice: 333 }, code: 'RISK_PRICE_COLLAR' },
  { name: 'fractional reference is rounded (10,000.4 -> 10,000)', order: { price: 10_501, qty: 10 }, ctx: { referencePrice: 10_000.4 }, code: 'RISK_PRICE_COLLAR' },
  { name: 'collar 0 bps: the reference itself passes', order: { qty: 10 }, limits: { priceCollarBps: 0 }, code: null },
  { name: 'collar 0 bps: one tick off fails', order: { price: 10_001, qty: 10 }, limits: { priceCollarBps: 0 }, code: 'RISK_PRICE_COLLAR' },
  { name: 'market orders are not collared (band bounds them)', order: { ...MARKET, qty: 10 }, limits: { priceCollarBps: 0 }, code: null },
]);

table('RISK_MAX_NOTIONAL', [
  { name: 'exactly maxNotional passes (500 @ 10,000)', order: { qty: 500 }, code: null },
  { name: 'one lot over maxNotional', order: { qty: 501 }, code: 'RISK_MAX_NOTIONAL' },
  { name: 'one unit over maxNotional', order: { qty: 500 }, limits: { maxNotional: 49_999_999_999 }, code: 'RISK_MAX_NOTIONAL' },
  { name: 'sell one lot over', order: { side: SELL, qty: 501 }, code: 'RISK_MAX_NOTIONAL' },
  // Market orders are valued at the band top, 10,500: 476 lots = 49,980,000,000; 477 = 50,085,000,000.
  { name: 'market buy valued at the band top passes', order: { ...MARKET, qty: 476 }, code: null },
  { name: 'market buy valued at the band top fails', order: { ...MARKET, qty: 477 }, code: 'RISK_MAX_NOTIONAL' },
  { name: 'market sell valued at the band top fails', order: { ...MARKET, side: SELL, qty: 477 }, code: 'RISK_MAX_NOTIONAL' },
  {
    name: 'overflowing notional is a denial, not a throw',
    order: { price: 2 ** 52, qty: 1_000 },
    ctx: { referencePrice: Number.NaN },
    limits: { maxNotional: Number.MAX_SAFE_INTEGER },
    code: 'RISK_MAX_NOTIONAL',
  },
]);

table('RISK_POSITION_LIMIT', [
  { name: 'long: exactly maxPosition passes', order: { qty: 50 }, ctx: { position: 1_900, openBuyQty: 50 }, limits: { creditLimit: 1e15 }, code: null },
  { name: 'long: one over maxPosition', order: { qty: 51 }, ctx: { position: 1_900, openBuyQty: 50 }, limits: { creditLimit: 1e15 }, code: 'RISK_POSITION_LIMIT' },
  { name: 'short: exactly maxPosition passes', order: { side: SELL, qty: 50 }, ctx: { position: -1_900, openSellQty: 50 }, code: null },
  { name: 'short: one over maxPosition', order: { side: SELL, qty: 51 }, ctx: { position: -1_900, openSellQty: 50 }, code: 'RISK_POSITION_LIMIT' },
  { name: 'open buys do not count against a sell', order: { side: SELL, qty: 100 }, ctx: { openBuyQty: 1_990 }, code: null },
  { name: 'over the limit: a reducing sell passes', order: { side: SELL, qty: 100 }, ctx: { position: 5_000 }, code: null },
  { name: 'over the limit: an increasing buy fails', order: { qty: 5 }, ctx: { position: 5_000 }, code: 'RISK_POSITION_LIMIT' },
  { name: 'market buy counts its qty', order: { ...MARKET, qty: 101 }, ctx: { position: 1_900 }, limits: { creditLimit: 1e15 }, code: 'RISK_POSITION_LIMIT' },
  { name: 'NaN open qty fails closed', order: { qty: 5 }, ctx: { openBuyQty: Number.NaN }, code: 'RISK_POSITION_LIMIT' },
]);

table('RISK_CREDIT_LIMIT', [
  { name: 'exactly the credit limit passes', order: { qty: 500 }, ctx: { openBuyNotional: 50_000_000_000 }, code: null },
  { name: 'one unit over the credit limit', order: { qty: 500 }, ctx: { openBuyNotional: 50_000_000_001 }, code: 'RISK_CREDIT_LIMIT' },
  // long 100 @ ref 10,000 = 10,000,000,000; + 40e9 open + 50e9 order = 100e9
  { name: 'long position valued at the reference: at the limit', order: { qty: 500 }, ctx: { position: 100, openBuyNotional: 40_000_000_000 }, code: null },
  { name: 'long position valued at the reference: one tick up fails', order: { qty: 500 }, ctx: { position: 100, openBuyNotional: 40_000_000_000, referencePrice: 10_001 }, code: 'RISK_CREDIT_LIMIT' },
  { name: 'long position valued at the order price without reference', order: { qty: 500, price: 10_001 }, ctx: { position: 100, openBuyNotional: 39_994_000_001, referencePrice: Number.NaN }, limits: { maxNotional: 1e11 }, code: 'RISK_CREDIT_LIMIT' },
  { name: 'a short position uses no credit', order: { qty: 500 }, ctx: { position: -1_000, openBuyNotional: 50_000_000_000 }, code: null },
  { name: 'sells never use credit', order: { side: SELL, qty: 500 }, ctx: { openBuyNotional: 1e13 }, code: null },
  { name: 'market buy valued at the band top', order: { ...MARKET, qty: 476 }, ctx: { openBuyNotional: 50_020_000_001 }, code: 'RISK_CREDIT_LIMIT' },
  { name: 'market buy valued at the band top: at the limit', order: { ...MARKET, qty: 476 }, ctx: { openBuyNotional: 50_020_000_000 }, code: null },
  { name: 'NaN open notional fails closed', ctx: { openBuyNotional: Number.NaN }, code: 'RISK_CREDIT_LIMIT' },
]);

table('RISK_MAX_OPEN_ORDERS', [
  { name: 'one below the limit passes', ctx: { openOrders: 9 }, code: null },
  { name: 'at the limit fails', ctx: { openOrders: 10 }, code: 'RISK_MAX_OPEN_ORDERS' },
  { name: 'sells count too', order: { side: SELL }, ctx: { openOrders: 10 }, code: 'RISK_MAX_OPEN_ORDERS' },
  { name: 'NaN count fails closed', ctx: { openOrders: Number.NaN }, code: 'RISK_MAX_OPEN_ORDERS' },
]);

table('RISK_SELF_TRADE', [
  { name: 'buy at own best ask', ctx: { ownBestAsk: 10_000 }, code: 'RISK_SELF_TRADE' },
  { name: 'buy above own best ask', order: { price: 10_010 }, ctx: { ownBestAsk: 10_000 }, code: 'RISK_SELF_TRADE' },
  { name: 'buy one tick under own best ask passes', ctx: { ownBestAsk: 10_001 }, code: null },
  { name: 'buy ignores own bids', ctx: { ownBestBid: 10_000 }, code: null },
  { name: 'sell at own best bid', order: { side: SELL }, ctx: { ownBestBid: 10_000 }, code: 'RISK_SELF_TRADE' },
  { name: 'sell one tick over own best bid passes', order: { side: SELL }, ctx: { ownBestBid: 9_999 }, code: null },
  { name: 'market buy reaches own ask inside the band', order: MARKET, ctx: { ownBestAsk: 10_500 }, code: 'RISK_SELF_TRADE' },
  { name: 'market buy cannot reach own ask past the band', order: MARKET, ctx: { ownBestAsk: 10_501 }, code: null },
  { name: 'market sell reaches own bid inside the band', order: { ...MARKET, side: SELL }, ctx: { ownBestBid: 9_500 }, code: 'RISK_SELF_TRADE' },
  { name: 'market sell cannot reach own bid past the band', order: { ...MARKET, side: SELL }, ctx: { ownBestBid: 9_499 }, code: null },
]);

describe('preTradeCheck', () => {
  it('returns the same frozen success value (no allocation on the hot path)', () => {
    const a = preTradeCheck(testIntent(), testContext());
    const b = preTradeCheck(testIntent({ side: SELL }), testContext());
    expect(a).toEqual({ ok: true, value: undefined });
    expect(a).toBe(b);
  });

  it('never throws on hostile numbers', () => {
    const nasty = [Number.NaN, Number.POSITIVE_INFINITY, -1, 0, 0.5, 2 ** 53, Number.MAX_VALUE];
    for (const price of nasty) {
      for (const qty of nasty) {
        for (const ref of nasty) {
          const r = preTradeCheck(testIntent({ price, qty }), testContext({ referencePrice: ref, limits: { ...TEST_LIMITS, maxOrderQty: Number.MAX_SAFE_INTEGER } }));
          expect(r.ok).toBe(false);
        }
      }
    }
  });

  it('carries a message for humans (codes are the contract)', () => {
    const r = preTradeCheck(testIntent({ qty: 0 }), testContext());
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason.message.length).toBeGreaterThan(0);
  });
});
