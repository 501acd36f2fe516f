import type { Instrument } from '../model/instrument';
import type { RiskLimits } from './risk-limits';
import type { TradingState } from './trading-state';

/**
 * Everything `preTradeCheck` knows besides the order. The browser fills it from its own view
 * (worker books, blotter, positions); the relay from authoritative state (OMS exposure, the
 * risk engine's states). Prices are ticks, quantities lots, money quote × 1e-8.
 *
 * Scope: position, open quantities and own best prices are per symbol (all venues).
 * `openOrders` and `openBuyNotional` are whatever scope the limit should have; the relay passes
 * account-wide totals, making maxOpenOrders and creditLimit account-wide.
 *
 * A NaN or otherwise invalid exposure figure fails the rule that reads it (fail closed), except
 * the own best prices, where NaN means "no resting order".
 */
export interface PreTradeContext {
  instrument: Instrument;
  /**
   * Reference price in ticks (mid or last across venues), NaN if unknown. A fractional value
   * (a mid between two ticks) is rounded to the nearest tick.
   */
  referencePrice: number;
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
  limits: Readonly<RiskLimits>;
  /** The stricter of the account's and the instrument's states. */
  tradingState: TradingState;
  /** Highest price of the account's own resting buy orders in the symbol, NaN if none. */
  ownBestBid: number;
  /** Lowest price of the account's own resting sell orders in the symbol, NaN if none. */
  ownBestAsk: number;
}
