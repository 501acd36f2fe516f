import { describe, expect, it } from 'vitest';
import { testInstrument } from '../model/instrument-fixtures';
import { OrderType } from '../model/order';
import { Side } from '../model/side';
import { moneyText, priceText, qtyText } from '../model/unit-text';
import { preTradeCheck } from './pre-trade-check';
import type { PreTradeContext } from './pre-trade-context';
import { TEST_LIMITS, testContext, testIntent } from './risk-fixtures';

// BTC-USD as the sim lists it: tick 0.01 USD, lot 0.0001 BTC, at most 1,000 BTC an order.
const btc = testInstrument({ maxQty: 10_000_000 });
const loose = { ...TEST_LIMITS, maxOrderQty: 1e12, maxNotional: 9e15, maxPosition: 1e12, creditLimit: 9e15 };

function message(order: Parameters<typeof testIntent>[0], ctx: Partial<PreTradeContext> = {}): string {
  const r = preTradeCheck(testIntent({ symbol: 'BTC-USD', ...order }), testContext({ instrument: btc, referencePrice: 5_001_384, limits: loose, ...ctx }));
  if (r.ok) throw new Error('expected a denial');
  return `${r.reason.code} ${r.reason.message}`;
}

describe('refusals read in the instrument units', () => {
  it('a quantity above the instrument maximum', () => {
    expect(message({ price: 5_001_384, qty: 50_000_000 })).toBe('RISK_INVALID_QTY qty 5,000 BTC is above the instrument maximum 1,000 BTC');
  });

  it('a price outside the collar', () => {
    expect(message({ price: 4_000_000, qty: 1 })).toBe('RISK_PRICE_COLLAR price 40,000.00 USD is outside the collar 47,513.15–52,514.53 around 50,013.84');
  });

  it('below the minimum, above the order limit, notional, position and credit', () => {
    expect(message({ price: 5_001_384, qty: 1 }, { instrument: { ...btc, minQty: 10 } })).toBe('RISK_INVALID_QTY qty 0.0001 BTC is below the instrument minimum 0.001 BTC');
    expect(message({ price: 5_001_384, qty: 25_000 }, { limits: { ...loose, maxOrderQty: 20_000 } })).toBe('RISK_MAX_ORDER_QTY qty 2.5 BTC exceeds the order limit 2 BTC');
    expect(message({ price: 5_000_000, qty: 10_000 }, { referencePrice: 5_000_000, limits: { ...loose, maxNotional: 4_000_000_000_000 } })).toBe(
      'RISK_MAX_NOTIONAL notional 50,000.00 USD exceeds the order limit 40,000.00 USD',
    );
    expect(message({ price: 5_000_000, qty: 10_000 }, { referencePrice: 5_000_000, position: 5_000, limits: { ...loose, maxPosition: 12_000 } })).toBe(
      'RISK_POSITION_LIMIT long exposure 1.5 BTC would exceed the limit 1.2 BTC',
    );
    expect(message({ price: 5_000_000, qty: 10_000 }, { referencePrice: 5_000_000, openBuyNotional: 1, limits: { ...loose, creditLimit: 5_000_000_000_000 } })).toBe(
      'RISK_CREDIT_LIMIT credit use 50,000.00000001 USD would exceed the credit limit 50,000.00 USD',
    );
  });

  it('reduce-only and self-trade', () => {
    expect(message({ price: 5_001_384, qty: 1 }, { tradingState: 'reducing', position: 20_000 })).toBe('RISK_REDUCE_ONLY only orders reducing the position (2 BTC) are accepted');
    expect(message({ price: 5_001_384, qty: 1, side: Side.Buy }, { ownBestAsk: 5_001_000 })).toBe("RISK_SELF_TRADE buy at 50,013.84 USD would trade against the account's own ask");
    expect(message({ orderType: OrderType.Market, price: 7 })).toBe('RISK_INVALID_PRICE a market order carries no price (got 0.07 USD)');
  });
});

describe('unit texts', () => {
  it('are exact at the edges', () => {
    expect(qtyText(btc, 1)).toBe('0.0001 BTC');
    expect(qtyText(btc, -12_345_678)).toBe('-1,234.5678 BTC');
    expect(priceText(btc, 1)).toBe('0.01 USD');
    expect(moneyText(btc, 1)).toBe('0.00000001 USD');
    expect(moneyText(btc, 123_400_000_000)).toBe('1,234.00 USD');
  });
});
