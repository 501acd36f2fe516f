import { applyFill, emptySymbolExposure, flatPosition, tallyOpenOrder, unrealisedPnl, type Fill, type Order, type Position, type SymbolExposure } from '@tickmesh/shared';

/**
 * Positions per (account, symbol), built from fills only, so replaying the journal's fills in
 * order rebuilds exactly the same book. The arithmetic (average cost) is shared/src/model/
 * position.ts, the same the browser's ledger uses. Fees (quote x 1e-8, negative = rebate) are
 * summed separately and not netted into P&L.
 */
export class PositionBook {
  private readonly positions = new Map<string, Map<string, Position>>();

  /** Applies one fill; returns the position after it (a copy). */
  apply(fill: Fill): Position {
    const p = this.position(fill.account, fill.symbol);
    applyFill(p, fill);
    return { ...p };
  }

  /** The position of `account` in `symbol` (a flat zero position if it never traded). */
  get(account: string, symbol: string): Position {
    const p = this.positions.get(account)?.get(symbol);
    return p === undefined ? flatPosition(account, symbol) : { ...p };
  }

  /** Signed net position of `account` in `symbol`, lots (0 if it never traded); no copy. */
  qty(account: string, symbol: string): number {
    return this.positions.get(account)?.get(symbol)?.qty ?? 0;
  }

  /** Positions of `account` (including flat ones that traded), in first-trade order. */
  list(account: string): Position[] {
    return [...(this.positions.get(account)?.values() ?? [])].map((p) => ({ ...p }));
  }

  /** Mark-to-market P&L of the open quantity at `markPrice` (ticks), in ticks × lots. */
  unrealised(account: string, symbol: string, markPrice: number): number {
    const p = this.get(account, symbol);
    return unrealisedPnl(p, markPrice);
  }

  /**
   * Exposure of `account` in `symbol` given its open orders (the caller passes the venue-facing
   * open orders; this book holds only positions), tallied as the browser tallies its own.
   */
  exposure(account: string, symbol: string, openOrders: Iterable<Order>): SymbolExposure {
    const e = emptySymbolExposure();
    e.position = this.get(account, symbol).qty;
    for (const o of openOrders) if (o.account === account && o.symbol === symbol) tallyOpenOrder(e, o);
    return e;
  }

  private position(account: string, symbol: string): Position {
    let m = this.positions.get(account);
    if (m === undefined) {
      m = new Map();
      this.positions.set(account, m);
    }
    let p = m.get(symbol);
    if (p === undefined) {
      p = flatPosition(account, symbol);
      m.set(symbol, p);
    }
    return p;
  }
}
