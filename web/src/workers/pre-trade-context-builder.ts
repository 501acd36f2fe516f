import { DEFAULT_RISK_LIMITS, stricterState, tallyNotional, withoutOrder, type Instrument, type Order, type PreTradeContext } from '@tickmesh/shared';
import type { OrderBlotter } from './order-blotter';
import type { SymbolRiskInfo } from './relay-rest';

/** What the worker knows that `preTradeContext` turns into a `PreTradeContext`. */
export interface WorkerRiskView {
  instrument: Instrument;
  /** Instrument of any symbol (valuing open buy orders account-wide); undefined if not listed. */
  instrumentOf(symbol: string): Instrument | undefined;
  /** Ticks, NaN when unknown. */
  referencePrice: number;
  /** Signed lots held in the symbol. */
  position: number;
  blotter: OrderBlotter;
  /** GET /api/risk/limits entry of the symbol; undefined before it loaded. */
  risk: SymbolRiskInfo | undefined;
  /** True when a stream of the symbol is flagged HALTED by the relay. */
  streamHalted: boolean;
}

/**
 * The context the shared `preTradeCheck` runs with in the browser, built as the relay builds
 * its own (relay/src/server/trading.ts, risk-engine checkReplace): the blotter's exposure
 * folded by the shared `accountExposure` (per-symbol position, open quantities and own best
 * prices, NaN when none; account-wide open orders and open buy notional, quote × 1e-8); the
 * stricter of the relay's trading state and a HALTED stream.
 *
 * Before the limits have loaded the defaults apply: the relay re-checks everything with its
 * own, so the worst case is a denial arriving as a report instead of at once.
 *
 * `replacing`: check a replace as the relay does (shared `withoutOrder`), with the order
 * taken out of the exposure and its fills unwound from the position.
 */
export function preTradeContext(v: WorkerRiskView, replacing?: Order): PreTradeContext {
  const e = v.blotter.exposure(v.instrument.symbol, tallyNotional(v.instrumentOf));
  e.position = v.position;
  if (replacing !== undefined) withoutOrder(e, replacing, v.instrument);
  const state = v.risk?.tradingState ?? 'active';
  return {
    ...e,
    instrument: v.instrument,
    referencePrice: v.referencePrice,
    limits: v.risk?.limits ?? DEFAULT_RISK_LIMITS,
    tradingState: v.streamHalted ? stricterState(state, 'halted') : state,
  };
}
