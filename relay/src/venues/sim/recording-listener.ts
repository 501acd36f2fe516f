import type { Side } from '@tickmesh/shared';
import type { EngineResult } from './engine-result';
import type { MatchingListener, OrderEventKind } from './matching-listener';

/** One recorded order event (tests only). */
export interface RecordedOrderEvent {
  id: number;
  account: number;
  kind: OrderEventKind;
  price: number;
  qty: number;
  leaves: number;
  tradeId: number;
  maker: boolean;
  code: EngineResult;
}

/**
 * Test helper: a MatchingListener that records every call as objects, so assertions can read
 * what happened. Allocates per event; never use it on a hot path. Not exported from the index.
 */
export class RecordingListener implements MatchingListener {
  levels: { side: Side; price: number; size: number }[] = [];
  trades: { tradeId: number; price: number; qty: number; aggressor: Side; maker: number; taker: number; makerAccount: number; takerAccount: number }[] = [];
  orders: RecordedOrderEvent[] = [];

  onLevel(side: Side, price: number, size: number): void {
    this.levels.push({ side, price, size });
  }

  onTrade(tradeId: number, price: number, qty: number, aggressor: Side, maker: number, taker: number, makerAccount: number, takerAccount: number): void {
    this.trades.push({ tradeId, price, qty, aggressor, maker, taker, makerAccount, takerAccount });
  }

  onOrder(id: number, account: number, kind: OrderEventKind, price: number, qty: number, leaves: number, tradeId: number, maker: boolean, code: EngineResult): void {
    this.orders.push({ id, account, kind, price, qty, leaves, tradeId, maker, code });
  }

  clear(): void {
    this.levels = [];
    this.trades = [];
    this.orders = [];
  }

  kinds(id: number): OrderEventKind[] {
    return this.orders.filter((e) => e.id === id).map((e) => e.kind);
  }
}
