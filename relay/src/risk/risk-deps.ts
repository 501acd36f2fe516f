import type { Instrument } from '@tickmesh/shared';

/**
 * An account's exposure in one symbol as the OMS sees it. Per symbol (all venues): position,
 * open quantities, own best prices. Account-wide (all symbols): `openOrders` and
 * `openBuyNotional`, which makes maxOpenOrders and creditLimit account limits.
 */
export interface AccountExposure {
  /** Signed net position, lots. */
  position: number;
  /** Unfilled lots of open buy orders in the symbol. */
  openBuyQty: number;
  /** Unfilled lots of open sell orders in the symbol. */
  openSellQty: number;
  /** Open orders of the account (all symbols). */
  openOrders: number;
  /** Notional of the unfilled part of open buy orders (all symbols), quote × 1e-8 (see `notional`). */
  openBuyNotional: number;
  /** Highest own resting buy price in the symbol, ticks; NaN if none. */
  ownBestBid: number;
  /** Lowest own resting sell price in the symbol, ticks; NaN if none. */
  ownBestAsk: number;
}

/** What the risk engine reads from the rest of the relay. All calls are synchronous and cheap. */
export interface RiskDeps {
  /** The instrument of a symbol (tick/lot sizes, min/max qty); undefined if not traded here. */
  instrument(symbol: string): Instrument | undefined;
  /** Reference price in ticks (mid, else last, across venues); NaN when unknown. */
  referencePrice(symbol: string): number;
  /** The account's exposure in the symbol, from the OMS. */
  exposure(account: string, symbol: string): AccountExposure;
  /**
   * Milliseconds, for throttles, windows, halts and event times. Date.now is fine; a clock that
   * steps back only delays refills and expiries, it never lets more through.
   */
  nowMs(): number;
  /**
   * Runs `fn` after `delayMs` (used to resume halted symbols on time). Returns a canceller.
   * Default: an unref'd setTimeout, so a pending resume never keeps the process alive.
   */
  setTimer?(fn: () => void, delayMs: number): () => void;
}
