import type { Instrument } from '../model/instrument';
import type { AccountExposure } from './account-exposure';
import type { RiskLimits } from './risk-limits';
import type { TradingState } from './trading-state';

/**
 * Everything `preTradeCheck` knows besides the order. The browser fills it from its own view
 * (worker books, blotter, positions); the relay from authoritative state (OMS exposure, the
 * risk engine's states); both build the exposure half with `accountExposure`. Prices are
 * ticks, quantities lots, money quote × 1e-8.
 */
export interface PreTradeContext extends AccountExposure {
  instrument: Instrument;
  /**
   * Reference price in ticks (mid or last across venues), NaN if unknown. A fractional value
   * (a mid between two ticks) is rounded to the nearest tick.
   */
  referencePrice: number;
  limits: Readonly<RiskLimits>;
  /** The stricter of the account's and the instrument's states. */
  tradingState: TradingState;
}
