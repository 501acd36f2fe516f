import type { Fill, Position } from './order';
import { Side } from './side';

/**
 * Position arithmetic, one implementation for the relay's books and the browser's ledger, so
 * both show the same P&L for the same fills.
 *
 * Average-cost method: a fill that adds to the position adds price x qty to the open cost; a
 * fill that reduces it releases the proportional share of the open cost (rounded to an
 * integer; a fill that closes the position releases all of it, so a flat position has cost
 * exactly 0) and realises the difference; a fill through flat closes, then opens the rest at
 * the fill price. Prices in ticks, quantities in lots, cost and P&L in ticks x lots.
 */
export function flatPosition(account: string, symbol: string): Position {
  return { account, symbol, qty: 0, openCost: 0, realizedPnl: 0, fees: 0 };
}

/** Applies one fill to `p` in place. */
export function applyFill(p: Position, fill: Pick<Fill, 'side' | 'qty' | 'price' | 'fee'>): void {
  const dq = fill.side === Side.Buy ? fill.qty : -fill.qty;
  p.fees += fill.fee;
  if (p.qty === 0 || Math.sign(p.qty) === Math.sign(dq)) {
    p.qty += dq;
    p.openCost += fill.price * dq;
    return;
  }
  const dir = Math.sign(p.qty);
  const closeQty = Math.min(Math.abs(dq), Math.abs(p.qty));
  const released = closeQty === Math.abs(p.qty) ? p.openCost : Math.round((p.openCost * closeQty) / Math.abs(p.qty));
  p.realizedPnl += dir * fill.price * closeQty - released;
  p.openCost -= released;
  p.qty -= dir * closeQty;
  const rest = Math.abs(dq) - closeQty;
  if (rest > 0) {
    const d = Math.sign(dq);
    p.qty += d * rest;
    p.openCost += d * fill.price * rest;
  }
}

/** Unrealised P&L at `markPrice` (ticks), in ticks x lots; 0 when flat. */
export function unrealisedPnl(p: Pick<Position, 'qty' | 'openCost'>, markPrice: number): number {
  return p.qty === 0 ? 0 : markPrice * p.qty - p.openCost;
}
