import { positionPnl, type Instrument, type Position } from '@tickmesh/shared';
import type { PositionView } from './terminal-api';

/**
 * The positions panel's row for `p`: P&L net of fees, with gross and fees beside it, computed
 * exactly in 1e-8 quote (shared positionPnl, the relay's REST figures) and turned into quote
 * floats only here, at the display edge. `markPrice` in ticks, NaN = unknown (unrealised 0).
 * Without the instrument nothing converts: every money figure is 0.
 */
export function positionView(p: Position, inst: Pick<Instrument, 'tickSize' | 'lotSize'> | undefined, markPrice: number): PositionView {
  const e8 = inst === undefined ? undefined : positionPnl(inst, p, markPrice);
  const quote = (v: number | undefined) => (v === undefined ? 0 : v / 1e8);
  return {
    symbol: p.symbol,
    qty: p.qty,
    avgPrice: p.qty === 0 ? 0 : p.openCost / p.qty,
    realizedPnl: quote(e8?.realizedPnlE8),
    unrealizedPnl: quote(e8?.unrealisedPnlE8),
    grossPnl: quote(e8?.grossPnlE8),
    fees: quote(e8?.feesE8),
    netPnl: quote(e8?.netPnlE8),
  };
}
