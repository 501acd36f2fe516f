import { ExecType, type JournalRecord, type OrderTouch, type Side } from '@tickmesh/shared';

/**
 * What surveillance reads: the orders a trader sent, their cancels and their fills, each with
 * the journal sequence number that proves it (the evidence an alert cites). Built from the
 * journal's records, live (as the OMS appends them) or from a file after the fact, so both
 * see exactly the same events.
 */
export type TradingEvent =
  /** `touch`: the market the order met when the OMS took it; undefined in journals written before it was recorded. */
  | { kind: 'order'; seq: number; timeUs: number; account: string; orderId: string; symbol: string; side: Side; price: number; qty: number; touch?: OrderTouch }
  | { kind: 'cancel'; seq: number; timeUs: number; account: string; orderId: string; symbol: string; side: Side; filledQty: number }
  | { kind: 'fill'; seq: number; timeUs: number; account: string; orderId: string; symbol: string; venue: string; side: Side; price: number; qty: number; tradeId: number; maker: boolean };

/**
 * The event a journal record carries, if any. Orders are the trader's own (a routed or algo
 * parent, as asked); fills are what traded at a venue (children's fills, not the parent's
 * roll-up, so one venue trade is one fill); cancels are of the trader's orders.
 */
export function tradingEventOf(seq: number, record: JournalRecord): TradingEvent | undefined {
  if (record.kind === 'order-request') {
    if (record.parentOrderId !== '') return undefined;
    const i = record.intent;
    return { kind: 'order', seq, timeUs: record.timeUs, account: i.account, orderId: record.orderId, symbol: i.symbol, side: i.side, price: i.price, qty: i.qty, touch: record.touch };
  }
  if (record.kind !== 'execution') return undefined;
  const r = record.report;
  if (r.execType === ExecType.Trade && r.lastQty > 0 && r.venue !== '' && r.tradeId !== 0) {
    return { kind: 'fill', seq, timeUs: r.timeUs, account: r.account, orderId: r.orderId, symbol: r.symbol, venue: r.venue, side: r.side, price: r.lastPrice, qty: r.lastQty, tradeId: r.tradeId, maker: r.liquidityMaker };
  }
  if ((r.execType === ExecType.Canceled || r.execType === ExecType.Expired) && r.parentOrderId === '') {
    return { kind: 'cancel', seq, timeUs: r.timeUs, account: r.account, orderId: r.orderId, symbol: r.symbol, side: r.side, filledQty: r.filledQty };
  }
  return undefined;
}
