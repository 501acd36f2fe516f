import type { Side } from '@tickmesh/shared';
import type { EngineResult } from './engine-result';

/** Lifecycle step of one order, as reported by {@link MatchingListener.onOrder}. */
export type OrderEventKind =
  | 'accepted'
  | 'filled'
  | 'partially-filled'
  | 'canceled'
  | 'replaced'
  | 'rejected'
  | 'expired';

/**
 * Receives everything the matching engine does, as plain arguments: no event object is
 * allocated, so the generator's flood of orders stays cheap. Calls are synchronous, in the
 * order things happen, from inside the command that caused them.
 *
 * - `onLevel` feeds the L2 stream directly: it is called once per level whose total changed
 *   during a command, after the trades at that level.
 * - `onTrade` is the public print (market data).
 * - `onOrder` is the private execution stream: one call per order state change, including one
 *   per fill for both maker and taker. A listener that only reports some accounts (the sim
 *   venue reports relay orders, not generator ones) filters on `account`, an integer compare.
 */
export interface MatchingListener {
  /** The total resting on `side` at `price` (ticks) is now `totalSize` lots; 0 = level gone. */
  onLevel(side: Side, price: number, totalSize: number): void;
  /** A trade: `aggressorSide` is the taker's side; `price` is the maker's price. */
  onTrade(
    tradeId: number,
    price: number,
    qty: number,
    aggressorSide: Side,
    makerOrderId: number,
    takerOrderId: number,
    makerAccount: number,
    takerAccount: number,
  ): void;
  /**
   * An order changed state.
   * - accepted: `price` limit (0 for market), `qty` order quantity, `leavesQty` = qty.
   * - filled / partially-filled: `price`/`qty` of this fill, `tradeId`, `maker` true if the
   *   order provided liquidity.
   * - canceled: `qty` = quantity removed; `code` OK (requested) or VENUE_SELF_TRADE_PREVENTED.
   * - replaced: new `price`, new total `qty`, new `leavesQty`.
   * - rejected: the request's price/qty, `code` says why (only new orders; a refused
   *   cancel/replace is the command's return value, the order is unchanged).
   * - expired: IOC/FOK/market remainder removed; `qty` = quantity expired.
   */
  onOrder(
    orderId: number,
    account: number,
    kind: OrderEventKind,
    price: number,
    qty: number,
    leavesQty: number,
    tradeId: number,
    maker: boolean,
    code: EngineResult,
  ): void;
}

/** A listener that ignores everything (the engine's default). */
export class NoopMatchingListener implements MatchingListener {
  onLevel(): void {}
  onTrade(): void {}
  onOrder(): void {}
}
