import type { Instrument } from '../model/instrument';
import { testInstrument } from '../model/instrument-fixtures';
import { Algo } from '../model/messages';
import { OrderType, TimeInForce, type OrderIntent } from '../model/order';
import { Side } from '../model/side';
import type { PreTradeContext } from './pre-trade-context';
import type { RiskLimits } from './risk-limits';

/**
 * Fixtures for the risk tests (shared and relay). Numbers are chosen so limits are easy to hit
 * exactly: tick "0.01" × lot "0.01" makes 1 tick × 1 lot = 10,000 notional units, so the
 * notional of `q` lots at `p` ticks is p × q × 10,000; the reference price is 10,000 ticks
 * (100.00), so the default 500 bps collar is [9,500, 10,500].
 */
export const TEST_INSTRUMENT: Instrument = Object.freeze(
  testInstrument({ streamId: 1, symbol: 'TST-USD', base: 'TST', lotSize: '0.01', minQty: 5, maxQty: 2_000 }),
);

/** Small limits so every rule can be hit exactly at its boundary. */
export const TEST_LIMITS: Readonly<RiskLimits> = Object.freeze({
  maxOrderQty: 1_000,
  maxNotional: 50_000_000_000, // 500 lots at 10,000 ticks
  priceCollarBps: 500,
  maxPosition: 2_000,
  creditLimit: 100_000_000_000, // 1,000 lots at 10,000 ticks
  maxOpenOrders: 10,
});

/** A valid limit buy of 100 lots at the reference price (10,000 ticks). */
export function testIntent(over: Partial<OrderIntent> = {}): OrderIntent {
  return {
    account: 'acct-1',
    clientOrderId: 'c1',
    symbol: TEST_INSTRUMENT.symbol,
    venue: '',
    side: Side.Buy,
    orderType: OrderType.Limit,
    timeInForce: TimeInForce.GTC,
    price: 10_000,
    qty: 100,
    postOnly: false,
    algo: Algo.None,
    displayQty: 0,
    durationMs: 0,
    ...over,
  };
}

/** A flat account with no open orders, active, reference 10,000 ticks. */
export function testContext(over: Partial<PreTradeContext> = {}): PreTradeContext {
  return {
    instrument: TEST_INSTRUMENT,
    referencePrice: 10_000,
    position: 0,
    openBuyQty: 0,
    openSellQty: 0,
    openOrders: 0,
    openBuyNotional: 0,
    limits: TEST_LIMITS,
    tradingState: 'active',
    ownBestBid: Number.NaN,
    ownBestAsk: Number.NaN,
    ...over,
  };
}
