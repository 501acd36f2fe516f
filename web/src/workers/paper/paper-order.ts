import { Algo, FeeCalculator, type ExecType, type ExecutionReportMsg, type Instrument, type Order } from '@tickmesh/shared';
import { isOpenStatus } from '../order-blotter';

/**
 * One paper order as the broker keeps it: the shared `Order` plus where it stands in the
 * replayed queue and when it was placed (priority among paper orders at one price).
 */
export interface PaperOrder extends Order {
  /**
   * Lots displayed ahead of this order at its price: set to the level's size when the order
   * rests, shrunk by trades at its price and by the level shrinking. 0 = next to trade.
   */
  queueAhead: number;
  /** Placement sequence number (1, 2, …): time priority among paper orders. */
  seq: number;
  /** The venue's fee rates for this instrument, as the recording's instrument list gives them; none = free. */
  feeRates: PaperFees | undefined;
}

/** Maker and taker rates of one instrument at its venue, and its exact fee arithmetic. */
export interface PaperFees {
  calc: FeeCalculator;
  makerFeeBpsX100: number;
  takerFeeBpsX100: number;
}

export function paperFees(inst: Pick<Instrument, 'tickSize' | 'lotSize' | 'makerFeeBpsX100' | 'takerFeeBpsX100'> | undefined): PaperFees | undefined {
  return inst === undefined ? undefined : { calc: new FeeCalculator(inst.tickSize, inst.lotSize), makerFeeBpsX100: inst.makerFeeBpsX100, takerFeeBpsX100: inst.takerFeeBpsX100 };
}

/** A paper fill's fee, 1e-8 quote, at the venue's maker or taker rate (the same arithmetic as the simulator's). */
export function paperFee(fees: PaperFees | undefined, priceTicks: number, lots: number, maker: boolean): number {
  return fees === undefined ? 0 : fees.calc.fee(priceTicks, lots, maker ? fees.makerFeeBpsX100 : fees.takerFeeBpsX100);
}

/** What a paper order looks like from outside: the `Order` plus its queue position. */
export type PaperOrderView = Omit<PaperOrder, 'seq' | 'feeRates'>;

/** Lots still to fill, 0 once the order is over (terminal statuses have no leaves). */
export function leavesOf(o: Order): number {
  return isOpenStatus(o.status) ? Math.max(0, o.qty - o.filledQty) : 0;
}

/** Per-event fields of a paper report; everything else comes from the order. */
export interface PaperEvent {
  execType: ExecType;
  timeUs: number;
  /** This fill's price (ticks), qty (lots), trade id and maker flag. Default 0 / false. */
  lastPrice?: number;
  lastQty?: number;
  tradeId?: number;
  liquidityMaker?: boolean;
  /** This fill's fee, 1e-8 quote. Default 0. */
  fee?: number;
  /** Default: the order's reasonCode (a cancel reject carries its own). */
  reasonCode?: string;
}

/**
 * The report for one event of `o`, a snapshot after the event, shaped exactly like the relay's
 * (relay/src/oms/execution-report.ts) so `OrderBlotter.apply` and the engine's fill booking
 * take it unchanged: requestId 0, no parent, algo None; a fill's fee is the venue's rate from
 * the recorded instrument list (paperFee).
 */
export function paperReport(o: Order, ev: PaperEvent): ExecutionReportMsg {
  return {
    type: 'executionReport',
    requestId: 0,
    orderId: o.orderId,
    clientOrderId: o.clientOrderId,
    parentOrderId: '',
    status: o.status,
    execType: ev.execType,
    symbol: o.symbol,
    venue: o.venue,
    side: o.side,
    orderType: o.orderType,
    timeInForce: o.timeInForce,
    price: o.price,
    qty: o.qty,
    filledQty: o.filledQty,
    leavesQty: leavesOf(o),
    cumNotional: o.cumNotional,
    lastPrice: ev.lastPrice ?? 0,
    lastQty: ev.lastQty ?? 0,
    tradeId: ev.tradeId ?? 0,
    reasonCode: ev.reasonCode ?? o.reasonCode,
    reason: '',
    fee: ev.fee ?? 0,
    liquidityMaker: ev.liquidityMaker ?? false,
    timeUs: ev.timeUs,
    account: o.account,
    algo: Algo.None,
    trigger: o.trigger === undefined ? undefined : { ...o.trigger },
  };
}
