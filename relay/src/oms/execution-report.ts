import type { ExecType, ExecutionReportMsg, Order } from '@tickmesh/shared';
import { isTerminal } from './order-transitions';

/** Per-event fields of a report; everything else comes from the order. */
export interface ReportEvent {
  execType: ExecType;
  timeUs: number;
  /** Echo of the client request that caused the report. Default 0 (none). */
  requestId?: number;
  /** Fills: price (ticks), qty (lots), trade id, fee (quote × 1e-8) and maker flag of this fill. Default 0 / false. */
  lastPrice?: number;
  lastQty?: number;
  tradeId?: number;
  fee?: number;
  liquidityMaker?: boolean;
  /** Default: the order's reasonCode. Cancel rejects carry the venue's code without changing the order's. */
  reasonCode?: string;
  /** Default ''. Free text, never matched on. */
  reason?: string;
  /** Default: the order's clientOrderId. A pending replace carries the new id (as FIX's ClOrdID does). */
  clientOrderId?: string;
}

/**
 * The report clients get (and the journal stores) for one event of `order`, a snapshot of the
 * order after the event. `fee` is the fee of this fill only (0 for other events): the order's
 * running total is `fees` on the Order, rebuilt on recovery by summing these.
 */
export function executionReport(order: Order, ev: ReportEvent): ExecutionReportMsg {
  const done = isTerminal(order.status);
  return {
    type: 'executionReport',
    requestId: ev.requestId ?? 0,
    orderId: order.orderId,
    clientOrderId: ev.clientOrderId ?? order.clientOrderId,
    parentOrderId: order.parentOrderId,
    status: order.status,
    execType: ev.execType,
    symbol: order.symbol,
    venue: order.venue,
    side: order.side,
    orderType: order.orderType,
    timeInForce: order.timeInForce,
    price: order.price,
    qty: order.qty,
    filledQty: order.filledQty,
    leavesQty: done ? 0 : Math.max(0, order.qty - order.filledQty),
    cumNotional: order.cumNotional,
    lastPrice: ev.lastPrice ?? 0,
    lastQty: ev.lastQty ?? 0,
    tradeId: ev.tradeId ?? 0,
    reasonCode: ev.reasonCode ?? order.reasonCode,
    reason: ev.reason ?? '',
    fee: ev.fee ?? 0,
    liquidityMaker: ev.liquidityMaker ?? false,
    timeUs: ev.timeUs,
    account: order.account,
    algo: order.algo,
    trigger: order.trigger === undefined ? undefined : { ...order.trigger },
    schedule: order.schedule === undefined ? undefined : { ...order.schedule },
  };
}
