import { OrderType, Side, applyFill, flatPosition, unrealisedPnl, type Fill, type Order, type Position } from '@tickmesh/shared';

/**
 * What the risk engine needs to know about one account in one symbol. Quantities in lots,
 * notionals in ticks × lots (price in ticks times quantity in lots; convert with the
 * instrument's tick and lot size). Only orders that can trade at a venue count: direct
 * orders and children; a parent's not-yet-sent quantity is not at any venue.
 */
export interface Exposure {
  /** Signed net position in lots (positive long). */
  position: number;
  /** Open (leaves) lots of working buy / sell orders. */
  openBuyQty: number;
  openSellQty: number;
  /** Number of open orders (venue-facing). */
  openOrders: number;
  /** Σ price × leaves of open buy / sell limit orders, ticks × lots; market orders (price 0) add 0. */
  openBuyNotional: number;
  openSellNotional: number;
  /** Highest price of our own open buy limit orders, 0 if none (self-trade checks). */
  ownBestBid: number;
  /** Lowest price of our own open sell limit orders, 0 if none. */
  ownBestAsk: number;
}

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
   * open orders; this book holds only positions).
   */
  exposure(account: string, symbol: string, openOrders: Iterable<Order>): Exposure {
    const e: Exposure = {
      position: this.get(account, symbol).qty,
      openBuyQty: 0,
      openSellQty: 0,
      openOrders: 0,
      openBuyNotional: 0,
      openSellNotional: 0,
      ownBestBid: 0,
      ownBestAsk: 0,
    };
    for (const o of openOrders) {
      if (o.account !== account || o.symbol !== symbol) continue;
      const leaves = Math.max(0, o.qty - o.filledQty);
      const limit = o.orderType === OrderType.Limit && o.price > 0;
      e.openOrders++;
      if (o.side === Side.Buy) {
        e.openBuyQty += leaves;
        if (limit) {
          e.openBuyNotional += o.price * leaves;
          if (o.price > e.ownBestBid) e.ownBestBid = o.price;
        }
      } else {
        e.openSellQty += leaves;
        if (limit) {
          e.openSellNotional += o.price * leaves;
          if (e.ownBestAsk === 0 || o.price < e.ownBestAsk) e.ownBestAsk = o.price;
        }
      }
    }
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
