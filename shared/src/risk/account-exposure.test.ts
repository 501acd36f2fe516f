import { describe, expect, it } from 'vitest';
import { testInstrument } from '../model/instrument-fixtures';
import { OrderType } from '../model/order';
import { Side } from '../model/side';
import { accountExposure, emptySymbolExposure, tallyNotional, tallyOpenOrder, withoutOrder, type SymbolExposure } from './account-exposure';
import { notional } from './notional';

const BTC = testInstrument();
// Tick × lot carry 9 decimals: notionals round up, so summing then converting differs from
// converting each order.
const FINE = testInstrument({ symbol: 'FINE-USD', tickSize: '0.001', lotSize: '0.000001' });
const instrumentOf = (s: string) => [BTC, FINE].find((i) => i.symbol === s);

type O = Parameters<typeof tallyOpenOrder>[1];
const buy = (price: number, qty: number, over: Partial<O> = {}): O => ({ side: Side.Buy, orderType: OrderType.Limit, price, qty, filledQty: 0, ...over });
const sell = (price: number, qty: number, over: Partial<O> = {}): O => ({ ...buy(price, qty, over), side: Side.Sell });

function tallies(orders: Record<string, O[]>, position: Record<string, number> = {}): Map<string, SymbolExposure> {
  const out = new Map<string, SymbolExposure>();
  for (const [s, os] of Object.entries(orders)) {
    const t = emptySymbolExposure();
    t.position = position[s] ?? 0;
    for (const o of os) tallyOpenOrder(t, o);
    out.set(s, t);
  }
  return out;
}

function fold(symbol: string, t: Map<string, SymbolExposure>) {
  return accountExposure(symbol, t.keys(), (s) => t.get(s) ?? emptySymbolExposure(), tallyNotional(instrumentOf));
}

describe('accountExposure', () => {
  it('is flat with NaN own best prices when nothing is open', () => {
    expect(fold('BTC-USD', new Map())).toEqual({
      position: 0, openBuyQty: 0, openSellQty: 0, openOrders: 0, openBuyNotional: 0, ownBestBid: Number.NaN, ownBestAsk: Number.NaN,
    });
  });

  it('takes quantities and own best prices from the symbol, counts and credit from every symbol', () => {
    const t = tallies({
      'BTC-USD': [buy(100, 5), buy(101, 2, { filledQty: 1 }), sell(110, 3), sell(109, 4), buy(0, 7, { orderType: OrderType.Market })],
      'FINE-USD': [buy(3, 1), sell(5, 1)],
      'GONE-USD': [buy(50, 50)],
    }, { 'BTC-USD': -4 });
    expect(fold('BTC-USD', t)).toEqual({
      position: -4,
      openBuyQty: 5 + 1 + 7,
      openSellQty: 7,
      openOrders: 5 + 2 + 1,
      // a market order rests at no price; a symbol without an instrument values nothing
      openBuyNotional: notional(BTC, 100 * 5 + 101 * 1, 1) + notional(FINE, 3, 1),
      ownBestBid: 101,
      ownBestAsk: 109,
    });
  });

  it('values a symbol\'s tally once, so rounding matches the relay\'s OMS sums', () => {
    const t = tallies({ 'FINE-USD': [buy(1, 1), buy(1, 1), buy(1, 1)] });
    // 1 tick × 1 lot = 1e-9 quote: three orders are 3e-9, one unit of 1e-8 once rounded up
    expect(fold('FINE-USD', t).openBuyNotional).toBe(1);
  });

  it('is NaN (fails the credit rule) past MAX_NOTIONAL', () => {
    const t = tallies({ 'BTC-USD': [buy(Number.MAX_SAFE_INTEGER, 1)] });
    expect(fold('BTC-USD', t).openBuyNotional).toBeNaN();
  });
});

describe('withoutOrder', () => {
  it('takes a buy out: leaves, notional, its slot, its fills', () => {
    const o = { side: Side.Buy, price: 100, qty: 10, filledQty: 4 };
    const e = fold('BTC-USD', tallies({ 'BTC-USD': [buy(100, 10, { filledQty: 4 }), buy(90, 1)] }, { 'BTC-USD': 4 }));
    withoutOrder(e, o, BTC);
    expect(e).toMatchObject({ position: 0, openBuyQty: 1, openOrders: 1, openBuyNotional: notional(BTC, 90, 1) });
  });

  it('takes a sell out and never goes below zero', () => {
    const e = fold('BTC-USD', new Map());
    withoutOrder(e, { side: Side.Sell, price: 100, qty: 10, filledQty: 3 }, BTC);
    expect(e).toMatchObject({ position: 3, openSellQty: 0, openOrders: 0, openBuyNotional: 0 });
  });
});
