import type { AccountExposure, Instrument } from '@tickmesh/shared';

/** What the risk engine reads from the rest of the relay. All calls are synchronous and cheap. */
export interface RiskDeps {
  /** The instrument of a symbol (tick/lot sizes, min/max qty); undefined if not traded here. */
  instrument(symbol: string): Instrument | undefined;
  /** Reference price in ticks (mid, else last, across venues); NaN when unknown. */
  referencePrice(symbol: string): number;
  /** The account's exposure in the symbol, from the OMS (built with the shared `accountExposure`). */
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
