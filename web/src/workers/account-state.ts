import { ExecType, type ExecutionReportMsg, type Fill, type OrderIntent } from '@tickmesh/shared';
import { isParentOrder, OrderBlotter } from './order-blotter';
import { PositionLedger } from './position-ledger';

/**
 * One account's orders and positions as execution reports build them: the live account
 * (reports from the relay) and the paper account of a replay (reports from the PaperBroker)
 * are two instances of it, so both walk the same path to the blotter.
 */
export class AccountState {
  readonly blotter = new OrderBlotter();
  readonly ledger = new PositionLedger();

  /** Applies a report: the order's new state, and a fill for a trade of a non-parent order. */
  applyReport(r: ExecutionReportMsg, sent?: OrderIntent): void {
    const order = this.blotter.apply(r, sent);
    if (r.execType !== ExecType.Trade || r.lastQty <= 0 || isParentOrder(order)) return;
    const fill: Fill = {
      fillId: this.ledger.nextFillId(r.orderId),
      orderId: r.orderId,
      parentOrderId: r.parentOrderId,
      account: r.account,
      symbol: r.symbol,
      venue: r.venue,
      side: r.side,
      price: r.lastPrice,
      qty: r.lastQty,
      fee: r.fee,
      liquidityMaker: r.liquidityMaker,
      tradeId: r.tradeId,
      timeUs: r.timeUs,
    };
    this.ledger.add(fill);
  }

  clear(): void {
    this.blotter.clear();
    this.ledger.clear();
  }
}
